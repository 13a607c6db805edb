import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isMedanchorError } from '../../src/errors.js';
import {
  type Sha256KernelName,
  setSha256Kernel,
  sha256KernelName,
  sha256Kernels,
  sha256KernelsReady,
  sha256PrefixedBatch,
} from '../../src/kernel/index.js';

const run = promisify(execFile);
const probe = fileURLToPath(new URL('./fixtures/engine-probe.ts', import.meta.url));
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

interface ProbeReport {
  webAssembly: string;
  kernels: Sha256KernelName[];
  first: Sha256KernelName;
  ready: Sha256KernelName;
  after: Sha256KernelName;
  digests: string[];
  afterDigest: string;
}

/** Runs the probe in a fresh Node process with the given node flags and probe flags. */
async function probeEngine(nodeFlags: string[], probeFlags: string[] = []): Promise<ProbeReport> {
  const { stdout } = await run(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', probe, ...probeFlags],
    { cwd: fileURLToPath(new URL('../../../../', import.meta.url)) },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ProbeReport;
}

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    return isMedanchorError(e) ? e.code : `not a MedanchorError: ${String(e)}`;
  }
  return undefined;
}

describe('kernel selection', () => {
  it('picks the SIMD kernel on Node 20 and reports it', async () => {
    expect(sha256KernelName()).toBe('wasm-simd');
    expect(await sha256KernelsReady()).toBe('wasm-simd');
  });

  it('setSha256Kernel forces each kernel and auto restores the fastest', () => {
    for (const name of sha256Kernels()) {
      setSha256Kernel(name);
      expect(sha256KernelName()).toBe(name);
    }
    setSha256Kernel('auto');
    expect(sha256KernelName()).toBe('wasm-simd');
  });

  it('rejects an unknown kernel name without changing the kernel', () => {
    setSha256Kernel('js');
    expect(codeOf(() => setSha256Kernel('gpu' as Sha256KernelName))).toBe('INVALID_ARGUMENT');
    expect(sha256KernelName()).toBe('js');
    setSha256Kernel('auto');
  });

  it('without WebAssembly (node --jitless) it runs the JavaScript kernel, same digests', async () => {
    const r = await probeEngine(['--jitless']);
    expect(r.webAssembly).toBe('undefined');
    expect(r.kernels).toEqual(['js', 'reference']);
    expect(r.first).toBe('js');
    expect(r.digests).toEqual([ABC, ABC]);
  });

  it('without SIMD it runs the scalar WebAssembly kernel (mocked: validate rejects the SIMD module)', async () => {
    const r = await probeEngine([], ['--no-simd']);
    expect(r.kernels).toEqual(['wasm', 'js', 'reference']);
    expect(r.first).toBe('wasm');
    expect(r.digests).toEqual([ABC, ABC]);
  });

  it('where synchronous compiles are refused it runs JavaScript until the async compile lands (mocked: WebAssembly.Module throws)', async () => {
    const r = await probeEngine([], ['--no-sync']);
    expect(r.first).toBe('js');
    expect(r.ready).toBe('wasm-simd');
    expect(r.after).toBe('wasm-simd');
    expect(r.digests).toEqual([ABC, ABC]);
    expect(r.afterDigest).toBe(ABC);
  });
});

describe('argument checks', () => {
  const input = new Uint8Array(64);
  const out = new Uint8Array(64);

  it('accepts an exact fit, count 0 and empty messages', () => {
    expect(codeOf(() => sha256PrefixedBatch(1, input, 32, 2, out))).toBeUndefined();
    expect(
      codeOf(() => sha256PrefixedBatch(1, new Uint8Array(0), 64, 0, new Uint8Array(0))),
    ).toBeUndefined();
    expect(codeOf(() => sha256PrefixedBatch(0, new Uint8Array(0), 0, 2, out))).toBeUndefined();
  });

  it('names the bad argument with a stable code', () => {
    expect(codeOf(() => sha256PrefixedBatch(256, input, 32, 1, out))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => sha256PrefixedBatch(-1, input, 32, 1, out))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => sha256PrefixedBatch(0.5, input, 32, 1, out))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => sha256PrefixedBatch(0, input, -32, 1, out))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => sha256PrefixedBatch(0, input, 32, 1.5, out))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => sha256PrefixedBatch(0, input, 32, 1, out, -1))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => sha256PrefixedBatch(0, input, 32, 3, out))).toBe('INVALID_LENGTH');
    expect(codeOf(() => sha256PrefixedBatch(0, input, 32, 2, out, 1))).toBe('INVALID_LENGTH');
    expect(codeOf(() => sha256PrefixedBatch(0, [1, 2] as unknown as Uint8Array, 1, 1, out))).toBe(
      'INVALID_TYPE',
    );
  });

  it('leaves the output untouched when it rejects', () => {
    const o = new Uint8Array(32).fill(9);
    codeOf(() => sha256PrefixedBatch(0, input, 32, 2, o));
    expect(o.every((b) => b === 9)).toBe(true);
  });
});

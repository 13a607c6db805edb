import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../src/kernel/base64.js';
import { SHA256_WASM_SCALAR, SHA256_WASM_SIMD } from '../../src/kernel/sha256-wasm.generated.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../scripts/build-kernel.mjs', import.meta.url));

describe('the committed WebAssembly kernels', () => {
  it('are exactly what the AssemblyScript sources compile to (source and artifact cannot drift)', async () => {
    // build-kernel.mjs --check recompiles kernel-src/ and compares the whole generated
    // module byte for byte; AssemblyScript + Binaryen output is deterministic for fixed flags.
    const { stdout } = await run(process.execPath, [script, '--check']);
    expect(stdout).toMatch(/matches a fresh compile/);
    // A full compile: 12 s in a loaded full run; the default 60 s left too little room.
  }, 180_000);

  it('both modules compile here and export what the adapter calls', () => {
    for (const source of [SHA256_WASM_SCALAR, SHA256_WASM_SIMD]) {
      const bytes = decodeBase64(source);
      expect(WebAssembly.validate(bytes)).toBe(true);
      const exports = WebAssembly.Module.exports(new WebAssembly.Module(bytes));
      expect(exports.map((e) => `${e.kind}:${e.name}`)).toEqual(
        expect.arrayContaining(['function:hashBatch', 'function:ioBase', 'memory:memory']),
      );
      expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
    }
  });
});

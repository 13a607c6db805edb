// The JavaScript kernel as a bundler emits it (esbuild, which tsup runs for our dist).
// esbuild turns top-level `const` into `var`, and V8 folds only immutable slots of a
// function's context into optimized code: the kernel keeps its tables and state inside
// functions so they stay `const` (the bundled kernel ran at 0.82x of the sources when they
// were top-level). This checks that shape in the bundled text, and that the bundled code
// gives the same digests as an independent implementation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchFn } from '../../src/kernel/batch-fn.js';
import { expectedNoble, expectSameDigests, seededBytes } from './oracle.js';

const entry = fileURLToPath(new URL('../../src/kernel/js.ts', import.meta.url));

describe('JS kernel bundled by esbuild', () => {
  let text = '';
  let dir = '';
  let kernel: BatchFn;

  beforeAll(async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    text = result.outputFiles[0]!.text;
    dir = mkdtempSync(join(tmpdir(), 'medanchor-kernel-bundle-'));
    const file = join(dir, 'js-kernel.mjs');
    writeFileSync(file, text);
    kernel = (await import(pathToFileURL(file).href)).sha256PrefixedBatchJs as BatchFn;
  });

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the round constants, schedule and kernel state as const in a function scope', () => {
    // Indented `const`: inside a function. At the top level esbuild would have written `var`.
    for (const name of ['K', 'W', 'H', 'TAIL']) {
      expect(text, `${name} is not a function-scoped const`).toMatch(
        new RegExp(`^\\s+const ${name}\\d* = new (Int32|Uint8)Array\\(`, 'm'),
      );
      expect(text, `${name} became a top-level var`).not.toMatch(
        new RegExp(`^var ${name}\\d* = new (Int32|Uint8)Array\\(`, 'm'),
      );
    }
  });

  it('gives the digests @noble/hashes gives (leaves, nodes, multi-block messages)', () => {
    for (const [prefix, inLen, count] of [
      [0, 32, 257],
      [1, 64, 129],
      [7, 55, 33],
      [2, 200, 17],
    ] as const) {
      const input = seededBytes(inLen * 31 + count, inLen * count);
      const out = new Uint8Array(32 * count + 8);
      kernel(prefix, input, inLen, count, out, 8);
      expectSameDigests(out.subarray(8), expectedNoble(prefix, input, inLen, count));
    }
  });
});

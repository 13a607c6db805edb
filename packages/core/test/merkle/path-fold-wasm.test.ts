// Every single-proof fold against a naive RFC 9162 verifier on random proofs, real and
// tampered, memo on and off: node:crypto's one-shot hash (path-fold-node.ts, first where
// the runtime has it), the one-call WebAssembly path fold (kernel-src/path.ts, in the SIMD
// module) and the JavaScript fold under each kernel give the same roots and verdicts. The
// JavaScript fold is the fallback where neither node:crypto nor WebAssembly runs.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MerkleLog, rootFromInclusionProof, toHex, verifyInclusion } from '../../src/index.js';
import { decodeBase64 } from '../../src/kernel/base64.js';
import { setSha256Kernel, sha256Kernels, sha256PrefixedBatch } from '../../src/kernel/index.js';
import { activeKernel } from '../../src/kernel/select.js';
import { SHA256_WASM_SIMD } from '../../src/kernel/sha256-wasm.generated.js';
import { instantiateSync } from '../../src/kernel/wasm.js';
import {
  clearPathMemo,
  inclusionPathLength,
  setPathFoldOptions,
} from '../../src/merkle/path-fold.js';
import { nodeOneShotHash } from '../../src/merkle/path-fold-node.js';
import { refNode, refPathRoot } from './reference.js';

afterEach(() => {
  setSha256Kernel('auto');
  setPathFoldOptions({ memo: true, wasm: true, node: true });
});

const KERNELS = sha256Kernels().filter((k) => k !== 'reference');
type Kernel = Parameters<typeof setSha256Kernel>[0];
// The folds: 'node' (node:crypto, no memo), else a kernel with node:crypto switched off
// (the WebAssembly SIMD kernel folds in one call; the others through the JavaScript fold).
const FOLDS = ['node', ...KERNELS];
const HAS_NODE = nodeOneShotHash() !== undefined;

/** Chooses a fold; false (after saying why) when this runtime cannot run it. */
function useFold(fold: string): boolean {
  if (fold === 'node') {
    if (!HAS_NODE) {
      console.log('skipped: this runtime has no node:crypto one-shot hash (Node < 20.12)');
      return false;
    }
    // WebAssembly off too: with the memo on, a loaded kernel would be chosen first.
    setSha256Kernel('auto');
    setPathFoldOptions({ node: true, wasm: false });
    return true;
  }
  setSha256Kernel(fold as Kernel);
  setPathFoldOptions({ node: false, wasm: true });
  return true;
}
const leaves = Array.from({ length: 700 }, () => new Uint8Array(randomBytes(32)));
const log = new MerkleLog();
log.append(leaves);

describe('one inclusion path per WebAssembly call', () => {
  it('node:crypto offers its one-shot hash wherever core finds built-ins (process.getBuiltinModule)', () => {
    // crypto.hash came in Node 20.12 and 21.7, getBuiltinModule in 20.16 and 22.3.
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    const expected = (major === 20 && minor >= 16) || (major === 22 && minor >= 3) || major > 22;
    expect(HAS_NODE).toBe(expected);
  });

  it('the SIMD kernel offers the one-call fold; the scalar and JavaScript ones do not', () => {
    for (const k of KERNELS) {
      setSha256Kernel(k);
      expect(activeKernel().path !== undefined, k).toBe(k === 'wasm-simd');
    }
  });

  it.each(FOLDS.flatMap((k) => [`${k} memo`, `${k} no-memo`]))(
    'gives the naive roots and verdicts on real and tampered proofs (%s)',
    (what) => {
      const [fold, memo] = what.split(' ') as [string, string];
      if (!useFold(fold)) return;
      setPathFoldOptions({ memo: memo === 'memo' });
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 700 }),
          fc.nat(699),
          fc.nat(699),
          fc.nat(6),
          fc.nat(31),
          (size, i, j, mutation, at) => {
            const index = i % size;
            const root = log.root(size);
            const proof = log.inclusionProof(index, size).map((p) => p.slice());
            // The real proof first, so a memo holds its nodes when the tampered one runs.
            expect(verifyInclusion(leaves[index]!, index, size, proof, root)).toBe(true);
            let p = proof.map((x) => x.slice());
            let leaf: Uint8Array = leaves[index]!;
            let idx = index;
            const kk = p.length === 0 ? 0 : at % p.length;
            if (mutation === 1 && p.length > 0) p[kk]![at]! ^= 1;
            if (mutation === 2 && p.length > 1) [p[0], p[kk]] = [p[kk]!, p[0]!];
            if (mutation === 3) leaf = leaves[j]!;
            if (mutation === 4) idx = j % size;
            if (mutation === 5 && p.length > 0) p = p.slice(0, -1);
            if (mutation === 6 && p.length > 0) p[kk]![at]! ^= 0x80;
            const want = refPathRoot(leaf, idx, size, p);
            const got = rootFromInclusionProof(leaf, idx, size, p);
            expect(got === undefined ? undefined : toHex(got)).toBe(want);
            expect(verifyInclusion(leaf, idx, size, p, root)).toBe(want === toHex(root));
          },
        ),
        { numRuns: 300, seed: 18 },
      );
    },
  );

  it('node:crypto, WebAssembly and JavaScript folds agree at sizes up to 2^53 (made-up siblings, memo cold and warm)', () => {
    const wasm = KERNELS.filter((k) => k === 'wasm-simd');
    if (wasm.length === 0) console.log('WebAssembly fold skipped: no SIMD kernel in this engine');
    if (!HAS_NODE) console.log('node:crypto fold skipped: no one-shot hash in this runtime');
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32 * 64, maxLength: 32 * 64 }),
        (size, f, leaf, pool) => {
          const index = Math.min(size - 1, Math.floor(f * size));
          const length = inclusionPathLength(index, size);
          const proof = Array.from({ length }, (_, k) => pool.slice(32 * k, 32 * k + 32));
          const want = refPathRoot(leaf, index, size, proof);
          setPathFoldOptions({ wasm: false, node: false });
          expect(toHex(rootFromInclusionProof(leaf, index, size, proof)!)).toBe(want);
          setPathFoldOptions({ wasm: true });
          const folds = [...wasm, ...(HAS_NODE ? ['node'] : [])];
          for (const fold of folds) {
            useFold(fold);
            for (const memo of [true, false]) {
              setPathFoldOptions({ memo });
              clearPathMemo();
              expect(toHex(rootFromInclusionProof(leaf, index, size, proof)!), fold).toBe(want);
              // Again from a warm memo (or, memo off, hashing every node again).
              expect(toHex(rootFromInclusionProof(leaf, index, size, proof)!), fold).toBe(want);
            }
          }
        },
      ),
      { numRuns: 150, seed: 18 },
    );
  });

  it('batch hashing after the memo is placed leaves the memo intact (the input area moved past it)', () => {
    if (!KERNELS.includes('wasm-simd')) {
      console.log('skipped: this engine runs no WebAssembly SIMD kernel');
      return;
    }
    setSha256Kernel('wasm-simd');
    setPathFoldOptions({ memo: true, node: false });
    const size = 700;
    const root = log.root(size);
    const proofs = Array.from({ length: size }, (_, i) => log.inclusionProof(i, size));
    // Fill the memo, then hash a batch through the same module's memory.
    for (let i = 0; i < size; i++)
      expect(verifyInclusion(leaves[i]!, i, size, proofs[i]!, root)).toBe(true);
    // The batch input is the memo's own image with every remembered output changed: were
    // it copied over the memo, the next walks would take forged node hashes.
    const kernel = activeKernel().path!;
    const at = kernel.memoAddress();
    expect(at).toBeGreaterThan(0);
    // One kernel call (4,096 messages of 64 bytes): its input lands where the area begins.
    const input = kernel.bytes().slice(at, at + 64 * 4096);
    for (let slot = 0; slot + 100 <= input.length; slot += 100) input[slot + 68]! ^= 0x55;
    const out = new Uint8Array(32 * 4096);
    sha256PrefixedBatch(1, input, 64, 4096, out);
    expect(toHex(out.subarray(0, 32))).toBe(
      toHex(refNode(input.subarray(0, 32), input.subarray(32, 64))),
    );
    // Warm memo, real and spoiled proofs: the naive answers.
    for (let i = 0; i < size; i += 7) {
      expect(verifyInclusion(leaves[i]!, i, size, proofs[i]!, root)).toBe(true);
      const bad = proofs[i]!.map((p) => p.slice());
      bad[0]![3]! ^= 1;
      expect(verifyInclusion(leaves[i]!, i, size, bad, root)).toBe(false);
      expect(toHex(rootFromInclusionProof(leaves[i]!, i, size, bad)!)).toBe(
        refPathRoot(leaves[i]!, i, size, bad),
      );
    }
  });

  it('a memo placed over earlier batch input starts empty (a forged entry there is never used)', () => {
    if (!KERNELS.includes('wasm-simd')) {
      console.log('skipped: this engine runs no WebAssembly SIMD kernel');
      return;
    }
    const bytes = decodeBase64(SHA256_WASM_SIMD);
    // A first instance shows where the memo goes (the same module places it alike).
    const probe = instantiateSync(bytes).path!;
    probe.fold(0, true);
    const at = probe.memoAddress();
    expect(at).toBeGreaterThan(0);
    // Leaf 0 of a two-leaf tree: one level, memo slot 0, sibling on the right (side 0).
    const leaf = new Int32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const sib = new Int32Array([9, 10, 11, 12, 13, 14, 15, 16]);
    const forged = new Int32Array(25);
    forged[0] = 1; // tag: side 0 + 1
    forged.set(leaf, 1);
    forged.set(sib, 9);
    forged.fill(0x5a5a5a5a, 17);
    // A fresh instance hashes a batch whose input lands where its memo will be placed.
    const fresh = instantiateSync(bytes);
    const input = new Uint8Array(64 * 4096);
    input.set(new Uint8Array(forged.buffer), 0);
    fresh.fn(1, input, 64, 4096, new Uint8Array(32 * 4096), 0);
    const path = fresh.path!;
    const w = path.words();
    w.set(leaf, path.cur);
    w.set(sib, path.siblings);
    w[path.slots] = 0;
    path.bytes()[path.sides] = 0;
    path.fold(1, true);
    expect(path.memoAddress()).toBe(at);
    const got = path.words().slice(path.cur, path.cur + 8);
    const toBytes = (x: Int32Array) => {
      const b = new Uint8Array(32);
      x.forEach((v, i) => {
        b[4 * i] = v >>> 24;
        b[4 * i + 1] = v >>> 16;
        b[4 * i + 2] = v >>> 8;
        b[4 * i + 3] = v;
      });
      return b;
    };
    expect(toHex(toBytes(got))).toBe(toHex(refNode(toBytes(leaf), toBytes(sib))));
  });
});

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { readVectorJson, vectorPath } from '../../../../test/helpers/vectors.js';
import {
  concatBytes,
  fromHex,
  type InclusionClaim,
  leafHash,
  MerkleLog,
  type Sha256KernelName,
  setSha256Kernel,
  sha256Kernels,
  toHex,
  verifyInclusion,
  verifyInclusions,
  verifyInclusionsPacked,
} from '../../src/index.js';
import { refLeaf } from './reference.js';

// Batch verification (array and packed forms) must give verifyInclusion's answer for
// every claim, on every kernel: the SIMD kernel folds paths in WebAssembly, the others
// hash one level of all proofs per batch call.

const KERNELS: Sha256KernelName[] = sha256Kernels();

afterEach(() => {
  setSha256Kernel('auto');
});

const single = (c: InclusionClaim) => verifyInclusion(c.leafHash, c.index, c.size, c.proof, c.root);

/** Concatenation without spreading (a spread of 200k arguments overflows the stack). */
function pack(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The claims as one packed batch, with explicit path lengths (any shape fits). */
function packClaims(claims: readonly InclusionClaim[]) {
  return verifyInclusionsPacked({
    leafHashes: pack(claims.map((c) => c.leafHash)),
    indices: claims.map((c) => c.index),
    sizes: claims.map((c) => c.size),
    paths: pack(claims.flatMap((c) => c.proof)),
    pathLengths: claims.map((c) => c.proof.length),
    roots: pack(claims.map((c) => c.root)),
  });
}

describe('verifyInclusions and verifyInclusionsPacked on the embedded RFC 9162 tree', () => {
  // transparency-dev/merkle's eight test leaves and the roots at sizes 1..8.
  const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657'];
  leaves.push('606162636465666768696a6b6c6d6e6f');
  const roots = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  const hashes = leaves.map((l) => leafHash(fromHex(l)));
  const log = new MerkleLog();
  log.append(hashes);
  // Every (leaf, size) pair, each against the published root of its size.
  const claims: InclusionClaim[] = [];
  for (let size = 1; size <= 8; size++) {
    for (let m = 0; m < size; m++) {
      const root = fromHex(roots[size - 1]!);
      claims.push({
        leafHash: hashes[m]!,
        index: m,
        size,
        proof: log.inclusionProof(m, size),
        root,
      });
    }
  }

  it.each(KERNELS)('accepts all 36 proofs against the published roots (%s kernel)', (k) => {
    setSha256Kernel(k);
    expect(verifyInclusions(claims)).toEqual(claims.map(() => true));
    expect(packClaims(claims)).toEqual(claims.map(() => true));
  });

  it.each(KERNELS)('rejects each proof against the next size root (%s kernel)', (k) => {
    setSha256Kernel(k);
    const wrong = claims.map((c) => ({ ...c, root: fromHex(roots[Number(c.size) % 8]!) }));
    expect(verifyInclusions(wrong)).toEqual(wrong.map(() => false));
    expect(packClaims(wrong)).toEqual(wrong.map(() => false));
  });
});

interface ProbeVectors {
  leaves: string[];
  leafHashes: string[];
  inclusionProofs: { leafIndex: number; treeSize: number; path: string[] }[];
  derived: { inclusionProofs: { leafIndex: number; treeSize: number; path: string[] }[] };
  probes: {
    items: {
      kind: 'inclusion' | 'consistency';
      desc: string;
      file: string;
      wantErr: boolean;
      leafIndex?: number;
      treeSize?: number;
      leafHash?: string | null;
      root?: string | null;
      path: (string | null)[] | null;
    }[];
  };
}

const rfcPath = vectorPath('rfc6962/vectors.json');
const hexOrEmpty = (s: string | null | undefined) => (s ? fromHex(s) : new Uint8Array(0));

describe.skipIf(!rfcPath)(
  'batch verification against the RFC 6962 vectors of the shared folder',
  () => {
    const v = rfcPath
      ? readVectorJson<ProbeVectors>(rfcPath)
      : (undefined as unknown as ProbeVectors);

    it.each(KERNELS)(
      'published and derived inclusion proofs verify in one batch (%s kernel)',
      (k) => {
        setSha256Kernel(k);
        const log = new MerkleLog();
        log.append(v.leaves.map((l) => leafHash(fromHex(l))));
        const claims = [...v.inclusionProofs, ...v.derived.inclusionProofs].map((p) => ({
          leafHash: fromHex(v.leafHashes[p.leafIndex]!),
          index: p.leafIndex,
          size: p.treeSize,
          proof: p.path.map((x) => fromHex(x)),
          root: log.root(p.treeSize),
        }));
        expect(claims.length).toBeGreaterThan(30);
        expect(verifyInclusions(claims)).toEqual(claims.map(() => true));
        expect(packClaims(claims)).toEqual(claims.map(() => true));
      },
    );

    it.each(KERNELS)(
      'every inclusion probe: happy paths verify, corrupted ones are rejected, nothing throws (%s kernel)',
      (k) => {
        setSha256Kernel(k);
        const probes = v.probes.items.filter((p) => p.kind === 'inclusion');
        const claims = probes.map((p) => ({
          leafHash: hexOrEmpty(p.leafHash),
          index: p.leafIndex!,
          size: p.treeSize!,
          proof: (p.path ?? []).map((x) => hexOrEmpty(x)),
          root: hexOrEmpty(p.root),
        }));
        const want = probes.map((p) => !p.wantErr);
        expect(want.filter((x) => !x).length).toBeGreaterThan(50);
        // All probes in one batch, and each alone in the packed form (a malformed element
        // length makes a packed batch fail as a whole, so alone is the honest comparison).
        expect(verifyInclusions(claims)).toEqual(want);
        claims.forEach((c, i) => {
          expect(packClaims([c]), `${probes[i]!.file}: ${probes[i]!.desc}`).toEqual([want[i]]);
        });
      },
    );
  },
);

// Distinct leaves: with two equal leaves, a proof for one is honestly a proof for the other.
const leavesArb = fc.uniqueArray(fc.uint8Array({ minLength: 0, maxLength: 24 }), {
  minLength: 1,
  maxLength: 80,
  selector: (u) => toHex(u),
});

/** Claims at several sizes of one log, some corrupted in one of several ways. */
function mixedClaims(
  log: MerkleLog,
  hashes: Uint8Array[],
  picks: [number, number, number, number][],
): InclusionClaim[] {
  const n = log.size;
  return picks.map(([sizeSeed, mSeed, how, pos]) => {
    const size = 1 + (sizeSeed % n);
    const m = mSeed % size;
    const proof = log.inclusionProof(m, size).map((p) => p.slice());
    const claim = { leafHash: hashes[m]!, index: m, size, proof, root: log.root(size) };
    switch (how) {
      case 1:
        if (proof.length > 0) proof[pos % proof.length]![pos % 32]! ^= 1 << (pos % 8);
        return claim;
      case 2:
        return { ...claim, index: (m + 1) % size };
      case 3:
        return { ...claim, proof: proof.slice(1) };
      case 4:
        return { ...claim, size: size + 1 };
      case 5:
        return { ...claim, root: log.root(1 + (pos % n)) };
      case 6:
        return { ...claim, leafHash: hashes[(m + 1) % n]! };
      case 7:
        return { ...claim, proof: [...proof, hashes[0]!] };
      default:
        return claim;
    }
  });
}

describe('batch verification equals verifyInclusion (property tests)', () => {
  const picksArb = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(9), fc.nat()), {
    minLength: 1,
    maxLength: 60,
  });

  it.each(KERNELS)('random trees, sizes and corruptions, both forms (%s kernel)', (k) => {
    setSha256Kernel(k);
    fc.assert(
      fc.property(leavesArb, picksArb, (leaves, picks) => {
        const hashes = leaves.map(refLeaf);
        const log = new MerkleLog();
        log.append(hashes);
        const claims = mixedClaims(log, hashes, picks);
        const want = claims.map(single);
        expect(verifyInclusions(claims)).toEqual(want);
        expect(packClaims(claims)).toEqual(want);
      }),
      { numRuns: k === 'reference' ? 40 : 120 },
    );
  });

  it('one tree size, shared root and derived path lengths (the compact form as a log emits it)', () => {
    fc.assert(
      fc.property(leavesArb, fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), (leaves, ms) => {
        const hashes = leaves.map(refLeaf);
        const log = new MerkleLog();
        log.append(hashes);
        const n = log.size;
        const indices = ms.map((m) => m % n);
        const tampered = ms[0]! % 3 === 0; // flip one byte of one leaf hash, sometimes
        const leafBytes = concatBytes(...indices.map((m) => hashes[m]!));
        if (tampered) leafBytes[ms.length % leafBytes.length]! ^= 0x80;
        const got = verifyInclusionsPacked({
          leafHashes: leafBytes,
          indices,
          sizes: n,
          paths: concatBytes(...indices.flatMap((m) => log.inclusionProof(m))),
          roots: log.root(),
        });
        const want = indices.map((m, j) =>
          verifyInclusion(
            leafBytes.subarray(32 * j, 32 * j + 32),
            m,
            n,
            log.inclusionProof(m),
            log.root(),
          ),
        );
        expect(got).toEqual(want);
        expect(got.filter((x) => !x).length).toBe(tampered ? 1 : 0);
      }),
      { numRuns: 150 },
    );
  });

  it('batches larger than one pass (8192 claims) and of several path lengths', () => {
    const n = 5000; // not a power of two: path lengths 12 and 13
    const hashes = Array.from({ length: n }, (_, i) => refLeaf(Uint8Array.of(i & 255, i >> 8)));
    const log = new MerkleLog();
    log.append(hashes);
    const root = log.root();
    const claims = Array.from({ length: 20_000 }, (_, j) => {
      const m = (j * 7919) % n;
      const bad = j % 97 === 0;
      return {
        leafHash: hashes[bad ? (m + 1) % n : m]!,
        index: m,
        size: n,
        proof: log.inclusionProof(m),
        root,
      };
    });
    const want = claims.map((_, j) => j % 97 !== 0);
    expect(verifyInclusions(claims)).toEqual(want);
    expect(packClaims(claims)).toEqual(want);
  });
});

describe('malformed batches never throw', () => {
  const hashes = [0, 1, 2].map((i) => refLeaf(Uint8Array.of(i)));
  const log = new MerkleLog();
  log.append(hashes);
  const good = {
    leafHashes: concatBytes(hashes[0]!, hashes[2]!),
    indices: [0, 2],
    sizes: 3,
    paths: concatBytes(...log.inclusionProof(0), ...log.inclusionProof(2)),
    roots: log.root(),
  };

  it('a well-formed packed batch verifies (the baseline for the cases below)', () => {
    expect(verifyInclusionsPacked(good)).toEqual([true, true]);
    expect(verifyInclusionsPacked({ ...good, sizes: [3n, 3n], indices: [0n, 2n] })).toEqual([
      true,
      true,
    ]);
  });

  it('arrays that disagree make every answer false', () => {
    const cases = [
      { ...good, paths: good.paths.subarray(32) },
      { ...good, paths: concatBytes(good.paths, new Uint8Array(1)) },
      { ...good, leafHashes: good.leafHashes.subarray(1) },
      { ...good, roots: concatBytes(good.roots, new Uint8Array(1)) },
      { ...good, sizes: [3] },
      { ...good, pathLengths: [2] },
      { ...good, pathLengths: [2, 1.5] },
      { ...good, pathLengths: [1, 2] },
    ];
    for (const c of cases) expect(verifyInclusionsPacked(c)).toEqual([false, false]);
  });

  it('bad indices, sizes and types are false per proof or for all, never an exception', () => {
    expect(verifyInclusionsPacked({ ...good, sizes: -1 })).toEqual([false, false]);
    expect(verifyInclusionsPacked({ ...good, sizes: 2 ** 60 })).toEqual([false, false]);
    expect(verifyInclusionsPacked({ ...good, indices: [0, 5], pathLengths: [2, 1] })).toEqual([
      true,
      false,
    ]);
    const junk = [null, undefined, 7, 'x', {}, { indices: 'abc' }] as unknown[];
    for (const j of junk) {
      expect(() => verifyInclusionsPacked(j as never)).not.toThrow();
    }
    expect(verifyInclusionsPacked({ indices: [1, 2] } as never)).toEqual([false, false]);
    const claims = [null, 3, { leafHash: 'x' }, { ...good, proof: 'abc' }] as unknown[];
    expect(verifyInclusions(claims as never)).toEqual([false, false, false, false]);
    expect(verifyInclusions([])).toEqual([]);
  });
});

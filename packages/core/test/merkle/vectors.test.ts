import { describe, expect, it } from 'vitest';
import { readVectorJson, vectorPath } from '../../../../test/helpers/vectors.js';
import {
  EMPTY_ROOT,
  fromHex,
  leafHash,
  MerkleLog,
  merkleRoot,
  nodeHash,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from '../../src/index.js';

// RFC 6962 / 9162 conformance: the transparency-dev vectors from the shared folder,
// plus a few embedded here so a fresh clone still checks the essentials.

const hexOrEmpty = (s: string | null | undefined) => (s ? fromHex(s) : new Uint8Array(0));

describe('RFC 9162 vectors embedded inline', () => {
  // The eight leaves of transparency-dev/merkle's test data (hex).
  const leaves = [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ];
  const roots = [
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];

  it('computes the root at every size 0..8', () => {
    const log = new MerkleLog();
    expect(toHex(log.root())).toBe(roots[0]);
    leaves.forEach((l, i) => {
      log.append([leafHash(fromHex(l))]);
      expect(toHex(log.root())).toBe(roots[i + 1]);
      expect(toHex(log.root(i))).toBe(roots[i]);
      expect(toHex(merkleRoot(leaves.slice(0, i + 1).map((x) => leafHash(fromHex(x)))))).toBe(
        roots[i + 1],
      );
    });
  });

  it('hashes leaves and nodes as RFC 9162 does', () => {
    expect(toHex(EMPTY_ROOT)).toBe(roots[0]);
    expect(toHex(leafHash(fromHex('4c313233343536')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    expect(toHex(nodeHash(fromHex('4e313233'), fromHex('4e343536')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });
});

interface Vectors {
  hasherVectors: {
    desc: string;
    input?: null;
    leaf?: string;
    left?: string;
    right?: string;
    want: string;
  }[];
  leaves: string[];
  leafHashes: string[];
  nodeHashesByLevel: { levels: string[][] };
  roots: { treeSize: number; root: string }[];
  inclusionProofs: { leafIndex: number; treeSize: number; path: string[] }[];
  consistencyProofs: { size1: number; size2: number; path: string[] }[];
  derived: {
    inclusionProofs: { leafIndex: number; treeSize: number; path: string[] }[];
    consistencyProofs: { size1: number; size2: number; path: string[] }[];
  };
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
      size1?: number;
      size2?: number;
      root1?: string | null;
      root2?: string | null;
      path: (string | null)[] | null;
    }[];
  };
}

const path = vectorPath('rfc6962/vectors.json');

describe.skipIf(!path)('RFC 6962 / 9162 vectors from the shared folder', () => {
  const v = path ? readVectorJson<Vectors>(path) : (undefined as unknown as Vectors);
  const build = () => {
    const log = new MerkleLog();
    log.append(v.leaves.map((l) => leafHash(fromHex(l))));
    return log;
  };

  it('hasher vectors', () => {
    for (const hv of v.hasherVectors) {
      let got: Uint8Array;
      if (hv.left !== undefined) got = nodeHash(fromHex(hv.left), fromHex(hv.right!));
      else if (hv.leaf !== undefined) got = leafHash(fromHex(hv.leaf));
      else got = EMPTY_ROOT;
      expect(toHex(got), hv.desc).toBe(hv.want);
    }
  });

  it('leaf hashes, complete-subtree nodes and roots', () => {
    const log = build();
    v.leafHashes.forEach((h, i) => {
      expect(toHex(leafHash(fromHex(v.leaves[i]!)))).toBe(h);
    });
    v.nodeHashesByLevel.levels.forEach((level, l) => {
      level.forEach((h, i) => {
        expect(toHex(log.store.nodes(l, i, 1))).toBe(h);
      });
    });
    for (const r of v.roots) expect(toHex(log.root(r.treeSize)), `size ${r.treeSize}`).toBe(r.root);
  });

  it('published and derived inclusion proofs are generated and verify', () => {
    const log = build();
    const all = [...v.inclusionProofs, ...v.derived.inclusionProofs];
    expect(all.length).toBeGreaterThan(30);
    for (const p of all) {
      const got = log.inclusionProof(p.leafIndex, p.treeSize).map(toHex);
      expect(got, `${p.leafIndex}@${p.treeSize}`).toEqual(p.path);
      const lh = fromHex(v.leafHashes[p.leafIndex]!);
      expect(
        verifyInclusion(
          lh,
          p.leafIndex,
          p.treeSize,
          p.path.map((x) => fromHex(x)),
          log.root(p.treeSize),
        ),
      ).toBe(true);
    }
  });

  it('published and derived consistency proofs are generated and verify', () => {
    const log = build();
    const all = [...v.consistencyProofs, ...v.derived.consistencyProofs];
    expect(all.length).toBeGreaterThan(25);
    for (const p of all) {
      expect(log.consistencyProof(p.size1, p.size2).map(toHex), `${p.size1}->${p.size2}`).toEqual(
        p.path,
      );
      const proof = p.path.map((x) => fromHex(x));
      expect(verifyConsistency(p.size1, p.size2, proof, log.root(p.size1), log.root(p.size2))).toBe(
        true,
      );
    }
  });

  it('every probe: happy paths verify, corrupted proofs are rejected without throwing', () => {
    let accepted = 0;
    let rejected = 0;
    for (const p of v.probes.items) {
      const proof = (p.path ?? []).map((x) => hexOrEmpty(x));
      const ok =
        p.kind === 'inclusion'
          ? verifyInclusion(
              hexOrEmpty(p.leafHash),
              p.leafIndex!,
              p.treeSize!,
              proof,
              hexOrEmpty(p.root),
            )
          : verifyConsistency(p.size1!, p.size2!, proof, hexOrEmpty(p.root1), hexOrEmpty(p.root2));
      expect(ok, `${p.file}: ${p.desc}`).toBe(!p.wantErr);
      if (ok) accepted++;
      else rejected++;
    }
    expect(accepted).toBe(v.probes.items.filter((p) => !p.wantErr).length);
    expect(rejected).toBeGreaterThanOrEqual(184);
  });
});

// Branches read from a BIP37 partial merkle tree (gettxoutproof), as the Core RPC backend
// uses them: real mainnet vectors first, then properties against the full-tree branch
// of src/bitcoin and its independent merkleblock parser.
import { concatBytes, fromHex, isMedanchorError, toHex } from '@medanchor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listVectorFiles, readVectorJson } from '../../../../test/helpers/vectors.js';
import { decodeTxOutProof } from '../../src/backend/merkle-branch.js';
import { hashFromDisplayHex, sha256d } from '../../src/bitcoin/hash.js';
import { bitcoinMerkleBranch, foldMerkleBranch } from '../../src/bitcoin/merkle.js';
import { parseMerkleBlock } from '../../src/bitcoin/merkleblock.js';

// Mainnet block 100002 and the merkleblock gettxoutproof gives for its tx #3.
const BLOCK_100002 = {
  header:
    '0100000090f0a9f110702f808219ebea1173056042a714bad51b916cb6800000000000005275289558f51c9966699404ae2294730c3c9f9bda53523ce50e9b95e558da2fdb261b4d4c86041b1ab1bf93',
  txids: [
    'ef1d870d24c85b89d92ad50f4631026f585d6a34e972eaf427475e5d60acf3a3',
    'f9fc751cb7dc372406a9f8d738d5e6f8f63bab71986a39cf36ee70ee17036d07',
    'db60fb93d736894ed0b86cb92548920a3fe8310dd19b0da7ad97e48725e1e12e',
    '220ebc64e21abece964927322cba69180ed853bb187fbc6923bac7d010b9d87a',
    '71b3dbaca67e9f9189dad3617138c19725ab541ef0b49c05a94913e9f28e3f4e',
    'fe305e1ed08212d76161d853222048eea1f34af42ea0e197896a269fbf8dc2e0',
    '21d2eb195736af2a40d42107e6abd59c97eb6cffd4a5a7a7709e86590ae61987',
    'dd1fd2a6fc16404faf339881a90adbde7f4f728691ac62e8f168809cdfae1053',
    '74d681e0e03bafa802c8aa084379aa98d9fcd632ddc2ed9782b586ec87451f20',
  ],
  merkleblock:
    '0100000090f0a9f110702f808219ebea1173056042a714bad51b916cb6800000000000005275289558f51c9966699404ae2294730c3c9f9bda53523ce50e9b95e558da2fdb261b4d4c86041b1ab1bf930900000005fac7708a6e81b2a986dea60db2663840ed141130848162eb1bd1dee54f309a1b2ee1e12587e497ada70d9bd10d31e83f0a924825b96cb8d04e8936d793fb60db7ad8b910d0c7ba2369bc7f18bb53d80e1869ba2c32274996cebe1ae264bc0e2289189ff0316cdc10511da71da757e553cada9f3b5b1434f3923673adb57d83caac392c38af156d6fc30b55fad4112df2b95531e68114e9ad10011e72f7b7cfdb025700',
};

function invalidCode(bytes: Uint8Array): string | undefined {
  try {
    decodeTxOutProof(bytes);
    return undefined;
  } catch (e) {
    return isMedanchorError(e) ? e.code : 'not a MedanchorError';
  }
}

// A BIP37 partial merkle tree encoder, written here from the BIP so the decoder is
// checked against something it did not produce itself.
function encodeTxOutProof(header: Uint8Array, leaves: Uint8Array[], matched: Set<number>) {
  const n = leaves.length;
  let depth = 0;
  while (2 ** depth < n) depth++;
  const width = (h: number) => Math.ceil(n / 2 ** h);
  const node = (h: number, pos: number): Uint8Array => {
    if (h === 0) return leaves[pos]!;
    const left = node(h - 1, pos * 2);
    const right = pos * 2 + 1 < width(h - 1) ? node(h - 1, pos * 2 + 1) : left;
    return sha256d(concatBytes(left, right));
  };
  const bits: number[] = [];
  const hashes: Uint8Array[] = [];
  const walk = (h: number, pos: number) => {
    let parentOfMatch = false;
    for (let p = pos << h; p < (pos + 1) << h && p < n; p++)
      if (matched.has(p)) parentOfMatch = true;
    bits.push(parentOfMatch ? 1 : 0);
    if (h === 0 || !parentOfMatch) hashes.push(node(h, pos));
    else {
      walk(h - 1, pos * 2);
      if (pos * 2 + 1 < width(h - 1)) walk(h - 1, pos * 2 + 1);
    }
  };
  walk(depth, 0);
  const flags = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    flags[i >> 3]! |= b << (i & 7);
  });
  const count = new Uint8Array([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
  const varint = (v: number) => (v < 0xfd ? [v] : [0xfd, v & 0xff, v >> 8]);
  return concatBytes(
    header,
    count,
    new Uint8Array(varint(hashes.length)),
    ...hashes,
    new Uint8Array(varint(flags.length)),
    flags,
  );
}

describe('decodeTxOutProof (BIP37 merkleblock, as gettxoutproof returns)', () => {
  it('decodes the mainnet block 100002 proof: tx #3, root equal to the header', () => {
    const proof = decodeTxOutProof(fromHex(BLOCK_100002.merkleblock));
    expect(proof.rootMatchesHeader).toBe(true);
    expect(proof.txCount).toBe(9);
    expect(proof.blockHash).toBe(
      '0000000000013b8ab2cd513b0261a14096412195a72a0c4827d229dcc7e0f7af',
    );
    expect(proof.matches.map((m) => [m.txid, m.position])).toEqual([
      ['220ebc64e21abece964927322cba69180ed853bb187fbc6923bac7d010b9d87a', 3],
    ]);
    const leaves = BLOCK_100002.txids.map((t) => hashFromDisplayHex(t));
    expect(proof.matches[0]!.siblings).toEqual(bitcoinMerkleBranch(leaves, 3));
  });

  const proofFiles = listVectorFiles('bitcoin/merkleblocks');
  it.skipIf(proofFiles.length === 0)('decodes every merkleblock in the vectors', () => {
    for (const file of proofFiles) {
      const v = readVectorJson<{
        merkleblock: string;
        blockHash: string;
        totalTransactions: number;
        matched: { txid: string; index: number }[];
      }>(file);
      const proof = decodeTxOutProof(fromHex(v.merkleblock));
      expect(proof.rootMatchesHeader, file).toBe(true);
      expect(proof.blockHash).toBe(v.blockHash);
      expect(proof.txCount).toBe(v.totalTransactions);
      expect(proof.matches.map((m) => ({ txid: m.txid, index: m.position }))).toEqual(v.matched);
      for (const m of proof.matches) {
        const root = foldMerkleBranch(hashFromDisplayHex(m.txid), m.position, m.siblings);
        expect(toHex(root)).toBe(toHex(proof.root));
      }
    }
  });

  it('gives the same branches as the full tree for any matched subset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        (leaves, picks) => {
          // Distinct leaves: equal siblings would look like the CVE-2012-2459 trick.
          const unique = leaves.map((l, i) =>
            sha256d(concatBytes(l, new Uint8Array([i & 0xff, i >> 8]))),
          );
          const matched = new Set(picks.map((p) => p % unique.length));
          const header = new Uint8Array(80);
          const proof = decodeTxOutProof(encodeTxOutProof(header, unique, matched));
          expect(proof.txCount).toBe(unique.length);
          expect(proof.matches.map((m) => m.position)).toEqual([...matched].sort((a, b) => a - b));
          for (const m of proof.matches) {
            expect(m.siblings).toEqual(bitcoinMerkleBranch(unique, m.position));
          }
          // The independent parser in src/bitcoin reads the same matches.
          const withRoot = new Uint8Array(80);
          withRoot.set(proof.root, 36);
          const other = parseMerkleBlock(encodeTxOutProof(withRoot, unique, matched));
          expect(other.matches.map((m) => m.index)).toEqual(proof.matches.map((m) => m.position));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects truncated, padded and duplicated-subtree proofs', () => {
    const good = fromHex(BLOCK_100002.merkleblock);
    expect(invalidCode(good)).toBeUndefined();
    expect(invalidCode(good.subarray(0, good.length - 1))).toBe('INVALID_TXOUTPROOF');
    expect(invalidCode(concatBytes(good, new Uint8Array([0])))).toBe('INVALID_TXOUTPROOF');
    expect(invalidCode(new Uint8Array(80))).toBe('INVALID_TXOUTPROOF');
    // Two leaves that are the same hash, both matched: CVE-2012-2459.
    const leaf = sha256d(new Uint8Array([7]));
    const dup = encodeTxOutProof(new Uint8Array(80), [leaf, leaf], new Set([0, 1]));
    expect(() => decodeTxOutProof(dup)).toThrow(/CVE-2012-2459/);
    // A zero transaction count.
    const zero = concatBytes(new Uint8Array(80), new Uint8Array([0, 0, 0, 0, 0, 0]));
    expect(invalidCode(zero)).toBe('INVALID_TXOUTPROOF');
  });
});

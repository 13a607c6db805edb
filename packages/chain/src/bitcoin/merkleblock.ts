import { equalBytes, MedanchorError } from '@medanchor/core';
import { ByteReader } from './bytes-io.js';
import { HEADER_SIZE } from './header.js';
import { merkleParent } from './merkle.js';

/** A transaction a merkleblock proves: txid (internal order) and its position. */
export interface MerkleBlockMatch {
  txid: Uint8Array;
  index: number;
}

/** A BIP37 merkleblock whose partial merkle tree has been validated against its header. */
export interface MerkleBlock {
  /** The 80 header bytes. */
  header: Uint8Array;
  totalTransactions: number;
  /** The root the partial tree computes; equal to the header's merkle root. */
  merkleRoot: Uint8Array;
  /** Matched transactions in block order. */
  matches: MerkleBlockMatch[];
}

// Bitcoin Core's bound: no block holds more transactions than max weight / min tx weight.
const MAX_TRANSACTIONS = Math.floor(4_000_000 / 240);

function fail(reason: string): MedanchorError {
  return new MedanchorError('INVALID_MERKLEBLOCK', `merkleblock is invalid: ${reason}`);
}

/**
 * Parses a BIP37 merkleblock (what `gettxoutproof` returns), walks its partial
 * merkle tree, and returns the matched txids with their positions. Refuses a tree
 * that does not reach the header's merkle root, uses a hash or flag bit too few or
 * too many, has non-zero padding bits, or pairs a node with an identical sibling
 * (CVE-2012-2459).
 *
 * @throws MedanchorError `INVALID_MERKLEBLOCK` naming the problem.
 */
export function parseMerkleBlock(bytes: Uint8Array): MerkleBlock {
  const r = new ByteReader(bytes, 'INVALID_MERKLEBLOCK', 'merkleblock');
  const header = r.take(HEADER_SIZE).slice();
  const total = r.u32();
  const hashCount = r.varint();
  if (hashCount * 32 > r.remaining) throw fail('more hashes announced than bytes present');
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < hashCount; i++) hashes.push(r.take(32));
  const flagBytes = r.take(r.varint());
  if (r.remaining !== 0) throw fail('trailing bytes');
  if (total === 0) throw fail('zero transactions');
  if (total > MAX_TRANSACTIONS) throw fail('more transactions than a block can hold');
  if (hashCount > total) throw fail('more hashes than transactions');
  if (flagBytes.length * 8 < hashCount) throw fail('fewer flag bits than hashes');

  let height = 0;
  while (widthAt(total, height) > 1) height++;
  let bitsUsed = 0;
  let hashesUsed = 0;
  const matches: MerkleBlockMatch[] = [];

  const nextBit = (): boolean => {
    if (bitsUsed >= flagBytes.length * 8) throw fail('ran out of flag bits');
    const bit = (flagBytes[bitsUsed >> 3]! >> (bitsUsed & 7)) & 1;
    bitsUsed++;
    return bit === 1;
  };
  const nextHash = (): Uint8Array => {
    const h = hashes[hashesUsed++];
    if (h === undefined) throw fail('ran out of hashes');
    return h;
  };
  const walk = (h: number, pos: number): Uint8Array => {
    const parentOfMatch = nextBit();
    if (h === 0 || !parentOfMatch) {
      const hash = nextHash();
      if (h === 0 && parentOfMatch) matches.push({ txid: hash.slice(), index: pos });
      return hash;
    }
    const left = walk(h - 1, pos * 2);
    if (pos * 2 + 1 < widthAt(total, h - 1)) {
      const right = walk(h - 1, pos * 2 + 1);
      if (equalBytes(left, right)) throw fail('a node equals its sibling (CVE-2012-2459)');
      return merkleParent(left, right);
    }
    return merkleParent(left, left);
  };

  const merkleRoot = walk(height, 0);
  if (hashesUsed !== hashCount) throw fail('hashes left unused');
  if (Math.ceil(bitsUsed / 8) !== flagBytes.length) throw fail('flag bytes left unused');
  for (let b = bitsUsed; b < flagBytes.length * 8; b++) {
    if ((flagBytes[b >> 3]! >> (b & 7)) & 1) throw fail('padding flag bits are not zero');
  }
  if (!equalBytes(merkleRoot, header.subarray(36, 68)))
    throw fail('the tree does not reach the header merkle root');
  return { header, totalTransactions: total, merkleRoot, matches };
}

function widthAt(total: number, height: number): number {
  return Math.ceil(total / 2 ** height);
}

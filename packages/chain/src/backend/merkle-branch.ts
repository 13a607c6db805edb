import { concatBytes, equalBytes, MedanchorError } from '@medanchor/core';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';

// Branches from a BIP37 partial merkle tree (what Core's `gettxoutproof` returns).
// src/bitcoin's parseMerkleBlock validates such a tree and lists the matches; this
// decoder also hands back each match's sibling path, which a backend's
// `merkleBranch` needs. Bitcoin's tree shape (odd levels duplicate their last node).

/** One transaction matched by a BIP37 proof, with the branch that proves it. */
export interface TxOutProofMatch {
  /** Display-order txid. */
  txid: string;
  position: number;
  /** Siblings from the leaf up, internal order. */
  siblings: Uint8Array[];
}

/** A decoded BIP37 merkleblock (the bytes `gettxoutproof` returns). */
export interface DecodedTxOutProof {
  /** The 80-byte block header. */
  header: Uint8Array;
  /** Display-order block hash. */
  blockHash: string;
  /** Number of transactions in the block. */
  txCount: number;
  /** Merkle root computed from the partial tree, internal order. */
  root: Uint8Array;
  /** True when `root` equals the merkle root inside `header`. */
  rootMatchesHeader: boolean;
  matches: TxOutProofMatch[];
}

// Core refuses proofs claiming more transactions than a 4 MB block can hold.
const MAX_TX_COUNT = Math.floor(4_000_000 / 60);

function bad(reason: string): MedanchorError {
  return new MedanchorError(
    'INVALID_TXOUTPROOF',
    `the merkleblock (gettxoutproof) bytes are malformed: ${reason}; ask the node again or use merkleBranch from the block`,
    { details: { reason } },
  );
}

/**
 * Decodes a BIP37 merkleblock (header, tx count, hashes, flag bits) and extracts the
 * branch of every matched transaction. Rejects the duplicated-subtree trick
 * (CVE-2012-2459) and unused hashes or flag bits, as Core does.
 *
 * @throws MedanchorError `INVALID_TXOUTPROOF` on malformed bytes.
 */
export function decodeTxOutProof(bytes: Uint8Array): DecodedTxOutProof {
  let off = 0;
  const take = (n: number): Uint8Array => {
    if (off + n > bytes.length) throw bad('truncated');
    const out = bytes.subarray(off, off + n);
    off += n;
    return out;
  };
  const varint = (): number => {
    const first = take(1)[0]!;
    if (first < 0xfd) return first;
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    const b = take(width);
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + b[i]!;
    if (v > Number.MAX_SAFE_INTEGER) throw bad('varint too large');
    return v;
  };
  const header = take(80).slice();
  const t = take(4);
  const txCount = (t[0]! | (t[1]! << 8) | (t[2]! << 16)) + t[3]! * 2 ** 24;
  if (txCount === 0 || txCount > MAX_TX_COUNT) throw bad('transaction count out of range');
  const hashCount = varint();
  if (hashCount > txCount) throw bad('more hashes than transactions');
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < hashCount; i++) hashes.push(take(32).slice());
  const flagBytes = take(varint());
  if (off !== bytes.length) throw bad('trailing bytes');

  let depth = 0;
  while (2 ** depth < txCount) depth++;
  const width = (h: number) => Math.ceil(txCount / 2 ** h);
  const nodes = new Map<string, Uint8Array>();
  const matched: number[] = [];
  let bitsUsed = 0;
  let hashesUsed = 0;

  const walk = (h: number, pos: number): Uint8Array => {
    if (bitsUsed >= flagBytes.length * 8) throw bad('ran out of flag bits');
    const flag = (flagBytes[bitsUsed >> 3]! >> (bitsUsed & 7)) & 1;
    bitsUsed++;
    let node: Uint8Array;
    if (h === 0 || !flag) {
      if (hashesUsed >= hashes.length) throw bad('ran out of hashes');
      node = hashes[hashesUsed++]!;
      if (h === 0 && flag) matched.push(pos);
    } else {
      const left = walk(h - 1, pos * 2);
      let right = left;
      if (pos * 2 + 1 < width(h - 1)) {
        right = walk(h - 1, pos * 2 + 1);
        if (equalBytes(left, right)) throw bad('duplicated subtree (CVE-2012-2459)');
      }
      node = sha256d(concatBytes(left, right));
    }
    nodes.set(`${h}/${pos}`, node);
    return node;
  };
  const root = walk(depth, 0);
  if (hashesUsed !== hashes.length) throw bad('unused hashes');
  if (Math.ceil(bitsUsed / 8) !== flagBytes.length) throw bad('unused flag bytes');

  const matches = matched.map((position) => {
    const siblings: Uint8Array[] = [];
    for (let h = 0; h < depth; h++) {
      const mine = position >> h;
      const sib = mine ^ 1;
      const s = sib < width(h) ? nodes.get(`${h}/${sib}`) : nodes.get(`${h}/${mine}`);
      if (s === undefined) throw bad('a branch node is missing');
      siblings.push(s);
    }
    return { txid: hashToDisplayHex(nodes.get(`0/${position}`)!), position, siblings };
  });
  return {
    header,
    blockHash: hashToDisplayHex(sha256d(header)),
    txCount,
    root,
    rootMatchesHeader: equalBytes(root, header.subarray(36, 68)),
    matches,
  };
}

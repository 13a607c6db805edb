import { equalBytes } from '../bytes.js';
import { sha256PrefixedBatch } from '../kernel/index.js';
import { HASH_SIZE, NODE_PREFIX, nodeHash } from './hash.js';
import { isPowerOfTwo, toSafeCount } from './math.js';

// The algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2, with halving by division
// so sizes past 2^32 work. Both return false, never throw, on a well-typed wrong proof.

const isOdd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

function allHashes(proof: readonly Uint8Array[]): boolean {
  for (const p of proof) if (!(p instanceof Uint8Array) || p.length !== HASH_SIZE) return false;
  return true;
}

/**
 * Root implied by an inclusion proof (RFC 9162 section 2.1.3.2), or `undefined` when the
 * proof has the wrong shape for `index` and `size`.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number | bigint,
  size: number | bigint,
  proof: readonly Uint8Array[],
): Uint8Array | undefined {
  const sides = inclusionSides(leafHash, index, size, proof);
  if (sides === undefined) return undefined;
  let r = leafHash;
  sides.forEach((left, k) => {
    r = left ? nodeHash(proof[k]!, r) : nodeHash(r, proof[k]!);
  });
  return r;
}

/**
 * RFC 9162 inclusion proof verification: true when `proof` shows that the leaf with
 * hash `leafHash` is at `index` in the log of `size` leaves whose root is `root`.
 *
 * @example
 * ```ts
 * const log = new MerkleLog();
 * log.append([leafHash(utf8('a')), leafHash(utf8('b'))]);
 * verifyInclusion(leafHash(utf8('b')), 1, 2, log.inclusionProof(1), log.root()); // true
 * ```
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number | bigint,
  size: number | bigint,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const r = rootFromInclusionProof(leafHash, index, size, proof);
  return r !== undefined && root instanceof Uint8Array && equalBytes(r, root);
}

/**
 * RFC 9162 consistency proof verification: true when `proof` shows that the log of
 * `size1` leaves with root `root1` is a prefix of the log of `size2` leaves with root
 * `root2`, i.e. history was only appended to.
 */
export function verifyConsistency(
  size1: number | bigint,
  size2: number | bigint,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  const m = toSafeCount(size1);
  const n = toSafeCount(size2);
  // A proof from the empty log is meaningless (every log extends it): rejected, as
  // transparency-dev does, so a caller never mistakes it for evidence.
  if (m === undefined || n === undefined || m > n || m === 0) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) return false;
  if (m === n) return proof.length === 0 && equalBytes(root1, root2);
  if (proof.length === 0 || !allHashes(proof)) return false;

  // When size1 is a power of two its root is a node of the new tree: the proof omits it.
  let fn = m - 1;
  let sn = n - 1;
  let path = proof;
  if (isPowerOfTwo(m)) path = [root1, ...proof];
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let k = 1; k < path.length; k++) {
    const c = path[k]!;
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}

/** One inclusion claim for {@link verifyInclusions}. */
export interface InclusionClaim {
  readonly leafHash: Uint8Array;
  readonly index: number | bigint;
  readonly size: number | bigint;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}

/**
 * Verifies many inclusion proofs at once: the same answers as {@link verifyInclusion}
 * for each claim, but every proof's step `k` is hashed in one kernel call for all
 * claims, which is several times faster for large batches (receipt audits).
 */
export function verifyInclusions(claims: readonly InclusionClaim[]): boolean[] {
  const n = claims.length;
  const result = new Array<boolean>(n).fill(false);
  // Walk each proof's shape first (no hashing): which side each sibling is on.
  const lefts: boolean[][] = [];
  const live: number[] = [];
  let depth = 0;
  for (let c = 0; c < n; c++) {
    const { leafHash, index, size, proof, root } = claims[c]!;
    const sides = inclusionSides(leafHash, index, size, proof);
    lefts.push(sides ?? []);
    if (sides === undefined || !(root instanceof Uint8Array) || root.length !== HASH_SIZE) continue;
    live.push(c);
    depth = Math.max(depth, sides.length);
  }
  // One buffer: pairs to hash, then the current hash of every claim still walking
  // (packed in `order`). Each step hashes all pairs in one kernel call, written over the
  // current hashes, and copies stay inside the buffer (copyWithin: no allocation).
  let order = live;
  const pairsBytes = order.length * 2 * HASH_SIZE;
  const work = new Uint8Array(pairsBytes + order.length * HASH_SIZE);
  const cur = (j: number) => pairsBytes + j * HASH_SIZE;
  order.forEach((c, j) => {
    work.set(claims[c]!.leafHash, cur(j));
  });
  const finish = (c: number, j: number) => {
    result[c] = equalBytes(work.subarray(cur(j), cur(j) + HASH_SIZE), claims[c]!.root);
  };
  for (let k = 0; k < depth; k++) {
    const next: number[] = [];
    for (let j = 0; j < order.length; j++) {
      const c = order[j]!;
      const sides = lefts[c]!;
      if (k >= sides.length) {
        finish(c, j);
        continue;
      }
      const at = next.length * 2 * HASH_SIZE;
      const left = sides[k]!;
      work.set(claims[c]!.proof[k]!, left ? at : at + HASH_SIZE);
      work.copyWithin(left ? at + HASH_SIZE : at, cur(j), cur(j) + HASH_SIZE);
      next.push(c);
    }
    sha256PrefixedBatch(NODE_PREFIX, work, 2 * HASH_SIZE, next.length, work, pairsBytes);
    order = next;
  }
  order.forEach(finish);
  return result;
}

// The sides of a well-shaped proof with well-formed hashes, or undefined.
function inclusionSides(
  leafHash: Uint8Array,
  index: number | bigint,
  size: number | bigint,
  proof: readonly Uint8Array[],
): boolean[] | undefined {
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE || !allHashes(proof)) {
    return undefined;
  }
  return inclusionPathSides(index, size, proof.length);
}

/**
 * The shape of an RFC 9162 inclusion proof of `length` elements for leaf `index` in a
 * tree of `size` leaves: for each element from the leaf up, true when that sibling is on
 * the left. `undefined` when no proof of that length fits `(index, size)`. This is the
 * walk of RFC 9162 section 2.1.3.2 without the hashing, for tools that re-express proofs
 * (such as the OpenTimestamps export).
 */
export function inclusionPathSides(
  index: number | bigint,
  size: number | bigint,
  length: number,
): boolean[] | undefined {
  const i = toSafeCount(index);
  const n = toSafeCount(size);
  if (i === undefined || n === undefined || i >= n) return undefined;
  const sides: boolean[] = [];
  let fn = i;
  let sn = n - 1;
  for (let k = 0; k < length; k++) {
    if (sn === 0) return undefined;
    const left = isOdd(fn) || fn === sn;
    sides.push(left);
    if (left && !isOdd(fn)) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? sides : undefined;
}

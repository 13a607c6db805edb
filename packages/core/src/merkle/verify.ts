import { equalBytes } from '../bytes.js';
import { HASH_SIZE, nodeHash } from './hash.js';
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
  const i = toSafeCount(index);
  const n = toSafeCount(size);
  if (i === undefined || n === undefined || i >= n) return undefined;
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE || !allHashes(proof)) {
    return undefined;
  }
  let fn = i;
  let sn = n - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
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

import { equalBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { activeKernel } from '../kernel/select.js';
import { sha256 } from '../sha256.js';
import { HASH_SIZE } from './hash.js';
import { isPowerOfTwo, toSafeCount } from './math.js';
import {
  foldPath,
  foldPathBytes,
  foldPathBytesNode,
  inclusionPathLength,
  wasmPathsEnabled,
} from './path-fold.js';
import { nodeWords, readWords, wordsEqualBytes, writeWords } from './sha256-words.js';

// The algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2, with halving by division
// so sizes past 2^32 work. Both return false, never throw, on a well-typed wrong proof;
// a proof that is not an array at all is a caller bug and gets a typed error.

const isOdd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

function requireArray(proof: unknown): void {
  if (!Array.isArray(proof)) {
    throw new MedanchorError(
      'INVALID_TYPE',
      'a Merkle proof must be an array of 32-byte hashes (Uint8Array); pass [] for an empty proof',
    );
  }
}

function allHashes(proof: readonly Uint8Array[]): boolean {
  for (const p of proof) if (!(p instanceof Uint8Array) || p.length !== HASH_SIZE) return false;
  return true;
}

// The running hash and the siblings of one walk, as words (see path-fold.ts).
const CUR = new Int32Array(8);
// Room for the longest path (MAX_PATH, declared below) of 8 words per element.
const SIBLINGS = new Int32Array(8 * 64);

/**
 * Folds a well-typed proof into CUR: false (nothing hashed) when the leaf hash or an
 * element is not 32 bytes or the proof has the wrong length for `index` and `size`.
 */
function foldInclusion(
  leafHash: Uint8Array,
  index: number | bigint,
  size: number | bigint,
  proof: readonly Uint8Array[],
): boolean {
  requireArray(proof);
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) return false;
  const i = toSafeCount(index);
  const n = toSafeCount(size);
  if (i === undefined || n === undefined || i >= n || proof.length > MAX_PATH) return false;
  // Every node hashed through node:crypto's one-shot hash where the runtime has it
  // (SHA-NI): first, memo or not. A first audit of a large tree (upper nodes shared by
  // 1,024 proofs) ran ~1.35x faster on it than on the WebAssembly memo (CPU time, load
  // 10-11; path-fold-node.ts); only re-verifying the same proofs in one process gains more
  // from the memo. Else a loaded WebAssembly kernel folds the whole path in one call (its
  // memo included), else JavaScript.
  const kernel = wasmPathsEnabled() ? activeKernel().path : undefined;
  // It checks each element's type as it reads it (one pass over the proof, not two).
  const viaNode = foldPathBytesNode(leafHash, proof, i, n, CUR);
  if (viaNode !== undefined) return viaNode;
  for (let k = 0; k < proof.length; k++) {
    const p = proof[k];
    if (!(p instanceof Uint8Array) || p.length !== HASH_SIZE) return false;
  }
  if (kernel !== undefined) return foldPathBytes(kernel, leafHash, proof, i, n, CUR);
  if (inclusionPathLength(i, n) !== proof.length) return false;
  for (let k = 0; k < proof.length; k++) readWords(proof[k]!, 0, SIBLINGS, 8 * k);
  readWords(leafHash, 0, CUR, 0);
  foldPath(CUR, SIBLINGS, i, n);
  return true;
}

/**
 * Root implied by an inclusion proof (RFC 9162 section 2.1.3.2), or `undefined` when the
 * proof has the wrong shape for `index` and `size`.
 * @throws `MedanchorError` `INVALID_TYPE` when `proof` is not an array.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number | bigint,
  size: number | bigint,
  proof: readonly Uint8Array[],
): Uint8Array | undefined {
  if (!foldInclusion(leafHash, index, size, proof)) return undefined;
  const root = new Uint8Array(HASH_SIZE);
  writeWords(CUR, 0, root, 0);
  return root;
}

/**
 * RFC 9162 inclusion proof verification: true when `proof` shows that the leaf with
 * hash `leafHash` is at `index` in the log of `size` leaves whose root is `root`.
 * False, never an exception, for any wrong proof, index, size or hash.
 *
 * In Node every node is hashed through node:crypto's one-shot hash (SHA-NI where the CPU
 * has it). Elsewhere node hashes are computed on 32-bit words (WebAssembly when a kernel
 * is loaded), and the last few thousand are remembered by their place in the tree:
 * proofs of one tree share their upper nodes, which are then compared instead of hashed
 * again. A remembered hash is used only when both of its inputs are equal to the ones
 * given, so the answer is the same as hashing every node. For many proofs at once,
 * {@link verifyInclusionsPacked} is faster still.
 * @throws `MedanchorError` `INVALID_TYPE` when `proof` is not an array.
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
  if (!foldInclusion(leafHash, index, size, proof)) return false;
  return (
    root instanceof Uint8Array && root.length === HASH_SIZE && wordsEqualBytes(CUR, 0, root, 0)
  );
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
  requireArray(proof);
  const m = toSafeCount(size1);
  const n = toSafeCount(size2);
  // A proof from the empty log is meaningless (every log extends it): rejected, as
  // transparency-dev does, so a caller never mistakes it for evidence.
  if (m === undefined || n === undefined || m > n || m === 0) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) return false;
  if (m === n) return proof.length === 0 && equalBytes(root1, root2);
  if (proof.length === 0 || !allHashes(proof)) return false;
  if (proof.length >= MAX_PATH) return false;
  // A root of another length is hashed as given by the byte walk (nodeHash concatenates).
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) {
    return consistencyBytes(m, n, proof, root1, root2);
  }

  // When size1 is a power of two its root is a node of the new tree: the proof omits it.
  // Path element k is at SIBLINGS word 8k; the two running hashes in FR and SR.
  let fn = m - 1;
  let sn = n - 1;
  let count = 0;
  if (isPowerOfTwo(m)) readWords(root1, 0, SIBLINGS, 8 * count++);
  for (let k = 0; k < proof.length; k++) readWords(proof[k]!, 0, SIBLINGS, 8 * count++);
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  for (let w = 0; w < 8; w++) FR[w] = SR[w] = SIBLINGS[w]!;
  for (let k = 1; k < count; k++) {
    const c = 8 * k;
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      nodeWords(SIBLINGS, c, FR, 0, FR, 0);
      nodeWords(SIBLINGS, c, SR, 0, SR, 0);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      nodeWords(SR, 0, SIBLINGS, c, SR, 0);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && wordsEqualBytes(FR, 0, root1, 0) && wordsEqualBytes(SR, 0, root2, 0);
}

// The two running hashes of a consistency walk.
const FR = new Int32Array(8);
const SR = new Int32Array(8);

/** The consistency walk on bytes, for a root that is not 32 bytes long. */
function consistencyBytes(
  m: number,
  n: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
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
      fr = nodeHashBytes(c, fr);
      sr = nodeHashBytes(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHashBytes(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}

/** `sha256(0x01 || left || right)` for children of any length. */
function nodeHashBytes(left: Uint8Array, right: Uint8Array): Uint8Array {
  const msg = new Uint8Array(1 + left.length + right.length);
  msg[0] = 0x01;
  msg.set(left, 1);
  msg.set(right, 1 + left.length);
  return sha256(msg);
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
  if (i === undefined || n === undefined || i >= n || !Number.isSafeInteger(length)) {
    return undefined;
  }
  const sides = new Uint8Array(MAX_PATH);
  if (writePathSides(i, n, sides, 0) !== length) return undefined;
  return Array.from(sides.subarray(0, length), (s) => s === 1);
}

/** No RFC 9162 path is longer: sizes are safe integers, below 2^53. */
export const MAX_PATH = 64;

/**
 * Writes the shape of the RFC 9162 inclusion path of leaf `i` in a tree of `n` leaves
 * (`i < n`, both safe integers) at `out[at ..]`, one byte per element from the leaf up,
 * 1 when that sibling is on the left; returns the path length (at most {@link MAX_PATH}).
 * A proof fits `(i, n)` exactly when it has that many elements.
 */
export function writePathSides(i: number, n: number, out: Uint8Array, at: number): number {
  let fn = i;
  let sn = n - 1;
  let k = 0;
  while (sn !== 0) {
    const left = isOdd(fn) || fn === sn;
    out[at + k++] = left ? 1 : 0;
    if (left && !isOdd(fn)) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return k;
}

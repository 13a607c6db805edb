import { foldInclusionPaths } from '../kernel/fold.js';
import { toSafeCount } from './math.js';
import { MAX_PATH, writePathSides } from './verify.js';

// A local constant: hot loops below would otherwise read an imported binding, which
// some module transforms (tsx, vitest) turn into a getter call.
const HASH_SIZE = 32;

// Batch verification of inclusion proofs. Every claim's path shape is walked first (no
// hashing), claims are grouped by path length, and each group is folded by the kernel in
// one call: in the SIMD kernel four proofs share a lane set and a running hash never
// leaves WebAssembly; elsewhere one batch call hashes a whole level of the group.

/** One inclusion claim for {@link verifyInclusions}. */
export interface InclusionClaim {
  readonly leafHash: Uint8Array;
  readonly index: number | bigint;
  readonly size: number | bigint;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}

/**
 * Many inclusion proofs packed into a few flat arrays, for {@link verifyInclusionsPacked}:
 * no object and no `Uint8Array` per proof or per element.
 */
export interface PackedInclusionProofs {
  /** The leaf hash of every proof, 32 bytes each, back to back (`32 * count` bytes). */
  readonly leafHashes: Uint8Array;
  /** The leaf index of every proof; their number is the number of proofs. */
  readonly indices: ArrayLike<number | bigint>;
  /** The tree size: one for every proof, or one per proof. */
  readonly sizes: number | bigint | ArrayLike<number | bigint>;
  /** Every proof's elements from the leaf upward, 32 bytes each, proof after proof. */
  readonly paths: Uint8Array;
  /**
   * Elements in each proof. When absent, each proof has the length its `(index, size)`
   * requires, as {@link MerkleLog.inclusionProof} makes them.
   */
  readonly pathLengths?: ArrayLike<number>;
  /** The expected root: one 32-byte root for every proof, or one per proof, packed. */
  readonly roots: Uint8Array;
}

/**
 * Verifies many inclusion proofs at once: the same answers as {@link verifyInclusion}
 * for each claim, several times faster for large batches (receipt audits). Never throws:
 * a malformed claim is `false`.
 *
 * @example
 * ```ts
 * const ok = verifyInclusions(
 *   [0, 1].map((i) => ({ leafHash: leaves[i], index: i, size: 2, proof: log.inclusionProof(i), root })),
 * ); // [true, true]
 * ```
 */
export function verifyInclusions(claims: readonly InclusionClaim[]): boolean[] {
  const n = claims.length;
  return verifyBatch(n, {
    shape(c, sides, at) {
      const claim = claims[c] as InclusionClaim | undefined;
      if (typeof claim !== 'object' || claim === null) return -1;
      const { leafHash, proof, root } = claim;
      if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof)) return -1;
      if (proof.length > MAX_PATH) return -1;
      for (let k = 0; k < proof.length; k++) if (!isHash(proof[k])) return -1;
      const i = toSafeCount(claim.index);
      const size = toSafeCount(claim.size);
      if (i === undefined || size === undefined || i >= size) return -1;
      return writePathSides(i, size, sides, at) === proof.length ? proof.length : -1;
    },
    copyLeaf: (c, to, at) => to.set(claims[c]!.leafHash, at),
    copyPath(c, d, to, at) {
      const proof = claims[c]!.proof;
      for (let k = 0; k < d; k++) to.set(proof[k]!, at + HASH_SIZE * k);
    },
    rootIs: (c, got, at) => sameHash(got, at, claims[c]!.root, 0),
  });
}

/**
 * Verifies many inclusion proofs given as flat arrays (see {@link PackedInclusionProofs}):
 * the same answers as {@link verifyInclusion} for each proof, with no per-proof objects,
 * the fastest way to check a large batch. Never throws: a malformed proof is `false`,
 * and when the arrays do not fit together (lengths disagree) every answer is `false`.
 *
 * @example
 * ```ts
 * // Proofs of leaves 0 and 1 of a log of 2 leaves: one element each.
 * const ok = verifyInclusionsPacked({
 *   leafHashes: concatBytes(leaves[0], leaves[1]),
 *   indices: [0, 1],
 *   sizes: 2,
 *   paths: concatBytes(...log.inclusionProof(0), ...log.inclusionProof(1)),
 *   roots: log.root(),
 * }); // [true, true]
 * ```
 */
export function verifyInclusionsPacked(proofs: PackedInclusionProofs): boolean[] {
  const layout = packedLayout(proofs);
  if (layout === undefined) return new Array<boolean>(countOf(proofs)).fill(false);
  const { count, offsets, sizeAt } = layout;
  const { leafHashes, indices, paths, roots } = proofs;
  const sharedRoot = roots.length === HASH_SIZE;
  return verifyBatch(count, {
    shape(c, sides, at) {
      const length = offsets[c + 1]! - offsets[c]!;
      if (length > MAX_PATH) return -1;
      const i = toSafeCount(indices[c] as number | bigint);
      const size = sizeAt(c);
      if (i === undefined || size === undefined || i >= size) return -1;
      return writePathSides(i, size, sides, at) === length ? length : -1;
    },
    copyLeaf: (c, to, at) => copyHash(leafHashes, HASH_SIZE * c, to, at),
    copyPath(c, d, to, at) {
      const from = HASH_SIZE * offsets[c]!;
      to.set(paths.subarray(from, from + HASH_SIZE * d), at);
    },
    rootIs: (c, got, at) => sameHash(got, at, roots, sharedRoot ? 0 : HASH_SIZE * c),
    contiguous: (first, end) => [
      leafHashes.subarray(HASH_SIZE * first, HASH_SIZE * end),
      paths.subarray(HASH_SIZE * offsets[first]!, HASH_SIZE * offsets[end]!),
    ],
  });
}

function countOf(proofs: PackedInclusionProofs): number {
  const n = (proofs as { indices?: { length?: unknown } } | null)?.indices?.length;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** Where each packed proof starts (in elements), or undefined when the arrays disagree. */
function packedLayout(
  proofs: PackedInclusionProofs,
): { count: number; offsets: Float64Array; sizeAt: (c: number) => number | undefined } | undefined {
  if (typeof proofs !== 'object' || proofs === null) return undefined;
  const { leafHashes, indices, sizes, paths, pathLengths, roots } = proofs;
  const count = countOf(proofs);
  if (!(leafHashes instanceof Uint8Array) || leafHashes.length !== HASH_SIZE * count) return;
  if (!(paths instanceof Uint8Array) || paths.length % HASH_SIZE !== 0) return;
  if (!(roots instanceof Uint8Array)) return;
  if (roots.length !== HASH_SIZE && roots.length !== HASH_SIZE * count) return;
  let sizeAt: (c: number) => number | undefined;
  if (typeof sizes === 'number' || typeof sizes === 'bigint') {
    const one = toSafeCount(sizes);
    sizeAt = () => one;
  } else if (typeof sizes === 'object' && sizes !== null && sizes.length === count) {
    sizeAt = (c) => toSafeCount(sizes[c] as number | bigint);
  } else {
    return undefined;
  }
  if (pathLengths !== undefined && pathLengths?.length !== count) return undefined;
  const offsets = new Float64Array(count + 1);
  const scratch = new Uint8Array(MAX_PATH);
  for (let c = 0; c < count; c++) {
    let length: number;
    if (pathLengths !== undefined) {
      length = pathLengths[c]!;
      if (!Number.isSafeInteger(length) || length < 0) return undefined;
    } else {
      // The length the proof's (index, size) requires; 0 for a claim that fits no tree.
      const i = toSafeCount(indices[c] as number | bigint);
      const size = sizeAt(c);
      length =
        i === undefined || size === undefined || i >= size
          ? 0
          : writePathSides(i, size, scratch, 0);
    }
    offsets[c + 1] = offsets[c]! + length;
  }
  if (offsets[count]! * HASH_SIZE !== paths.length) return undefined;
  return { count, offsets, sizeAt };
}

function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === HASH_SIZE;
}

/** How the batch engine reads claim `c`; `shape` runs first and vets everything else. */
interface ClaimSource {
  /** Writes the claim's path sides at `sides[at ..]`; its path length, or -1 if malformed. */
  shape(c: number, sides: Uint8Array, at: number): number;
  /** Copies the claim's leaf hash to `to[at ..]`. */
  copyLeaf(c: number, to: Uint8Array, at: number): void;
  /** Copies the claim's `d` path elements, packed, to `to[at ..]`. */
  copyPath(c: number, d: number, to: Uint8Array, at: number): void;
  /** Whether the claim's expected root equals `got[at .. at + 32]`. */
  rootIs(c: number, got: Uint8Array, at: number): boolean;
  /** Leaves and paths of claims [first, end) as packed views, when laid out that way. */
  contiguous?(first: number, end: number): readonly [Uint8Array, Uint8Array];
}

// Claims per pass: bounds the scratch memory (a few MiB) whatever the batch size.
const PASS = 8192;

function verifyBatch(count: number, src: ClaimSource): boolean[] {
  const result = new Array<boolean>(count).fill(false);
  const scratch = Math.min(PASS, count);
  const sides = new Uint8Array(scratch * MAX_PATH);
  const depthOf = new Int8Array(scratch);
  const perDepth = new Int32Array(MAX_PATH + 2);
  const order = new Int32Array(scratch);
  for (let first = 0; first < count; first += PASS) {
    const n = Math.min(PASS, count - first);
    // Shapes first; then a counting sort of the well-formed claims by path length.
    perDepth.fill(0);
    for (let j = 0; j < n; j++) {
      const d = src.shape(first + j, sides, j * MAX_PATH);
      depthOf[j] = d;
      perDepth[d + 1]!++;
    }
    const groups: number[] = [];
    for (let d = 0; d <= MAX_PATH; d++) if (perDepth[d + 1]! > 0) groups.push(d);
    if (groups.length === 1 && perDepth[0] === 0 && src.contiguous !== undefined) {
      // Every claim of the pass is well formed with one path length, laid out in order.
      const d = groups[0]!;
      const [leaves, paths] = src.contiguous(first, first + n);
      const packedSides = packSides(sides, n, d, (j) => j);
      foldAndCompare(d, n, leaves, paths, packedSides, (j) => first + j, src, result);
      continue;
    }
    let at = 0;
    const start = new Int32Array(MAX_PATH + 1);
    for (let d = 0; d <= MAX_PATH; d++) {
      start[d] = at;
      at += perDepth[d + 1]!;
    }
    const fill = start.slice();
    for (let j = 0; j < n; j++) {
      const d = depthOf[j]!;
      if (d >= 0) order[fill[d]!++] = j;
    }
    for (const d of groups) {
      const m = perDepth[d + 1]!;
      const s = start[d]!;
      const member = (g: number) => order[s + g]!;
      const leaves = new Uint8Array(HASH_SIZE * m);
      const paths = new Uint8Array(HASH_SIZE * d * m);
      for (let g = 0; g < m; g++) {
        const c = first + member(g);
        src.copyLeaf(c, leaves, HASH_SIZE * g);
        src.copyPath(c, d, paths, HASH_SIZE * g * d);
      }
      const packedSides = packSides(sides, m, d, member);
      foldAndCompare(d, m, leaves, paths, packedSides, (g) => first + member(g), src, result);
    }
  }
  return result;
}

/** The sides of `m` claims, `d` bytes each, packed in the order `member` gives. */
function packSides(sides: Uint8Array, m: number, d: number, member: (g: number) => number) {
  const out = new Uint8Array(m * d);
  for (let g = 0; g < m; g++) {
    const from = member(g) * MAX_PATH;
    for (let k = 0; k < d; k++) out[g * d + k] = sides[from + k]!;
  }
  return out;
}

function foldAndCompare(
  d: number,
  m: number,
  leaves: Uint8Array,
  paths: Uint8Array,
  sides: Uint8Array,
  claimOf: (g: number) => number,
  src: ClaimSource,
  result: boolean[],
): void {
  const roots = new Uint8Array(HASH_SIZE * m);
  foldInclusionPaths(d, m, leaves, paths, sides, roots);
  for (let g = 0; g < m; g++) {
    const c = claimOf(g);
    result[c] = src.rootIs(c, roots, HASH_SIZE * g);
  }
}

function copyHash(from: Uint8Array, at: number, to: Uint8Array, dst: number): void {
  for (let b = 0; b < HASH_SIZE; b++) to[dst + b] = from[at + b]!;
}

function sameHash(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  let diff = 0;
  for (let i = 0; i < HASH_SIZE; i++) diff |= a[ao + i]! ^ b[bo + i]!;
  return diff === 0;
}

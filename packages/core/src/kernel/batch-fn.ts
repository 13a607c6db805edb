/**
 * A batch SHA-256 kernel: `out[outOffset + 32i ..] = sha256(prefix || input[inLen*i ..
 * inLen*(i+1)])` for i < count. Kernels trust their arguments; the dispatcher checks them.
 */
export type BatchFn = (
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
  out: Uint8Array,
  outOffset: number,
) => void;

/**
 * Folds `count` inclusion paths of `depth` nodes each into roots:
 * `out[32j ..]` = the hash reached from `leaves[32j ..]` by hashing, for k < depth,
 * with the sibling `paths[32(j * depth + k) ..]`, which is the left child when
 * `sides[j * depth + k]` is 1 (every side byte is 0 or 1). All arrays are packed.
 */
export type FoldFn = (
  depth: number,
  count: number,
  leaves: Uint8Array,
  paths: Uint8Array,
  sides: Uint8Array,
  out: Uint8Array,
) => void;

/**
 * One inclusion path folded in one WebAssembly call (see kernel-src/path.ts). The caller
 * writes into `words()` (a view of module memory, renewed when the memory grows): the
 * running hash at word `cur` (8 words), the siblings from word `siblings` (8 words each,
 * from the leaf up), one memo slot per level from word `slots` (below 8192), and one side
 * byte per level at byte `sides` of `bytes()` (1: the sibling is the left child); then
 * calls `fold`, which leaves the root at `cur`.
 */
export interface PathKernel {
  words(): Int32Array;
  bytes(): Uint8Array;
  readonly cur: number;
  readonly siblings: number;
  readonly slots: number;
  readonly sides: number;
  /** Number of memo slots; a level's slot must be below it. */
  readonly memoSlots: number;
  fold(depth: number, memo: boolean): void;
  /** Forgets the remembered node hashes. */
  clear(): void;
  /** Byte address of the memo in module memory, 0 until placed (for tests). */
  memoAddress(): number;
}

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

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

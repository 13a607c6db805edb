// Inclusion-path folding for batch verification: the SIMD module folds four proofs per
// lane set without leaving WebAssembly; other kernels hash one tree level of every proof
// per batch call. Both give the bytes of RFC 9162's node hash, step by step.
import type { FoldFn } from './batch-fn.js';
import { activeKernel } from './select.js';

const NODE_PREFIX = 0x01;

/**
 * Roots reached by `count` inclusion paths of `depth` nodes each (see {@link FoldFn} for
 * the packed layout), with the kernel in use. Arguments are trusted: callers check them.
 */
export const foldInclusionPaths: FoldFn = (depth, count, leaves, paths, sides, out) => {
  const kernel = activeKernel();
  if (kernel.fold !== undefined) {
    kernel.fold(depth, count, leaves, paths, sides, out);
    return;
  }
  // One batch call per level: pairs of (left, right) for every proof, hashed into `out`.
  out.set(leaves.subarray(0, 32 * count));
  const pairs = new Uint8Array(64 * count);
  for (let k = 0; k < depth; k++) {
    for (let j = 0; j < count; j++) {
      const sib = paths.subarray(32 * (j * depth + k), 32 * (j * depth + k + 1));
      const cur = out.subarray(32 * j, 32 * j + 32);
      const left = sides[j * depth + k] === 1;
      pairs.set(left ? sib : cur, 64 * j);
      pairs.set(left ? cur : sib, 64 * j + 32);
    }
    kernel.fn(NODE_PREFIX, pairs, 64, count, out, 0);
  }
};

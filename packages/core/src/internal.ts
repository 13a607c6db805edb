/**
 * @medanchor/core/internal: switches and caches the repository's benchmarks reach into, so
 * `pnpm bench --dist` measures the built package through the same module instances users
 * load. Not public API: no semver promise, absent from the API docs and the size budgets,
 * and Node-only (it carries the head map's file layer). Applications import
 * `@medanchor/core` and `@medanchor/core/node`.
 *
 * @internal
 * @packageDocumentation
 */
export {
  type Sha256KernelName,
  setSha256Kernel,
  sha256KernelName,
  sha256Kernels,
  sha256PrefixedBatch,
} from './kernel/index.js';
export { clearPathMemo, setPathFoldOptions } from './merkle/path-fold.js';
export { nodeOneShotHash } from './merkle/path-fold-node.js';
export { openHeadMapFiles } from './node/head-map-file-store.js';

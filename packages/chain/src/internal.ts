/**
 * @medanchor/chain/internal: the pieces of chain the repository's benchmarks use that no
 * public entry exports, so `pnpm bench --dist` runs against the built package. Not public
 * API: no semver promise, absent from the API docs and the size budgets.
 *
 * @internal
 * @packageDocumentation
 */
export { planTweakAnchorFee } from './anchor/build.js';
export { MAINNET_SCHEDULE } from './schedule/data/mainnet.js';

/**
 * @medanchor/crypto/internal: the consent caches the repository's benchmarks clear between
 * runs (each timed verify then starts cold), so `pnpm bench --dist` clears the same module
 * instances the built package verifies with. Not public API: no semver promise, absent
 * from the API docs and the size budgets.
 *
 * @internal
 * @packageDocumentation
 */
export { clearBip340Keys } from './consent/bip340-verify.js';
export { clearSignatureCache } from './consent/signature-cache.js';

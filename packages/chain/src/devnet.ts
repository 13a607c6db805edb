/**
 * @medanchor/chain/devnet: test chains. {@link createDevnet} is an in-process regtest
 * chain that mines real blocks and simulates reorgs, for tests, demos and the quick
 * start; {@link regtestControls} mines and invalidates blocks on a Bitcoin Core regtest
 * node. Kept apart from `@medanchor/chain` so production code never imports a chain
 * that anyone can mine.
 *
 * @packageDocumentation
 */
export * from './devnet/index.js';
// A type from the catalogue, so a program importing only this entry knows chain's error
// codes (the catalogue merges them into core's MedanchorErrorCodes) at no runtime cost.
export type { ChainErrorCode } from './error-codes.js';

/**
 * @medanchor/chain: anchoring checkpoints on Bitcoin, SPV proofs and pluggable backends.
 *
 * @packageDocumentation
 */
export * from './anchor/index.js';
export * from './backend/index.js';
export * from './bitcoin/index.js';
export * from './devnet/index.js';
export * from './ledger/index.js';
export * from './network/index.js';
export * from './ots/index.js';
export * from './schedule/index.js';
export * from './spv/index.js';

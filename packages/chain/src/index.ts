/**
 * @medanchor/chain: anchoring checkpoints on Bitcoin, SPV proofs and pluggable backends.
 *
 * The in-process test chain is in `@medanchor/chain/devnet`; block, header and
 * transaction codecs and the anchor transaction builder in `@medanchor/chain/bitcoin`.
 *
 * @packageDocumentation
 */
export * from './anchor/index.js';
export * from './backend/index.js';
export { hashFromDisplayHex, hashToDisplayHex } from './bitcoin/hash.js';
export { type BlockHeader, blockHashHex, parseHeader } from './bitcoin/header.js';
export {
  type HeaderChain,
  type HeaderChainFailure,
  type HeaderChainInput,
  type HeaderChainResult,
  type TrustedHeader,
  validateHeaderChain,
} from './bitcoin/header-chain.js';
export { CHAIN_ERROR_CODES, type ChainErrorCode } from './error-codes.js';
export * from './ledger/index.js';
export * from './network/index.js';
export * from './ots/index.js';
export * from './schedule/index.js';
export * from './spv/index.js';

/**
 * @medanchor/chain/node: Node-only parts of chain (TCP/TLS Electrum, file state, child processes).
 *
 * @packageDocumentation
 */

// A type from the catalogue, so a program importing only this entry knows chain's error
// codes (the catalogue merges them into core's MedanchorErrorCodes) at no runtime cost.
export type { ChainErrorCode } from './error-codes.js';
export * from './node/index.js';

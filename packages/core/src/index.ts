/**
 * @medanchor/core: commitments, the Merkle log, proofs, batching and receipts.
 * No Bitcoin: the first links of the proof chain from a record to a block, and C2SP signed
 * notes for signed checkpoints (the only keys here are note keys).
 *
 * @packageDocumentation
 */
export * from './batch/index.js';
export { assertBytes, concatBytes, equalBytes, fromHex, toHex, utf8 } from './bytes.js';
export * from './commitment/index.js';
export { CORE_ERROR_CODES } from './error-codes.js';
export {
  type ErrorCatalogue,
  type ErrorCodeEntry,
  type ErrorCodesOf,
  isMedanchorError,
  MedanchorError,
  type MedanchorErrorCode,
  type MedanchorErrorCodes,
  type MedanchorErrorOptions,
} from './errors.js';
export * from './kernel/index.js';
export * from './map/index.js';
export * from './merkle/index.js';
export { nodeBuiltin } from './node-builtin.js';
export * from './note/index.js';
export * from './receipt/index.js';
export { sha256, taggedHash } from './sha256.js';
export * from './store/index.js';

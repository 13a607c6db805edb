/**
 * @medanchor/chain/bitcoin: the low-level Bitcoin pieces the rest of chain is built from:
 * block, header and transaction codecs, Bitcoin's merkle tree, compact targets and proof
 * of work, the anchor transaction's coin selection, fee plan and signing, and the
 * classifiers that turn a node's broadcast errors into typed outcomes. Most programs need
 * only `@medanchor/chain` (the anchorer, ledger, backends and verifier); pick this entry
 * to build tools, fuzzers or benchmarks over the raw formats.
 *
 * @packageDocumentation
 */
export {
  ANCHOR_SEQUENCE,
  type AnchorCoin,
  type AnchorFeePlan,
  type BuildAnchorInput,
  buildAnchorTransaction,
  type CoinSelection,
  planAnchorFee,
  type SignedAnchorTx,
  selectAnchorCoins,
} from './anchor/build.js';
export { CHANGE_DUST_LIMIT, estimateAnchorVsize } from './anchor/tx-size.js';
export {
  type BroadcastOutcome,
  CORE_RPC_ALREADY_IN_CHAIN,
  CORE_RPC_DESERIALIZATION_ERROR,
  CORE_RPC_IN_WARMUP,
  CORE_RPC_NOT_FOUND,
  CORE_RPC_TRANSACTION_ERROR,
  CORE_RPC_TRANSACTION_REJECTED,
  classifyBroadcastError,
} from './backend/core-rpc-errors.js';
export {
  classifyElectrumBroadcastError,
  coinsPerKbToSatPerVb,
  type ElectrumBroadcastOutcome,
  type ElectrumCheckpoint,
  electrumScriptHash,
  headerProvenByCheckpoint,
} from './backend/electrum-protocol.js';
export {
  type DecodedTxOutProof,
  decodeTxOutProof,
  type TxOutProofMatch,
} from './backend/merkle-branch.js';
export * from './bitcoin/index.js';
// A type from the catalogue, so a program importing only this entry knows chain's error
// codes (the catalogue merges them into core's MedanchorErrorCodes) at no runtime cost.
export type { ChainErrorCode } from './error-codes.js';

export { coreRpcBackend } from './core-rpc.js';
export {
  type BroadcastOutcome,
  CORE_RPC_ALREADY_IN_CHAIN,
  CORE_RPC_DESERIALIZATION_ERROR,
  CORE_RPC_IN_WARMUP,
  CORE_RPC_NOT_FOUND,
  CORE_RPC_TRANSACTION_ERROR,
  CORE_RPC_TRANSACTION_REJECTED,
  classifyBroadcastError,
} from './core-rpc-errors.js';
export type {
  CoreRpcBackend,
  CoreRpcBackendOptions,
  CoreRpcCommonOptions,
  CoreRpcCookieOptions,
  CoreRpcPasswordOptions,
} from './core-rpc-options.js';
export { type ElectrumBackendOptions, electrumBackend } from './electrum.js';
export {
  type ElectrumClient,
  type ElectrumClientOptions,
  type ElectrumConnection,
  type ElectrumRequestOptions,
  type ElectrumTransport,
  type ElectrumTransportHandlers,
  electrumClient,
} from './electrum-client.js';
export {
  classifyElectrumBroadcastError,
  coinsPerKbToSatPerVb,
  type ElectrumBroadcastOutcome,
  type ElectrumCheckpoint,
  electrumScriptHash,
  headerProvenByCheckpoint,
} from './electrum-protocol.js';
export { type EsploraBackendOptions, esploraBackend } from './esplora.js';
export type { FetchLike } from './http.js';
export {
  isRpcError,
  type JsonRpcCallOptions,
  type JsonRpcHttpClient,
  type JsonRpcHttpOptions,
  jsonRpcHttpClient,
} from './jsonrpc-http.js';
export {
  type DecodedTxOutProof,
  decodeTxOutProof,
  type TxOutProofMatch,
} from './merkle-branch.js';
export type {
  Backend,
  HeaderInfo,
  MerkleBranch,
  TestCapabilities,
  TxStatus,
  Utxo,
} from './types.js';

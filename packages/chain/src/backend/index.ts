export { coreRpcBackend } from './core-rpc.js';
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
export { type EsploraBackendOptions, esploraBackend } from './esplora.js';
export type { FetchLike } from './http.js';
export {
  isRpcError,
  type JsonRpcCallOptions,
  type JsonRpcHttpClient,
  type JsonRpcHttpOptions,
  jsonRpcHttpClient,
} from './jsonrpc-http.js';
export type {
  Backend,
  HeaderInfo,
  MerkleBranch,
  TxStatus,
  Utxo,
} from './types.js';

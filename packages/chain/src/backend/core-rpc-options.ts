import type { JsonRpcCallOptions } from './jsonrpc-http.js';
import type { Backend } from './types.js';

/** Options shared by both ways of authenticating to a Core node. */
export interface CoreRpcCommonOptions {
  /** RPC URL, e.g. `http://127.0.0.1:8332/`. Credentials in the URL are not supported. */
  url: string;
  /** Per-request timeout in ms (default 30 000); `scantxoutset` gets `scanTimeoutMs`. */
  timeoutMs?: number;
  /** Timeout of a `scantxoutset` UTXO scan in ms (default 300 000: it reads the whole UTXO set). */
  scanTimeoutMs?: number;
  /** Retries of idempotent calls on network errors and 5xx (default 3). Broadcasts are never retried. */
  retries?: number;
  /**
   * Lowest fee rate returned by `feeRate`, in sat/vB, and the answer when the node has
   * no estimate (always on a fresh regtest). Default 1.
   */
  feeRateFloor?: number;
  /**
   * Where `merkleBranch` reads the block's transactions: `'block'` (default; `getblock
   * <hash> 1`, the full txid list) or `'txoutproof'` (`gettxoutproof`, a BIP37 partial
   * tree: smaller answers for big blocks).
   */
  merkleSource?: 'block' | 'txoutproof';
  /**
   * Include unconfirmed outputs (and drop outputs spent by unconfirmed transactions) in
   * `utxos` by reading the mempool (default true). It costs one `getrawtransaction` per
   * mempool entry: turn it off against a busy mainnet mempool.
   */
  mempoolUtxos?: boolean;
  /** The `fetch` to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/** Connects with `-rpcuser`/`-rpcpassword` (or an `-rpcauth` entry). */
export interface CoreRpcPasswordOptions extends CoreRpcCommonOptions {
  user: string;
  password: string;
}

/**
 * Connects with the node's cookie: the content of its `.cookie` file (`__cookie__:<hex>`),
 * or a function that reads it, called again when the node answers 401 (it writes a new
 * cookie on every restart). In Node, `coreCookieFile(path)` from `@medanchor/chain/node`
 * makes such a function.
 */
export interface CoreRpcCookieOptions extends CoreRpcCommonOptions {
  cookie: string | (() => string | Promise<string>);
}

/** Options of {@link coreRpcBackend}. */
export type CoreRpcBackendOptions = CoreRpcPasswordOptions | CoreRpcCookieOptions;

/** A {@link Backend} over Bitcoin Core's JSON-RPC, with a few Core-only extras. */
export interface CoreRpcBackend extends Backend {
  /**
   * Calls any RPC method. Calls are retried on network errors unless `options.idempotent`
   * is false; `options.timeoutMs` overrides the backend's timeout for this call.
   */
  rpc<T = unknown>(method: string, params?: unknown[], options?: JsonRpcCallOptions): Promise<T>;
  /** The BIP37 merkleblock `gettxoutproof` returns for a confirmed transaction. */
  txOutProof(txid: string, blockHash?: string): Promise<Uint8Array>;
}

/** A block header as a backend reports it. */
export interface HeaderInfo {
  /** Block hash, display order (as RPC and explorers show it), lowercase hex. */
  hash: string;
  height: number;
  /** The 80 serialized header bytes. */
  header: Uint8Array;
}

/** Where a transaction stands. */
export interface TxStatus {
  confirmed: boolean;
  /** Present when confirmed. Display-order hex. */
  blockHash?: string;
  blockHeight?: number;
}

/** The merkle branch of a confirmed transaction, as needed for an SPV proof. */
export interface MerkleBranch {
  /** Display-order block hash. */
  blockHash: string;
  blockHeight: number;
  /** Position of the transaction in the block. */
  position: number;
  /** Siblings from the leaf up, INTERNAL byte order (hash them as they are). */
  siblings: Uint8Array[];
  /** Number of transactions in the block (the branch length must match it). */
  txCount: number;
}

/** An unspent output paying a script. `value` in satoshis. */
export interface Utxo {
  /** Display-order txid. */
  txid: string;
  vout: number;
  value: bigint;
  /** The output script. */
  script: Uint8Array;
  /** Height of the confirming block, or undefined while unconfirmed. */
  height?: number;
}

/**
 * The one interface to a Bitcoin network. Implementations: Esplora HTTP, Bitcoin
 * Core JSON-RPC, Electrum, and the in-process `devnet`. All hashes and txids are
 * display-order lowercase hex; raw transactions and headers are bytes.
 */
export interface Backend {
  /** A short name for logs and quorum reports, e.g. `esplora(https://...)`. */
  readonly name: string;
  /** The best block. */
  tip(): Promise<HeaderInfo>;
  /** Header by display-order hash; throws `NOT_FOUND` when unknown. */
  headerByHash(hash: string): Promise<HeaderInfo>;
  /** Header of the best chain at `height`; throws `NOT_FOUND` above the tip. */
  headerByHeight(height: number): Promise<HeaderInfo>;
  /** Raw transaction (with witness if any); throws `NOT_FOUND` when unknown. */
  transaction(txid: string): Promise<Uint8Array>;
  /** Confirmation status; an unknown txid is `{ confirmed: false }` only if in the mempool, else `NOT_FOUND`. */
  txStatus(txid: string): Promise<TxStatus>;
  /** Merkle branch of a confirmed transaction; throws `NOT_CONFIRMED` otherwise. */
  merkleBranch(txid: string): Promise<MerkleBranch>;
  /** Unspent outputs paying `script` (confirmed and unconfirmed). */
  utxos(script: Uint8Array): Promise<Utxo[]>;
  /** Fee rate estimate in sat/vB for confirmation within `targetBlocks`. */
  feeRate(targetBlocks?: number): Promise<number>;
  /**
   * Broadcasts a raw transaction and returns its txid. "Already in the chain" or
   * "already in the mempool" count as success. Rejections throw typed errors:
   * `TX_REJECTED` (policy, fee, script), `TX_CONFLICT` (an input is missing or already
   * spent), `TX_DESERIALIZATION`. A broadcast whose outcome cannot be known (the request
   * may have reached the node) is never retried blindly: the backend checks the
   * transaction's status first, or throws (`BROADCAST_UNKNOWN`, `TIMEOUT`).
   */
  broadcast(rawTx: Uint8Array): Promise<string>;
}

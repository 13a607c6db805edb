import type { Backend, Utxo } from '../backend/types.js';
import type { ReplacementPolicy } from './mempool.js';

/** Options of `createDevnet`. */
export interface DevnetOptions {
  /**
   * Makes the devnet deterministic: block times step 600 s from genesis and the
   * throwaway coinbase script derives from it. Without a seed, times follow the
   * clock and the throwaway script is random.
   */
  seed?: string | Uint8Array;
  /** Fee estimate in sat/vB: a number for every target, or a function of the target. Default 1. */
  feeRate?: number | ((targetBlocks: number) => number);
  /** Minimum relay fee rate in sat/vB. Default 1. */
  minRelayFeeRate?: number;
  /** Largest OP_RETURN payload in bytes. Default 80. */
  maxDataCarrierBytes?: number;
  /**
   * `full` (default, Bitcoin Core >= 28): any unconfirmed transaction can be replaced
   * by one paying more. `opt-in`: only transactions signalling BIP125 can be.
   */
  replacement?: ReplacementPolicy;
  /** Blocks between subsidy halvings. Default 150 (regtest). */
  halvingInterval?: number;
  /** Name for logs. Default `devnet`. */
  name?: string;
}

/**
 * Mining and block invalidation on a regtest-like chain: what tests and demos need and
 * a production backend never offers. A devnet has them as `devnet.test`; a Bitcoin Core
 * (or litecoind) regtest node gets them from {@link regtestControls}.
 */
export interface TestCapabilities {
  /** Mines `n` blocks paying the coinbase to `script` (or a throwaway) and returns their hashes. */
  mine(n: number, script?: Uint8Array): Promise<string[]>;
  /** Marks a block invalid, rolling the best chain back below it. */
  invalidateBlock(hash: string): Promise<void>;
  /** Undoes {@link TestCapabilities.invalidateBlock}. */
  reconsiderBlock?(hash: string): Promise<void>;
}

/** Test controls of a devnet: mining, reorgs and block invalidation. */
export interface DevnetControls extends TestCapabilities {
  /**
   * Replaces the last `depth` blocks with `depth + 1` new blocks holding only their
   * coinbase, so the chain tip moves to a heavier branch. Transactions of the dropped
   * blocks go back to the mempool when still valid (mine once more to re-confirm
   * them). Returns the new blocks' hashes.
   */
  reorg(depth: number, script?: Uint8Array): Promise<string[]>;
  /** Undoes {@link TestCapabilities.invalidateBlock} for the block and its descendants. */
  reconsiderBlock(hash: string): Promise<void>;
  /** Txids in the mempool, in the order they would be mined. */
  mempool(): Promise<string[]>;
  /** Changes the fee estimate the devnet reports. */
  setFeeRate(rate: number | ((targetBlocks: number) => number)): void;
}

/** Facts about a devnet block that explorers show (what the Esplora server needs). */
export interface DevnetBlockInfo {
  hash: string;
  height: number;
  header: Uint8Array;
  /** Display-order txids in block order. */
  txids: string[];
  /** The serialized block (header, transactions with witnesses). */
  raw: Uint8Array;
  /** Serialized block size in bytes, and weight. */
  size: number;
  weight: number;
  /** True while on the best chain. */
  inBestChain: boolean;
}

/** An in-process regtest chain that implements {@link Backend}. */
export interface Devnet extends Backend {
  readonly test: DevnetControls;
  /** Block facts by display-order hash; throws `NOT_FOUND`. */
  blockInfo(hash: string): Promise<DevnetBlockInfo>;
  /** Unspent outputs whose script's sha256 (hex, as Esplora's `scripthash`) is `scriptHash`. */
  utxosByScriptHash(scriptHash: string): Promise<Utxo[]>;
}

import type { Block, Transaction } from 'bitcoinjs-lib';
import { outputType } from './script-type.js';

/** A block the devnet knows, on the best chain or not. */
export interface StoredBlock {
  /** Display-order hash. */
  hash: string;
  height: number;
  /** Display-order hash of the parent; undefined for genesis. */
  parent: string | undefined;
  header: Uint8Array;
  block: Block;
  transactions: Transaction[];
  /** Display-order txids in block order. */
  txids: string[];
  /** Arrival order: among equal-work tips the first seen wins, as in Bitcoin Core. */
  sequence: number;
}

/** An unspent output of the best chain. */
export interface Coin {
  value: bigint;
  script: Uint8Array;
  height: number;
  coinbase: boolean;
}

/** Where a confirmed transaction sits. */
export interface TxLocation {
  blockHash: string;
  height: number;
  position: number;
}

/** Map key of an outpoint. */
export function outpointKey(txid: string, vout: number): string {
  return `${txid}:${vout}`;
}

/**
 * The block tree, the active (best) chain and the state derived from it: UTXO set
 * and transaction index. All blocks have the same work (fixed regtest target), so
 * the best chain is the longest one without an invalidated block, first seen first.
 */
export class BlockTree {
  readonly blocks = new Map<string, StoredBlock>();
  readonly invalid = new Set<string>();
  /** Hashes of the active chain by height. */
  active: string[] = [];
  utxos = new Map<string, Coin>();
  txIndex = new Map<string, TxLocation>();
  private nextSequence = 0;

  /** Stores a block (its parent must be known, except for genesis). */
  add(block: Omit<StoredBlock, 'sequence'>): StoredBlock {
    const stored = { ...block, sequence: this.nextSequence++ };
    this.blocks.set(stored.hash, stored);
    return stored;
  }

  tip(): StoredBlock {
    return this.blocks.get(this.active[this.active.length - 1]!)!;
  }

  /** True when the block or one of its ancestors is invalidated. */
  isInvalid(hash: string): boolean {
    for (let h: string | undefined = hash; h !== undefined; h = this.blocks.get(h)?.parent) {
      if (this.invalid.has(h)) return true;
    }
    return false;
  }

  /** The valid block with the most work, ties to the first seen. */
  bestTip(): StoredBlock {
    let best: StoredBlock | undefined;
    for (const b of this.blocks.values()) {
      if (this.isInvalid(b.hash)) continue;
      if (
        best === undefined ||
        b.height > best.height ||
        (b.height === best.height && b.sequence < best.sequence)
      ) {
        best = b;
      }
    }
    return best!;
  }

  /** Appends a child of the current tip to the active chain, updating the derived state. */
  connect(block: StoredBlock): void {
    this.active.push(block.hash);
    connectInto(this.utxos, this.txIndex, block);
  }

  /**
   * Makes the best valid tip active, rebuilding the UTXO set and index from genesis
   * (devnet chains are short; replay keeps reorg logic obviously right). Returns the
   * blocks that left the active chain, lowest first.
   */
  activateBestChain(): StoredBlock[] {
    const best = this.bestTip();
    const path: string[] = [];
    for (let h: string | undefined = best.hash; h !== undefined; h = this.blocks.get(h)!.parent)
      path.push(h);
    path.reverse();
    const kept = new Set(path);
    const dropped = this.active.filter((h) => !kept.has(h)).map((h) => this.blocks.get(h)!);
    this.active = path;
    this.utxos = new Map();
    this.txIndex = new Map();
    for (const h of path) connectInto(this.utxos, this.txIndex, this.blocks.get(h)!);
    return dropped;
  }
}

function connectInto(
  utxos: Map<string, Coin>,
  index: Map<string, TxLocation>,
  b: StoredBlock,
): void {
  b.transactions.forEach((tx, position) => {
    const txid = b.txids[position]!;
    const coinbase = position === 0;
    // Genesis's output is unspendable by consensus.
    if (b.height === 0) return;
    if (!coinbase)
      for (const input of tx.ins) utxos.delete(outpointKey(hexTxid(input.hash), input.index));
    tx.outs.forEach((out, vout) => {
      if (outputType(out.script) === 'nulldata') return;
      utxos.set(outpointKey(txid, vout), {
        value: out.value,
        script: out.script,
        height: b.height,
        coinbase,
      });
    });
    index.set(txid, { blockHash: b.hash, height: b.height, position });
  });
  if (b.height === 0) index.set(b.txids[0]!, { blockHash: b.hash, height: 0, position: 0 });
}

/** Display-order txid of an input's internal-order prevout hash. */
export function hexTxid(internal: Uint8Array): string {
  let s = '';
  for (let i = internal.length - 1; i >= 0; i--) s += internal[i]!.toString(16).padStart(2, '0');
  return s;
}

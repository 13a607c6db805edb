import { toHex } from '@medanchor/core';
import type { Transaction } from 'bitcoinjs-lib';
import { type BlockTree, type Coin, hexTxid, outpointKey } from './chain.js';
import { checkStandardOutputs, type RelayPolicy } from './policy.js';
import { rejectTx } from './reject.js';
import { outputType } from './script-type.js';
import { verifyInputs } from './signatures.js';

/** Coinbase outputs are spendable this many blocks after their own. */
export const COINBASE_MATURITY = 100;

/** How replacements of unconfirmed transactions are treated. */
export type ReplacementPolicy = 'full' | 'opt-in';

/** A transaction waiting in the mempool. */
export interface MempoolEntry {
  txid: string;
  tx: Transaction;
  fee: bigint;
  vsize: number;
  /** Outpoint keys it spends. */
  spends: string[];
}

/** The mempool: entries in insertion order (which is always a valid block order). */
export interface Mempool {
  entries: Map<string, MempoolEntry>;
  /** Outpoint key -> txid of the mempool transaction spending it. */
  spentBy: Map<string, string>;
}

/** An empty mempool. */
export function emptyMempool(): Mempool {
  return { entries: new Map(), spentBy: new Map() };
}

/** Settings the acceptance rules read. */
export interface AcceptContext {
  chain: BlockTree;
  policy: RelayPolicy;
  replacement: ReplacementPolicy;
  /** Skip fee rules: used when transactions of disconnected blocks come back. */
  bypassFees?: boolean;
  /**
   * wtxids whose signatures already verified. A wtxid commits to the inputs'
   * outpoints and the witnesses, and an outpoint always names the same output, so
   * a reorg never needs to verify the same transaction twice (Core keeps a
   * signature cache for the same reason).
   */
  verified?: Set<string>;
}

/** The coin an outpoint names, confirmed or created by a mempool transaction. */
export function findCoin(pool: Mempool, chain: BlockTree, key: string): Coin | undefined {
  const confirmed = chain.utxos.get(key);
  if (confirmed !== undefined) return confirmed;
  const sep = key.lastIndexOf(':');
  const parent = pool.entries.get(key.slice(0, sep));
  const out = parent?.tx.outs[Number(key.slice(sep + 1))];
  if (out === undefined || outputType(out.script) === 'nulldata') return undefined;
  return { value: out.value, script: out.script, height: -1, coinbase: false };
}

/**
 * Validates `tx` against the best chain, the mempool and relay policy and adds it,
 * evicting what it replaces. Returns the txid.
 * @throws `MedanchorError` `TX_REJECTED` or `TX_CONFLICT`, `details.reason` naming the rule.
 */
export function acceptToMempool(pool: Mempool, tx: Transaction, ctx: AcceptContext): string {
  const txid = tx.getId();
  if (tx.isCoinbase())
    throw rejectTx('TX_REJECTED', 'coinbase', 'a coinbase transaction cannot be broadcast');
  checkStandardOutputs(tx, ctx.policy);
  const spends = tx.ins.map((i) => outpointKey(hexTxid(i.hash), i.index));
  if (new Set(spends).size !== spends.length) {
    throw rejectTx('TX_REJECTED', 'bad-txns-inputs-duplicate', 'spend each output once');
  }
  checkFinal(tx, ctx.chain);

  const conflicts = new Set<string>();
  const spent: Coin[] = [];
  spends.forEach((key, vin) => {
    const other = pool.spentBy.get(key);
    if (other !== undefined) conflicts.add(other);
    const coin = findCoin(pool, ctx.chain, key);
    if (coin === undefined) {
      const creator = key.slice(0, key.lastIndexOf(':'));
      if (ctx.chain.txIndex.has(creator)) {
        throw rejectTx(
          'TX_CONFLICT',
          'bad-txns-inputs-missingorspent',
          'the output is already spent; rebuild from unspent outputs',
          { vin },
        );
      }
      throw rejectTx(
        'TX_REJECTED',
        'missing-inputs',
        'broadcast the parent transaction first or check the outpoint',
        { vin },
      );
    }
    if (coin.coinbase && ctx.chain.active.length - coin.height < COINBASE_MATURITY) {
      throw rejectTx(
        'TX_REJECTED',
        'bad-txns-premature-spend-of-coinbase',
        `wait until the coinbase has ${COINBASE_MATURITY} confirmations`,
        { vin },
      );
    }
    spent.push(coin);
  });

  const inValue = spent.reduce((a, c) => a + c.value, 0n);
  const outValue = tx.outs.reduce((a, o) => a + o.value, 0n);
  if (outValue > inValue)
    throw rejectTx('TX_REJECTED', 'bad-txns-in-belowout', 'outputs exceed inputs');
  const fee = inValue - outValue;
  const vsize = tx.virtualSize();
  const minFee = BigInt(Math.ceil(ctx.policy.minRelayFeeRate * vsize));
  if (!ctx.bypassFees && fee < minFee) {
    throw rejectTx(
      'TX_REJECTED',
      'min relay fee not met',
      `pay at least ${minFee} sat (${ctx.policy.minRelayFeeRate} sat/vB)`,
      { fee, minFee },
    );
  }

  const wtxid = ctx.verified === undefined ? '' : toHex(tx.getHash(true));
  if (ctx.verified?.has(wtxid) !== true) {
    verifyInputs(tx, spent);
    ctx.verified?.add(wtxid);
  }

  let evicted = new Set<string>();
  if (conflicts.size > 0) evicted = checkReplacement(pool, tx, txid, fee, vsize, conflicts, ctx);
  for (const id of evicted) removeEntry(pool, id);
  const entry: MempoolEntry = { txid, tx, fee, vsize, spends };
  pool.entries.set(txid, entry);
  for (const key of spends) pool.spentBy.set(key, txid);
  return txid;
}

/** BIP125 rules 3 and 4 (fee), plus opt-in signalling when full RBF is off; returns what to evict. */
function checkReplacement(
  pool: Mempool,
  tx: Transaction,
  txid: string,
  fee: bigint,
  vsize: number,
  conflicts: Set<string>,
  ctx: AcceptContext,
): Set<string> {
  if (ctx.replacement === 'opt-in') {
    for (const id of conflicts) {
      if (!pool.entries.get(id)!.tx.ins.some((i) => i.sequence < 0xfffffffe)) {
        throw rejectTx(
          'TX_CONFLICT',
          'txn-mempool-conflict',
          'the transaction it conflicts with does not signal replaceability',
        );
      }
    }
  }
  const evicted = withDescendants(pool, conflicts);
  if (evicted.has(txid))
    throw rejectTx(
      'TX_REJECTED',
      'replacement-adds-unconfirmed',
      'a replacement cannot spend what it replaces',
    );
  if (evicted.size > 100)
    throw rejectTx(
      'TX_REJECTED',
      'too many potential replacements',
      'replace fewer transactions at once',
    );
  for (const input of tx.ins) {
    if (evicted.has(hexTxid(input.hash))) {
      throw rejectTx(
        'TX_REJECTED',
        'bad-txns-spends-conflicting-tx',
        'a replacement cannot spend outputs of what it replaces',
      );
    }
  }
  let oldFees = 0n;
  for (const id of evicted) oldFees += pool.entries.get(id)!.fee;
  const relayExtra = BigInt(Math.ceil(ctx.policy.minRelayFeeRate * vsize));
  for (const id of conflicts) {
    const old = pool.entries.get(id)!;
    // Compare fee rates exactly: fee/vsize > oldFee/oldVsize.
    if (fee * BigInt(old.vsize) <= old.fee * BigInt(vsize)) {
      throw rejectTx(
        'TX_REJECTED',
        'insufficient fee',
        'the replacement must pay a higher fee rate than what it replaces',
      );
    }
  }
  if (fee < oldFees + relayExtra) {
    throw rejectTx(
      'TX_REJECTED',
      'insufficient fee',
      `pay at least ${oldFees + relayExtra} sat: the replaced fees plus the relay fee of the replacement`,
    );
  }
  return evicted;
}

/** `ids` and every mempool transaction that spends their outputs, transitively. */
export function withDescendants(pool: Mempool, ids: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const queue = [...ids];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    const entry = pool.entries.get(id);
    if (entry === undefined) continue;
    entry.tx.outs.forEach((_, vout) => {
      const child = pool.spentBy.get(outpointKey(id, vout));
      if (child !== undefined) queue.push(child);
    });
  }
  return out;
}

/** Removes one entry (not its descendants). */
export function removeEntry(pool: Mempool, txid: string): void {
  const entry = pool.entries.get(txid);
  if (entry === undefined) return;
  pool.entries.delete(txid);
  for (const key of entry.spends) if (pool.spentBy.get(key) === txid) pool.spentBy.delete(key);
}

/** BIP113-less finality: height locks against the next block, time locks against the tip's time. */
function checkFinal(tx: Transaction, chain: BlockTree): void {
  if (tx.locktime === 0 || tx.ins.every((i) => i.sequence === 0xffffffff)) return;
  const nextHeight = chain.active.length;
  const final =
    tx.locktime < 500_000_000
      ? tx.locktime < nextHeight
      : tx.locktime < chain.tip().block.timestamp;
  if (!final)
    throw rejectTx('TX_REJECTED', 'non-final', 'wait until the transaction locktime has passed');
}

import { equalBytes, fromHex, MedanchorError, sha256, toHex, utf8 } from '@medanchor/core';
import { Block, Transaction } from 'bitcoinjs-lib';
import type { HeaderInfo, MerkleBranch, TxStatus, Utxo } from '../backend/types.js';
import { BlockTree, outpointKey, type StoredBlock } from './chain.js';
import { blockSubsidy, buildCoinbase } from './coinbase.js';
import { regtestGenesisBlock } from './genesis.js';
import { acceptToMempool, emptyMempool, type Mempool, removeEntry } from './mempool.js';
import { devnetMerkleBranch } from './merkle-branch.js';
import { DEFAULT_RELAY_POLICY, type RelayPolicy } from './policy.js';
import { grindNonce } from './pow.js';
import { rejectTx } from './reject.js';
import { blockTemplate } from './template.js';
import type { Devnet, DevnetControls, DevnetOptions } from './types.js';

/**
 * Creates a devnet: Bitcoin's regtest genesis, then real blocks mined on demand
 * (headers meeting nBits 0x207fffff, merkle roots, BIP34 heights, BIP141 witness
 * commitments), a UTXO set and a mempool with Bitcoin Core's main relay rules.
 *
 * @example
 * ```ts
 * const devnet = createDevnet({ seed: 'test' });
 * await devnet.test.mine(101, fundingScript);
 * const txid = await devnet.broadcast(signedTx);
 * await devnet.test.mine(1);
 * const branch = await devnet.merkleBranch(txid);
 * ```
 */
export function createDevnet(options: DevnetOptions = {}): Devnet {
  const name = options.name ?? 'devnet';
  const seed = typeof options.seed === 'string' ? utf8(options.seed) : options.seed;
  const policy: RelayPolicy = {
    minRelayFeeRate: options.minRelayFeeRate ?? DEFAULT_RELAY_POLICY.minRelayFeeRate,
    maxDataCarrierBytes: options.maxDataCarrierBytes ?? DEFAULT_RELAY_POLICY.maxDataCarrierBytes,
  };
  const replacement = options.replacement ?? 'full';
  const halvingInterval = options.halvingInterval ?? 150;
  let feeRate = options.feeRate ?? 1;
  const throwaway = throwawayScript(seed);

  const chain = new BlockTree();
  let pool: Mempool = emptyMempool();
  let extraNonce = 0;
  const verified = new Set<string>();

  const genesis = regtestGenesisBlock();
  chain.connect(chain.add(toStored(genesis, 0, undefined)));

  function toStored(
    block: Block,
    height: number,
    parent: string | undefined,
  ): Omit<StoredBlock, 'sequence'> {
    const transactions = block.transactions ?? [];
    return {
      hash: block.getId(),
      height,
      parent,
      header: block.toBuffer(true),
      block,
      transactions,
      txids: transactions.map((t) => t.getId()),
    };
  }

  /** Mines one block on `parent` with `txs` (already validated, in a valid order). */
  function mineOn(
    parent: StoredBlock,
    txs: Transaction[],
    fees: bigint,
    payTo: Uint8Array,
  ): StoredBlock {
    const height = parent.height + 1;
    const coinbase = buildCoinbase({
      height,
      value: blockSubsidy(height, halvingInterval) + fees,
      payTo,
      extraNonce: extraNonce++,
      transactions: txs,
    });
    const block = new Block();
    block.version = 0x20000000;
    block.prevHash = parent.block.getHash();
    block.timestamp =
      seed !== undefined
        ? parent.block.timestamp + 600
        : Math.max(parent.block.timestamp + 1, Math.floor(Date.now() / 1000));
    block.bits = parent.block.bits;
    block.transactions = [coinbase, ...txs];
    block.merkleRoot = Block.calculateMerkleRoot(block.transactions);
    grindNonce(block);
    return chain.add(toStored(block, height, parent.hash));
  }

  function mineTip(payTo: Uint8Array): string {
    const entries = blockTemplate(pool);
    const fees = entries.reduce((a, e) => a + e.fee, 0n);
    const block = mineOn(
      chain.tip(),
      entries.map((e) => e.tx),
      fees,
      payTo,
    );
    chain.connect(block);
    for (const e of entries) removeEntry(pool, e.txid);
    return block.hash;
  }

  /**
   * After the active chain changed other than by extension: puts transactions of
   * blocks that left it back in front of the mempool, then revalidates everything
   * against the new chain, dropping what no longer fits (as Core's
   * `MaybeUpdateMempoolForReorg` does).
   */
  function resettleMempool(dropped: StoredBlock[]): void {
    const returning = dropped.flatMap((b) => b.transactions.slice(1));
    const waiting = [...pool.entries.values()].map((e) => e.tx);
    pool = emptyMempool();
    for (const tx of returning) tryAccept(tx, true);
    for (const tx of waiting) tryAccept(tx, false);
  }

  function tryAccept(tx: Transaction, bypassFees: boolean): void {
    const txid = tx.getId();
    if (chain.txIndex.has(txid) || pool.entries.has(txid)) return;
    try {
      acceptToMempool(pool, tx, { chain, policy, replacement, bypassFees, verified });
    } catch {
      // No longer valid on the new chain (conflicted or spending a vanished coinbase).
    }
  }

  function activate(): void {
    resettleMempool(chain.activateBestChain());
  }

  function headerAt(b: StoredBlock): HeaderInfo {
    return { hash: b.hash, height: b.height, header: b.header.slice() };
  }

  function knownBlock(hash: string): StoredBlock {
    const b = chain.blocks.get(hash.toLowerCase());
    if (b === undefined) throw notFound('block', hash);
    return b;
  }

  function mempoolTx(txid: string): Transaction | undefined {
    return pool.entries.get(txid)?.tx;
  }

  function confirmedTx(txid: string): Transaction | undefined {
    const loc = chain.txIndex.get(txid);
    return loc === undefined
      ? undefined
      : chain.blocks.get(loc.blockHash)!.transactions[loc.position];
  }

  function utxosWhere(match: (script: Uint8Array) => boolean): Utxo[] {
    const out: Utxo[] = [];
    for (const [key, coin] of chain.utxos) {
      if (pool.spentBy.has(key) || !match(coin.script)) continue;
      const [txid, vout] = splitKey(key);
      out.push({ txid, vout, value: coin.value, script: coin.script.slice(), height: coin.height });
    }
    for (const e of pool.entries.values()) {
      e.tx.outs.forEach((o, vout) => {
        if (pool.spentBy.has(outpointKey(e.txid, vout)) || !match(o.script)) return;
        if (o.script[0] === 0x6a) return;
        out.push({ txid: e.txid, vout, value: o.value, script: o.script.slice() });
      });
    }
    return out;
  }

  const test: DevnetControls = {
    async mine(n, script) {
      assertCount(n, 'n');
      const payTo = script ?? throwaway;
      const hashes: string[] = [];
      for (let i = 0; i < n; i++) hashes.push(mineTip(payTo));
      return hashes;
    },
    async reorg(depth, script) {
      assertCount(depth, 'depth');
      if (depth >= chain.active.length) {
        throw new MedanchorError(
          'INVALID_ARGUMENT',
          'reorg depth must be below the chain height (genesis stays)',
          {
            details: { depth, height: chain.active.length - 1 },
          },
        );
      }
      let parent = chain.blocks.get(chain.active[chain.active.length - 1 - depth]!)!;
      const hashes: string[] = [];
      for (let i = 0; i <= depth; i++) {
        parent = mineOn(parent, [], 0n, script ?? throwaway);
        hashes.push(parent.hash);
      }
      activate();
      return hashes;
    },
    async invalidateBlock(hash) {
      const b = knownBlock(hash);
      if (b.height === 0)
        throw new MedanchorError('INVALID_ARGUMENT', 'the genesis block cannot be invalidated');
      chain.invalid.add(b.hash);
      activate();
    },
    async reconsiderBlock(hash) {
      const b = knownBlock(hash);
      for (const h of [...chain.invalid]) {
        // Clear the mark on the block and on its descendants.
        let cur: string | undefined = h;
        while (cur !== undefined && cur !== b.hash) cur = chain.blocks.get(cur)?.parent;
        if (cur === b.hash) chain.invalid.delete(h);
      }
      activate();
    },
    async mempool() {
      return [...pool.entries.keys()];
    },
    setFeeRate(rate) {
      feeRate = rate;
    },
  };

  return {
    name,
    test,
    async tip() {
      return headerAt(chain.tip());
    },
    async headerByHash(hash) {
      return headerAt(knownBlock(hash));
    },
    async headerByHeight(height) {
      const hash = Number.isInteger(height) && height >= 0 ? chain.active[height] : undefined;
      if (hash === undefined) throw notFound('height', String(height));
      return headerAt(chain.blocks.get(hash)!);
    },
    async transaction(txid) {
      const id = txid.toLowerCase();
      const tx = mempoolTx(id) ?? confirmedTx(id);
      if (tx === undefined) throw notFound('transaction', txid);
      return tx.toBuffer();
    },
    async txStatus(txid): Promise<TxStatus> {
      const id = txid.toLowerCase();
      const loc = chain.txIndex.get(id);
      if (loc !== undefined)
        return { confirmed: true, blockHash: loc.blockHash, blockHeight: loc.height };
      if (pool.entries.has(id)) return { confirmed: false };
      throw notFound('transaction', txid);
    },
    async merkleBranch(txid): Promise<MerkleBranch> {
      const id = txid.toLowerCase();
      const loc = chain.txIndex.get(id);
      if (loc === undefined) {
        if (pool.entries.has(id)) {
          throw new MedanchorError(
            'NOT_CONFIRMED',
            'the transaction is in the mempool: wait for a block and ask again',
          );
        }
        throw notFound('transaction', txid);
      }
      const block = chain.blocks.get(loc.blockHash)!;
      const leaves = block.transactions.map((t) => t.getHash());
      return {
        blockHash: loc.blockHash,
        blockHeight: loc.height,
        position: loc.position,
        siblings: devnetMerkleBranch(leaves, loc.position),
        txCount: leaves.length,
      };
    },
    async utxos(script) {
      return utxosWhere((s) => equalBytes(s, script));
    },
    async utxosByScriptHash(scriptHash) {
      const want = scriptHash.toLowerCase();
      return utxosWhere((s) => toHex(sha256(s)) === want);
    },
    async feeRate(targetBlocks = 1) {
      return typeof feeRate === 'number' ? feeRate : feeRate(targetBlocks);
    },
    async broadcast(rawTx) {
      let tx: Transaction;
      try {
        tx = Transaction.fromBuffer(rawTx);
      } catch {
        throw rejectTx(
          'TX_DESERIALIZATION',
          'TX decode failed',
          'send a complete serialized transaction',
          {
            length: rawTx.length,
          },
        );
      }
      const txid = tx.getId();
      if (chain.txIndex.has(txid) || pool.entries.has(txid)) return txid;
      return acceptToMempool(pool, tx, { chain, policy, replacement, verified });
    },
    async blockInfo(hash) {
      const b = knownBlock(hash);
      return {
        hash: b.hash,
        height: b.height,
        header: b.header.slice(),
        txids: b.txids.slice(),
        raw: b.block.toBuffer(),
        size: b.block.byteLength(),
        weight: b.block.weight(),
        inBestChain: chain.active[b.height] === b.hash,
      };
    },
  };
}

function notFound(what: string, id: string): MedanchorError {
  return new MedanchorError(
    'NOT_FOUND',
    `no ${what} ${id.slice(0, 64)} on the devnet: check the id or mine first`,
  );
}

function assertCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new MedanchorError('INVALID_ARGUMENT', `${what} must be an integer from 1 to 10000`, {
      details: { [what]: n },
    });
  }
}

function splitKey(key: string): [string, number] {
  const sep = key.lastIndexOf(':');
  return [key.slice(0, sep), Number(key.slice(sep + 1))];
}

/** A P2WPKH script whose key nobody holds: where coinbases go when the caller names no script. */
function throwawayScript(seed: Uint8Array | undefined): Uint8Array {
  const program =
    seed !== undefined
      ? sha256(new Uint8Array([...utf8('medanchor devnet coinbase'), ...seed])).slice(0, 20)
      : globalThis.crypto.getRandomValues(new Uint8Array(20));
  return fromHex(`0014${toHex(program)}`);
}

import { toHex } from '@medanchor/core';
import { Block } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../src/devnet/index.js';
import { signSpend, testKey } from './wallet.js';

const REGTEST_GENESIS = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
// Bitcoin regtest's genesis header (Bitcoin Core chainparams), for a fresh clone without vectors.
const REGTEST_GENESIS_HEADER =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000';

function targetOf(bits: number): bigint {
  return BigInt(bits & 0x7fffff) << BigInt(8 * ((bits >>> 24) - 3));
}

function hashNumber(header: Uint8Array): bigint {
  const h = Block.fromBuffer(header).getHash();
  return BigInt(`0x${toHex(h.slice().reverse())}`);
}

describe('devnet blocks', () => {
  it('starts at the real regtest genesis block', async () => {
    const devnet = createDevnet({ seed: 'genesis' });
    const tip = await devnet.tip();
    expect(tip.height).toBe(0);
    expect(tip.hash).toBe(REGTEST_GENESIS);
    expect(toHex(tip.header)).toBe(REGTEST_GENESIS_HEADER);
  });

  it('mines headers that link, meet the regtest target and commit to their transactions', async () => {
    const devnet = createDevnet({ seed: 'link' });
    const hashes = await devnet.test.mine(20);
    expect(hashes).toHaveLength(20);
    let prev = await devnet.headerByHeight(0);
    for (let h = 1; h <= 20; h++) {
      const cur = await devnet.headerByHeight(h);
      expect(cur.hash).toBe(hashes[h - 1]);
      const block = Block.fromBuffer(cur.header);
      expect(toHex(block.prevHash!.slice().reverse())).toBe(prev.hash);
      expect(block.bits).toBe(0x207fffff);
      expect(block.timestamp).toBeGreaterThan(Block.fromBuffer(prev.header).timestamp);
      expect(hashNumber(cur.header) <= targetOf(block.bits)).toBe(true);
      expect(block.getId()).toBe(cur.hash);
      prev = cur;
    }
    expect((await devnet.tip()).height).toBe(20);
  });

  it('puts the BIP34 height first in each coinbase and pays 50 BTC, halving every 150 blocks', async () => {
    const devnet = createDevnet({ seed: 'subsidy' });
    const payTo = testKey('miner').script;
    const hashes = await devnet.test.mine(151, payTo);
    const first = await devnet.blockInfo(hashes[0]!);
    const cb1 = await devnet.transaction(first.txids[0]!);
    const { Transaction } = await import('bitcoinjs-lib');
    const tx1 = Transaction.fromBuffer(cb1);
    expect(tx1.isCoinbase()).toBe(true);
    expect(tx1.ins[0]!.script[0]).toBe(0x51); // OP_1: height 1
    expect(tx1.outs[0]!.value).toBe(5_000_000_000n);
    expect(toHex(tx1.outs[0]!.script)).toBe(toHex(payTo));
    const b150 = await devnet.blockInfo(hashes[149]!);
    const tx150 = Transaction.fromBuffer(await devnet.transaction(b150.txids[0]!));
    expect(toHex(tx150.ins[0]!.script.subarray(0, 3))).toBe('029600'); // push 2 bytes: 150 little-endian
    expect(tx150.outs[0]!.value).toBe(2_500_000_000n);
    const b149 = await devnet.blockInfo(hashes[148]!);
    expect(Transaction.fromBuffer(await devnet.transaction(b149.txids[0]!)).outs[0]!.value).toBe(
      5_000_000_000n,
    );
  });

  it('is deterministic with a seed', async () => {
    const a = await createDevnet({ seed: 'same' }).test.mine(5);
    const b = await createDevnet({ seed: 'same' }).test.mine(5);
    const c = await createDevnet({ seed: 'other' }).test.mine(5);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('builds merkle roots and witness commitments that bitcoinjs-lib accepts', async () => {
    const devnet = createDevnet({ seed: 'roots' });
    const key = testKey('roots');
    const [funding] = await devnet.test.mine(1, key.script);
    await devnet.test.mine(100);
    const cbTxid = (await devnet.blockInfo(funding!)).txids[0]!;
    // Three spends in one block: an odd count exercises the duplicated last node.
    let prev = { txid: cbTxid, vout: 0, value: 5_000_000_000n, key };
    for (let i = 0; i < 3; i++) {
      const value = prev.value - 1_000n;
      const tx = signSpend([prev], [{ script: key.script, value }]);
      await devnet.broadcast(tx.toBuffer());
      prev = { txid: tx.getId(), vout: 0, value, key };
    }
    const [hash] = await devnet.test.mine(1);
    const info = await devnet.blockInfo(hash!);
    expect(info.txids).toHaveLength(4);
    const txs = await Promise.all(
      info.txids.map(async (t) =>
        (await import('bitcoinjs-lib')).Transaction.fromBuffer(await devnet.transaction(t)),
      ),
    );
    const header = Block.fromBuffer(info.header);
    expect(toHex(header.merkleRoot!)).toBe(toHex(Block.calculateMerkleRoot(txs)));
    const full = Block.fromBuffer(info.raw);
    expect(full.getId()).toBe(info.hash);
    expect(full.hasWitnessCommit()).toBe(true);
    expect(full.checkTxRoots()).toBe(true);
    expect(full.checkProofOfWork()).toBe(true);
    // The coinbase pays subsidy plus the three fees.
    expect(txs[0]!.outs[0]!.value).toBe(5_000_000_000n + 3_000n);
    expect(info.size).toBe(info.raw.length);
  });

  it('omits the witness commitment from blocks without segwit transactions', async () => {
    const devnet = createDevnet({ seed: 'nowit' });
    const [hash] = await devnet.test.mine(1);
    const info = await devnet.blockInfo(hash!);
    const { Transaction } = await import('bitcoinjs-lib');
    const cb = Transaction.fromBuffer(await devnet.transaction(info.txids[0]!));
    expect(cb.outs).toHaveLength(1);
    expect(cb.hasWitnesses()).toBe(false);
  });
});

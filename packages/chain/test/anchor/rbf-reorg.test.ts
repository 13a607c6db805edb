import { fromHex } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { memoryAnchorStateStore } from '../../src/anchor/index.js';
import { createDevnet } from '../../src/devnet/index.js';
import { digestOf, fundedDevnet, testAnchorer, testFundingKey } from './setup.js';

/** Inputs of a raw transaction as `txid:vout` strings. */
function outpoints(rawHex: string): string[] {
  return Transaction.fromBuffer(fromHex(rawHex)).ins.map(
    (i) => `${Buffer.from(i.hash).reverse().toString('hex')}:${i.index}`,
  );
}

describe('anchorer fee bumps (RBF)', () => {
  it.each(['p2wpkh', 'p2tr'] as const)(
    'replaces a %s anchor stuck for N blocks with a higher fee spending the same inputs',
    async (type) => {
      const key = testFundingKey(`rbf-${type}`, type);
      const devnet = await fundedDevnet(key);
      const { anchorer, events } = await testAnchorer(devnet, key, {
        bumpAfterBlocks: 2,
        fee: { minSatPerVb: 1, maxSatPerVb: 10, bumpFactor: 2 },
      });
      const digest = digestOf(`stuck ${type}`);
      const first = await anchorer.anchor(digest);
      const original = first.attempts[0]!;
      expect(original.feeRate).toBe(1);

      // Blocks without the transaction: a one-block reorg mines two empty blocks and
      // leaves the mempool as it was.
      await devnet.test.reorg(1);
      expect(await anchorer.sync()).toEqual([]); // 1 block stuck: not yet
      await devnet.test.reorg(1);
      const [bumped] = await anchorer.sync();
      expect(bumped?.attempts).toHaveLength(2);
      const replacement = bumped!.attempts[1]!;
      expect(replacement.feeRate).toBe(2);
      expect(replacement.fee).toBeGreaterThan(original.fee);
      expect(outpoints(replacement.rawTx)).toEqual(outpoints(original.rawTx));
      expect(await devnet.test.mempool()).toEqual([replacement.txid]);
      expect(events.map((e) => e.kind)).toContain('bumped');

      await devnet.test.mine(1);
      const [confirmed] = await anchorer.sync();
      expect(confirmed?.status).toBe('confirmed');
      expect(confirmed?.confirmation?.txid).toBe(replacement.txid);
    },
  );

  it('signals BIP125, so a node with opt-in RBF only accepts the replacement', async () => {
    const key = testFundingKey('rbf-opt-in', 'p2wpkh');
    const devnet = await fundedDevnet(key, 3, { replacement: 'opt-in' });
    const { anchorer } = await testAnchorer(devnet, key, { bumpAfterBlocks: 1 });
    const digest = digestOf('opt-in');
    await anchorer.anchor(digest);
    await devnet.test.reorg(1);
    const [bumped] = await anchorer.sync();
    expect(bumped?.attempts).toHaveLength(2);
    expect(bumped?.lastError).toBeUndefined();
    expect(await devnet.test.mempool()).toEqual([bumped!.attempts[1]!.txid]);
  });

  it('stops bumping at the maximum fee rate', async () => {
    const key = testFundingKey('rbf-cap', 'p2wpkh');
    const devnet = await fundedDevnet(key);
    const { anchorer } = await testAnchorer(devnet, key, {
      bumpAfterBlocks: 1,
      fee: { minSatPerVb: 1, maxSatPerVb: 3, bumpFactor: 2 },
    });
    const digest = digestOf('capped');
    await anchorer.anchor(digest);
    for (let i = 0; i < 4; i++) {
      await devnet.test.reorg(1);
      await anchorer.sync();
    }
    const rates = anchorer.get(digest)!.attempts.map((a) => a.feeRate);
    expect(rates).toEqual([1, 2, 3]);
    expect(await devnet.test.mempool()).toEqual([anchorer.get(digest)!.attempts[2]!.txid]);
  });
});

describe('anchorer and reorgs', () => {
  it('notices a confirmed anchor leaving the chain and records its new block', async () => {
    const key = testFundingKey('reorg', 'p2tr');
    const devnet = await fundedDevnet(key);
    const { anchorer, events } = await testAnchorer(devnet, key);
    const digest = digestOf('reorged');
    const { attempts } = await anchorer.anchor(digest);
    const [blockA] = await devnet.test.mine(1);
    await anchorer.sync();
    expect(anchorer.get(digest)?.confirmation?.blockHash).toBe(blockA);

    await devnet.test.reorg(1); // block A replaced by two empty blocks
    const [reorged] = await anchorer.sync();
    expect(reorged?.status).toBe('pending');
    expect(reorged?.confirmation).toBeUndefined();
    expect(events.map((e) => e.kind)).toContain('reorged');

    const [blockB] = await devnet.test.mine(1);
    const [again] = await anchorer.sync();
    expect(again?.status).toBe('confirmed');
    expect(again?.confirmation).toMatchObject({ txid: attempts[0]!.txid, blockHash: blockB });
    expect(blockB).not.toBe(blockA);
    const entry = await anchorer.entry(digest);
    expect(entry?.blockHash).toBe(blockB);
  });

  it('rebroadcasts an anchor that a reorg dropped from both chain and mempool', async () => {
    const key = testFundingKey('dropped', 'p2wpkh');
    const devnet = createDevnet({ seed: 'dropped by reorg' });
    await devnet.test.mine(1, key.script); // the only coin: a coinbase at height 1
    await devnet.test.mine(99); // tip 100: the coin has exactly 100 confirmations
    const { anchorer, events } = await testAnchorer(devnet, key);
    const digest = digestOf('dropped');
    const { attempts } = await anchorer.anchor(digest);
    const [blockA] = await devnet.test.mine(1);
    await anchorer.sync();
    expect(anchorer.get(digest)?.confirmation?.blockHash).toBe(blockA);

    // Invalidate block 100: on the shorter chain the coinbase is immature again, so
    // the anchor cannot go back to the mempool.
    await devnet.test.invalidateBlock((await devnet.headerByHeight(100)).hash);
    expect(await devnet.test.mempool()).toEqual([]);
    await anchorer.sync();
    expect(anchorer.get(digest)?.status).toBe('pending');
    expect(anchorer.get(digest)?.lastError).toMatch(/premature/);

    await devnet.test.mine(1); // a new block 100: the coin is mature for the next block
    await anchorer.sync();
    expect(events.map((e) => e.kind)).toContain('rebroadcast');
    expect(await devnet.test.mempool()).toEqual([attempts[0]!.txid]);
    const [blockB] = await devnet.test.mine(1);
    const [again] = await anchorer.sync();
    expect(again?.confirmation).toMatchObject({ txid: attempts[0]!.txid, blockHash: blockB });
    expect(blockB).not.toBe(blockA);
  });

  it('rebroadcasts the saved transaction when neither chain nor mempool knows it (crash before broadcast)', async () => {
    const key = testFundingKey('resume', 'p2wpkh');
    const devnet = await fundedDevnet(key);
    const state = memoryAnchorStateStore();
    const crash = new Error('simulated crash after the record was saved');
    const { anchorer } = await testAnchorer(devnet, key, {
      state,
      onEvent: (e) => {
        if (e.kind === 'recorded') throw crash;
      },
    });
    const digest = digestOf('resume');
    await expect(anchorer.anchor(digest)).rejects.toBe(crash);
    expect(await devnet.test.mempool()).toEqual([]);

    const { anchorer: restarted, events } = await testAnchorer(devnet, key, { state });
    const saved = restarted.get(digest)!;
    await restarted.sync();
    expect(events.map((e) => e.kind)).toEqual(['rebroadcast']);
    expect(await devnet.test.mempool()).toEqual([saved.attempts[0]!.txid]);
    // Anchoring the digest again after the restart builds nothing new.
    expect((await restarted.anchor(digest)).attempts).toEqual(saved.attempts);
    expect(await devnet.test.mempool()).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../src/devnet/index.js';
import { signSpend, testKey } from './wallet.js';

async function withConfirmedSpend(label: string) {
  const devnet = createDevnet({ seed: label });
  const key = testKey(label);
  const [h] = await devnet.test.mine(1, key.script);
  await devnet.test.mine(100);
  const coin = {
    txid: (await devnet.blockInfo(h!)).txids[0]!,
    vout: 0,
    value: 5_000_000_000n,
    key,
  };
  const tx = signSpend([coin], [{ script: testKey('payee').script, value: coin.value - 1_000n }]);
  await devnet.broadcast(tx.toBuffer());
  const [block] = await devnet.test.mine(1);
  return { devnet, txid: tx.getId(), block: block!, key };
}

describe('devnet reorgs', () => {
  it('reorg(depth) replaces the last blocks with a longer branch and returns their transactions to the mempool', async () => {
    const { devnet, txid, block } = await withConfirmedSpend('reorg');
    await devnet.test.mine(2);
    const before = await devnet.tip();
    expect(before.height).toBe(104);
    const fresh = await devnet.test.reorg(3);
    expect(fresh).toHaveLength(4);
    const tip = await devnet.tip();
    expect(tip.height).toBe(105);
    expect(tip.hash).toBe(fresh[3]);
    expect((await devnet.headerByHeight(102)).hash).toBe(fresh[0]);
    expect((await devnet.headerByHeight(102)).hash).not.toBe(block);
    // The old block is still known by hash, just not on the best chain.
    expect((await devnet.blockInfo(block)).inBestChain).toBe(false);
    expect(await devnet.txStatus(txid)).toEqual({ confirmed: false });
    expect(await devnet.test.mempool()).toEqual([txid]);
    await expect(devnet.merkleBranch(txid)).rejects.toMatchObject({ code: 'NOT_CONFIRMED' });
    const [again] = await devnet.test.mine(1);
    expect(await devnet.txStatus(txid)).toEqual({
      confirmed: true,
      blockHash: again,
      blockHeight: 106,
    });
    expect((await devnet.merkleBranch(txid)).blockHash).toBe(again);
  });

  it('drops returning transactions that spend a coinbase the reorg removed', async () => {
    const devnet = createDevnet({ seed: 'vanish' });
    const key = testKey('vanish');
    await devnet.test.mine(100);
    const [h] = await devnet.test.mine(1, key.script);
    await devnet.test.mine(99);
    const coin = {
      txid: (await devnet.blockInfo(h!)).txids[0]!,
      vout: 0,
      value: 5_000_000_000n,
      key,
    };
    const tx = signSpend([coin], [{ script: key.script, value: coin.value - 500n }]);
    await devnet.broadcast(tx.toBuffer());
    await devnet.test.mine(1);
    // Reorg below the funding block: the coinbase is gone, so the spend cannot return.
    await devnet.test.reorg(101);
    expect(await devnet.test.mempool()).toEqual([]);
    await expect(devnet.txStatus(tx.getId())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await devnet.utxos(key.script)).toEqual([]);
  });

  it('invalidateBlock rolls the tip back and reconsiderBlock restores it', async () => {
    const { devnet, txid, block } = await withConfirmedSpend('invalidate');
    const [top] = await devnet.test.mine(2);
    const tipBefore = await devnet.tip();
    await devnet.test.invalidateBlock(block);
    expect((await devnet.tip()).height).toBe(101);
    expect(await devnet.txStatus(txid)).toEqual({ confirmed: false });
    await expect(devnet.headerByHeight(102)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await devnet.test.reconsiderBlock(block);
    expect(await devnet.tip()).toEqual(tipBefore);
    expect((await devnet.headerByHeight(103)).hash).toBe(top);
    expect(await devnet.txStatus(txid)).toEqual({
      confirmed: true,
      blockHash: block,
      blockHeight: 102,
    });
    expect(await devnet.test.mempool()).toEqual([]);
  });

  it('mining after an invalidation builds a competing branch', async () => {
    const { devnet, block } = await withConfirmedSpend('compete');
    await devnet.test.invalidateBlock(block);
    const [a, b] = await devnet.test.mine(2);
    expect((await devnet.tip()).hash).toBe(b);
    expect((await devnet.headerByHeight(102)).hash).toBe(a);
    // The reconsidered branch is shorter (102 vs 103), so the new branch stays best.
    await devnet.test.reconsiderBlock(block);
    expect((await devnet.tip()).hash).toBe(b);
  });
});

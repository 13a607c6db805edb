import { fromHex, isMedanchorError, toHex } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { decodeBitcoinAnchorEntry, memoryAnchorStateStore } from '../../src/anchor/index.js';
import { ANCHOR_SEQUENCE } from '../../src/bitcoin.js';
import { regtest } from '../../src/network/index.js';
import { findAnchorPayload, verifySpvProof } from '../../src/spv/index.js';
import { digestOf, fundedDevnet, testAnchorer, testFundingKey } from './setup.js';

describe.each(['p2wpkh', 'p2tr'] as const)('anchorer with a %s funding key on devnet', (type) => {
  it('anchors a digest in one OP_RETURN output, confirms it and proves it by SPV', async () => {
    const key = testFundingKey(`basic-${type}`, type);
    const devnet = await fundedDevnet(key);
    const { anchorer, events } = await testAnchorer(devnet, key);
    const digest = digestOf('one');
    const record = await anchorer.anchor(digest);
    expect(record.status).toBe('pending');
    expect(events.map((e) => e.kind)).toEqual(['signed', 'recorded', 'broadcast']);
    const txid = record.attempts[0]!.txid;
    expect(await devnet.test.mempool()).toEqual([txid]);

    const tx = Transaction.fromBuffer(fromHex(record.attempts[0]!.rawTx));
    expect(tx.outs[0]!.value).toBe(0n);
    expect(tx.outs.filter((o) => o.script[0] === 0x6a)).toHaveLength(1);
    expect(toHex(findAnchorPayload(tx.toBuffer())!.digest)).toBe(toHex(digest));
    expect(tx.ins.every((i) => i.sequence === ANCHOR_SEQUENCE)).toBe(true);
    expect(toHex(tx.outs[1]!.script)).toBe(toHex(key.script));
    expect(record.coins).toHaveLength(1);

    await devnet.test.mine(1);
    const [confirmed] = await anchorer.sync();
    expect(confirmed?.status).toBe('confirmed');
    expect(confirmed?.confirmation?.txid).toBe(txid);

    const entry = await anchorer.entry(digest);
    expect(entry).toBeDefined();
    const proof = decodeBitcoinAnchorEntry(entry!);
    const spv = verifySpvProof(proof, { params: regtest, expectedPayload: digest });
    expect(spv).toMatchObject({ ok: true, txid, txCountChecked: true });

    await devnet.test.mine(5);
    const [final] = await anchorer.sync();
    expect(final?.status).toBe('final');
    expect(events.map((e) => e.kind).slice(3)).toEqual(['confirmed', 'final']);
    expect(await anchorer.sync()).toEqual([]);
  });

  it('is idempotent: anchoring the same digest twice returns the first anchor', async () => {
    const key = testFundingKey(`idem-${type}`, type);
    const devnet = await fundedDevnet(key);
    const state = memoryAnchorStateStore();
    const { anchorer } = await testAnchorer(devnet, key, { state });
    const d = digestOf('same');
    const [a, b] = await Promise.all([anchorer.anchor(d), anchorer.anchor(d)]);
    expect(b).toEqual(a);
    expect(await anchorer.anchor(d)).toEqual(a);
    expect(await devnet.test.mempool()).toHaveLength(1);
    // A restarted anchorer over the same state does not anchor it again either.
    const { anchorer: again } = await testAnchorer(devnet, key, { state });
    expect((await again.anchor(d)).attempts[0]!.txid).toBe(a.attempts[0]!.txid);
    expect(await devnet.test.mempool()).toHaveLength(1);
  });
});

describe('anchorer coin selection and fees', () => {
  it('spends different coins for concurrent anchors and never the same coin twice', async () => {
    const key = testFundingKey('many', 'p2wpkh');
    const devnet = await fundedDevnet(key, 3);
    const { anchorer } = await testAnchorer(devnet, key);
    const records = await Promise.all([0, 1, 2].map((i) => anchorer.anchor(digestOf(`many ${i}`))));
    const spent = records.flatMap((r) => r.coins.map((c) => `${c.txid}:${c.vout}`));
    expect(new Set(spent).size).toBe(3);
    expect(await devnet.test.mempool()).toHaveLength(3);
    // All confirmed coins are claimed; the change is unconfirmed.
    await expect(anchorer.anchor(digestOf('many 3'))).rejects.toMatchObject({
      code: 'FUNDS_UNCONFIRMED',
    });
    await devnet.test.mine(1);
    const fourth = await anchorer.anchor(digestOf('many 3'));
    expect(fourth.status).toBe('pending');
  });

  it('clamps the fee rate to the bounds and refuses above the maximum when asked to', async () => {
    const key = testFundingKey('fees', 'p2wpkh');
    const devnet = await fundedDevnet(key, 3, { feeRate: 500 });
    const { anchorer } = await testAnchorer(devnet, key, {
      fee: { minSatPerVb: 2, maxSatPerVb: 20 },
    });
    const high = await anchorer.anchor(digestOf('clamped high'));
    expect(high.attempts[0]!.feeRate).toBe(20);
    const vsize = Transaction.fromBuffer(fromHex(high.attempts[0]!.rawTx)).virtualSize();
    expect(Number(high.attempts[0]!.fee) / vsize).toBeGreaterThanOrEqual(20);
    expect(Number(high.attempts[0]!.fee) / vsize).toBeLessThan(20.5);

    devnet.test.setFeeRate(0.5);
    const low = await anchorer.anchor(digestOf('clamped low'));
    expect(low.attempts[0]!.feeRate).toBe(2);

    devnet.test.setFeeRate(500);
    const { anchorer: strict } = await testAnchorer(devnet, key, {
      fee: { minSatPerVb: 1, maxSatPerVb: 20, onTooHigh: 'refuse' },
    });
    const err = await strict.anchor(digestOf('refused')).catch((e: unknown) => e);
    expect(isMedanchorError(err, 'FEE_TOO_HIGH')).toBe(true);
    expect(strict.list()).toHaveLength(0);
  });

  it('fails with INSUFFICIENT_FUNDS when the key has nothing, and broadcasts nothing', async () => {
    const key = testFundingKey('empty', 'p2tr');
    const devnet = await fundedDevnet(testFundingKey('someone else', 'p2wpkh'), 1);
    const state = memoryAnchorStateStore();
    const { anchorer } = await testAnchorer(devnet, key, { state });
    await expect(anchorer.anchor(digestOf('x'))).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    expect(state.saves).toBe(0);
    expect(await devnet.test.mempool()).toEqual([]);
  });

  it('does not spend immature coinbase outputs, and does once they mature', async () => {
    const key = testFundingKey('immature', 'p2wpkh');
    const devnet = await fundedDevnet(testFundingKey('miner', 'p2wpkh'), 1);
    await devnet.test.mine(1, key.script); // the key's only coin: a coinbase with 1 confirmation
    const { anchorer } = await testAnchorer(devnet, key);
    await expect(anchorer.anchor(digestOf('too young'))).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    await devnet.test.mine(98);
    await expect(anchorer.anchor(digestOf('too young'))).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    await devnet.test.mine(1); // 100 confirmations: spendable in the next block
    expect((await anchorer.anchor(digestOf('too young'))).status).toBe('pending');
    expect(await devnet.test.mempool()).toHaveLength(1);
  });

  it('rejects a digest that is not 32 bytes', async () => {
    const key = testFundingKey('len', 'p2wpkh');
    const devnet = await fundedDevnet(key, 1);
    const { anchorer } = await testAnchorer(devnet, key);
    await expect(anchorer.anchor(new Uint8Array(31))).rejects.toMatchObject({
      code: 'INVALID_LENGTH',
    });
  });
});

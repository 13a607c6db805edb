// The rolling anchor on the devnet: one unconfirmed transaction per wallet, later
// checkpoints replace it by RBF, earlier receipts are carried by consistency proof to the
// checkpoint that confirms, and every receipt verifies at level 3.
import { MemoryJournal, type Receipt, toHex, utf8, verifyReceipt } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { bitcoinAnchorVerifier, memoryAnchorStateStore } from '../../src/anchor/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { findAnchorPayload } from '../../src/spv/index.js';
import { digestOf, fundedDevnet, testAnchorer, testFundingKey } from './setup.js';

const key = testFundingKey('rolling', 'p2wpkh');

describe('rolling anchor (one pending transaction per wallet)', () => {
  it('1,000 seals within 10 devnet blocks make at most 10 transactions; every receipt verifies at level 3', async () => {
    const devnet = await fundedDevnet(key, 3);
    const start = (await devnet.tip()).height + 1;
    const { anchorer } = await testAnchorer(devnet, key, { rolling: true });
    const ledger = await openLedger({
      origin: 'clinic.example/rolling',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    const SEALS = 1000;
    const BLOCKS = 10;
    for (let b = 0; b < BLOCKS; b++) {
      for (let i = 0; i < SEALS / BLOCKS; i++) {
        await ledger.add(utf8(`record ${b * 100 + i}`));
        await ledger.seal();
      }
      await ledger.sync();
      await devnet.test.mine(1);
    }
    const end = (await devnet.tip()).height;
    // Every anchor transaction in those blocks, found by its OP_RETURN.
    const anchorTxids: string[] = [];
    for (let h = start; h <= end; h++) {
      const info = await devnet.blockInfo((await devnet.headerByHeight(h)).hash);
      for (const id of info.txids.slice(1)) {
        if (findAnchorPayload(await devnet.transaction(id)) !== undefined) anchorTxids.push(id);
      }
    }
    expect(end - start + 1).toBe(BLOCKS);
    expect(anchorTxids.length).toBeGreaterThan(0);
    expect(anchorTxids.length).toBeLessThanOrEqual(BLOCKS);
    const signed = new Set(anchorer.list().flatMap((r) => r.attempts.map((a) => a.txid)));
    expect(signed.size).toBeLessThanOrEqual(BLOCKS);
    process.stdout.write(
      `anchor rolling: ${SEALS} seals in ${BLOCKS} blocks -> ${anchorTxids.length} transactions (${signed.size} signed)\n`,
    );
    await devnet.test.mine(6);
    await ledger.sync();
    const verifier = bitcoinAnchorVerifier({
      network: regtest,
      backends: [devnet],
      minConfirmations: 6,
    });
    let carried = 0;
    for (let i = 0; i < SEALS; i++) {
      const receipt = (await ledger.receipt(i)) as Receipt;
      if (receipt.carry !== undefined) carried++;
      const v = await verifyReceipt(receipt, {
        content: utf8(`record ${i}`),
        anchors: [verifier],
        requireAnchor: true,
      });
      expect(v, `receipt ${i}`).toMatchObject({ ok: true, level: 3 });
    }
    // All but the checkpoints that own a transaction are carried.
    expect(carried).toBe(SEALS - anchorTxids.length);
  }, 240_000);

  it('an urgent checkpoint replaces the pending transaction at once: same inputs, fee >= old + 1 sat/vB x its size', async () => {
    const devnet = await fundedDevnet(key, 2);
    const { anchorer } = await testAnchorer(devnet, key, { rolling: true });
    const a = digestOf('roll a');
    const b = digestOf('roll b');
    await anchorer.anchor(a, { logSize: 1 });
    expect(anchorer.get(a)?.waiting).toBe(true);
    expect(await devnet.test.mempool()).toHaveLength(0);
    await anchorer.sync();
    const first = anchorer.get(a)!.attempts[0]!;
    expect(await devnet.test.mempool()).toEqual([first.txid]);
    const rb = await anchorer.anchor(b, { logSize: 2, urgency: 'urgent' });
    const second = rb.attempts[0]!;
    const t1 = Transaction.fromHex(first.rawTx);
    const t2 = Transaction.fromHex(second.rawTx);
    expect(t2.ins.map((i) => toHex(i.hash))).toEqual(t1.ins.map((i) => toHex(i.hash)));
    expect(second.fee >= first.fee + BigInt(t2.virtualSize())).toBe(true);
    expect(await devnet.test.mempool()).toEqual([second.txid]);
    expect(anchorer.get(a)?.replacedBy).toBe(rb.digest);
    expect(anchorer.carrier(a)?.digest).toBe(rb.digest);
    await devnet.test.mine(1);
    await anchorer.sync();
    expect(anchorer.get(b)?.status).toBe('confirmed');
    expect(anchorer.get(a)).toMatchObject({
      status: 'confirmed',
      confirmation: { txid: second.txid },
    });
    // The carried checkpoint has no entry of its own.
    expect(await anchorer.entry(a)).toBeUndefined();
  });

  it('the fee schedule: urgent anchors ask the estimate for the urgent target, normal ones for the normal target', async () => {
    const devnet = await fundedDevnet(key, 2);
    devnet.test.setFeeRate((target) => (target <= 1 ? 9 : target >= 6 ? 2 : 5));
    const { anchorer } = await testAnchorer(devnet, key, {
      rolling: true,
      feeSchedule: { normal: 6, urgent: 1 },
    });
    await anchorer.anchor(digestOf('schedule a'), { logSize: 1 });
    await anchorer.sync();
    expect(anchorer.get(digestOf('schedule a'))!.attempts[0]!.feeRate).toBe(2);
    const urgent = await anchorer.anchor(digestOf('schedule b'), { logSize: 2, urgency: 'urgent' });
    // A replacement: at the urgent rate, and above the replaced fee by its own size.
    expect(urgent.attempts[0]!.feeRate).toBeGreaterThanOrEqual(9);
    await expect(
      anchorer.anchor(digestOf('schedule c'), { urgency: 'soon' as 'urgent' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a replacement that never went out (crash simulated by an observer that throws after it was recorded): the replaced transaction confirms, the later checkpoint gets other coins', async () => {
    const devnet = await fundedDevnet(key, 2);
    const state = memoryAnchorStateStore();
    const a = digestOf('late a');
    const b = digestOf('late b');
    const first = await testAnchorer(devnet, key, { rolling: true, state });
    await first.anchorer.anchor(a, { logSize: 1 });
    await first.anchorer.sync();
    const txA = first.anchorer.get(a)!.attempts[0]!.txid;
    const crashing = await testAnchorer(devnet, key, {
      rolling: true,
      state,
      onEvent: (e) => {
        if (e.kind === 'recorded' && e.digest === toHex(b)) throw new Error('crash');
      },
    });
    await expect(crashing.anchorer.anchor(b, { logSize: 2, urgency: 'urgent' })).rejects.toThrow(
      'crash',
    );
    const lostB = crashing.anchorer.get(b)!.attempts[0]!.txid;
    expect(await devnet.test.mempool()).toEqual([txA]); // B was recorded, never sent
    await devnet.test.mine(1); // A confirms
    const restarted = await testAnchorer(devnet, key, { rolling: true, state });
    await restarted.anchorer.sync();
    const ra = restarted.anchorer.get(a)!;
    expect(ra).toMatchObject({ status: 'confirmed', confirmation: { txid: txA } });
    expect(ra.replacedBy).toBeUndefined();
    const rb = restarted.anchorer.get(b)!;
    expect(rb.attempts.map((x) => x.txid)).not.toContain(lostB);
    expect(rb.coins.map((c) => c.txid)).not.toEqual(ra.coins.map((c) => c.txid));
    await devnet.test.mine(1);
    await restarted.anchorer.sync();
    expect(restarted.anchorer.get(b)?.status).toBe('confirmed');
    expect(restarted.anchorer.carrier(b)?.digest).toBe(toHex(b));
    await expect(devnet.txStatus(lostB)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a daily fee budget refuses to spend past it (FEE_BUDGET_EXCEEDED) and the checkpoint waits', async () => {
    const devnet = await fundedDevnet(key, 1);
    const { anchorer, events } = await testAnchorer(devnet, key, {
      rolling: true,
      feeBudget: { satsPerDay: 100n },
    });
    const a = digestOf('budget a');
    await expect(anchorer.anchor(a, { urgency: 'urgent' })).rejects.toMatchObject({
      code: 'FEE_BUDGET_EXCEEDED',
    });
    expect(anchorer.get(a)?.waiting).toBe(true);
    await anchorer.sync();
    expect(
      events.some((e) => e.kind === 'error' && e.reason?.startsWith('FEE_BUDGET_EXCEEDED')),
    ).toBe(true);
    expect(await devnet.test.mempool()).toHaveLength(0);
  });

  it('refuses rolling for a key that does not sign in process (each replacement needs a signature)', async () => {
    const devnet = await fundedDevnet(key, 1);
    await expect(
      testAnchorer(
        devnet,
        { ...key, signer: { signPsbt: async (p: Uint8Array) => p } },
        { rolling: true },
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

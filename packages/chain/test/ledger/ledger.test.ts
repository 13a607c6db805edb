import {
  createAnchorRegistry,
  MemoryJournal,
  type Receipt,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { fundedDevnet, testAnchorer, testFundingKey } from '../anchor/setup.js';

const records = [
  '{"resourceType":"Observation","id":"a"}',
  '{"resourceType":"Observation","id":"b"}',
  'c',
];

describe('ledger: record -> commitment -> log -> checkpoint -> tx -> block -> PoW -> depth', () => {
  it('issues pending receipts at seal and upgrades them in place once the anchor confirms', async () => {
    const key = testFundingKey('ledger', 'p2wpkh');
    const devnet = await fundedDevnet(key);
    const { anchorer } = await testAnchorer(devnet, key);
    const ledger = await openLedger({
      origin: 'clinic.example/ledger',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    const accepted = await Promise.all(records.map((r) => ledger.add(utf8(r))));
    expect(accepted.map((a) => a.leafIndex)).toEqual([0, 1, 2]);
    const batch = await ledger.seal();
    expect(batch?.receipts).toHaveLength(3);
    const pending = (await ledger.receipt(1))!;
    expect(pending.anchors).toEqual([]);
    const record = anchorer.get(batch!.checkpointDigest);
    expect(record?.status).toBe('pending');

    expect(await ledger.sync()).toEqual([]); // not in a block yet
    await devnet.test.mine(1);
    const upgraded = await ledger.sync();
    expect(upgraded.map((r) => r.leafIndex)).toEqual([0, 1, 2]);
    const receipt = (await ledger.receipt(1))!;
    expect(receipt.anchors).toHaveLength(1);
    expect(receipt.anchors[0]).toMatchObject({
      type: 'bitcoin',
      network: 'regtest',
      txid: record!.attempts[0]!.txid,
    });

    // Level 2 offline; level 3 needs 6 confirmations from the backend.
    const offline = createAnchorRegistry([bitcoinAnchorVerifier({ network: regtest })]);
    const l2 = await verifyReceipt(receipt, {
      content: utf8(records[1]!),
      anchors: offline,
      requireAnchor: true,
    });
    expect(l2).toMatchObject({ ok: true, level: 2, contentChecked: true });

    const online = [
      bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 6 }),
    ];
    const early = await verifyReceipt(receipt, { anchors: online });
    expect(early.ok).toBe(false);
    if (!early.ok) expect(early.reason).toMatch(/chain: .*(1 confirmations|6 deep)/);

    await devnet.test.mine(5);
    // A fresh verifier: one remembers what a backend showed it within a run.
    const later = [
      bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 6 }),
    ];
    const l3 = await verifyReceipt(receipt, {
      content: utf8(records[1]!),
      anchors: later,
      requireAnchor: true,
    });
    expect(l3.ok).toBe(true);
    if (l3.ok) {
      expect(l3.level).toBe(3);
      expect(l3.anchors[0]?.details).toMatchObject({ confirmations: 6, disagreement: false });
    }
    // A tampered record fails at level 1, whatever its anchor.
    const tampered = await verifyReceipt(receipt, {
      content: utf8('{"resourceType":"Observation","id":"B"}'),
      anchors: online,
    });
    expect(tampered).toMatchObject({ ok: false, step: 'content' });
    await ledger.close();
  });

  it('seals and anchors on policy, and moves receipts to the new block after a reorg', async () => {
    const key = testFundingKey('ledger-reorg', 'p2tr');
    const devnet = await fundedDevnet(key);
    const { anchorer } = await testAnchorer(devnet, key);
    const sealed: number[] = [];
    const ledger = await openLedger({
      origin: 'clinic.example/policy',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
      policy: { maxRecords: 2 },
      onError: (e) => {
        throw e;
      },
    });
    await ledger.add(utf8('one'));
    await ledger.add(utf8('two'));
    // The policy seal and its anchor run in the background: wait for the broadcast, however
    // long a loaded machine takes (a 1 s budget was luck; the test's timeout is the bound).
    while ((await devnet.test.mempool()).length === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    sealed.push(ledger.batcher.checkpoint?.size ?? 0);
    expect(sealed).toEqual([2]);
    const [blockA] = await devnet.test.mine(1);
    await ledger.sync();
    const before = (await ledger.receipt(0)) as Receipt;
    expect(before.anchors[0]?.['blockHash']).toBe(blockA);

    await devnet.test.reorg(1);
    await ledger.sync();
    expect(((await ledger.receipt(0)) as Receipt).anchors).toEqual([]);

    const [blockB] = await devnet.test.mine(1);
    const changed = await ledger.sync();
    expect(changed).toHaveLength(2);
    const after = (await ledger.receipt(0)) as Receipt;
    expect(after.anchors).toHaveLength(1);
    expect(after.anchors[0]?.['blockHash']).toBe(blockB);
    const verified = await verifyReceipt(after, {
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 1 }),
      ],
    });
    expect(verified).toMatchObject({ ok: true, level: 3 });
    // The receipt from before the reorg names a block that left the best chain.
    const stale = await verifyReceipt(before, {
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 1 }),
      ],
    });
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.reason).toMatch(/not in its best chain|stale, reorganised/);
    await ledger.close();
  });

  it('anchors a checkpoint later when funds were not ready at seal time', async () => {
    const key = testFundingKey('ledger-late', 'p2wpkh');
    const devnet = await fundedDevnet(key, 1);
    const { anchorer } = await testAnchorer(devnet, key);
    const errors: string[] = [];
    const ledger = await openLedger({
      origin: 'clinic.example/late',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
      onError: (e) => errors.push((e as { code?: string }).code ?? 'unknown'),
    });
    await ledger.add(utf8('first'));
    const first = await ledger.seal();
    await ledger.add(utf8('second'));
    const second = await ledger.seal();
    expect(errors).toEqual(['FUNDS_UNCONFIRMED']); // the only coin is in flight for the first
    expect(anchorer.get(second!.checkpointDigest)).toBeUndefined();
    await devnet.test.mine(1);
    await ledger.sync(); // confirms the first, anchors the second with the change
    expect(anchorer.get(first!.checkpointDigest)?.status).toBe('confirmed');
    expect(anchorer.get(second!.checkpointDigest)?.status).toBe('pending');
    await devnet.test.mine(1);
    await ledger.sync();
    expect(((await ledger.receipt(1)) as Receipt).anchors).toHaveLength(1);
    await ledger.close();
  });
});

describe('ledger restart', () => {
  it('anchors the last sealed checkpoint after a restart that lost the anchor call', async () => {
    const key = testFundingKey('ledger-restart', 'p2wpkh');
    const devnet = await fundedDevnet(key, 2);
    const journal = new MemoryJournal();
    // First run: records sealed, but the process dies before anything is anchored
    // (simulated by an anchorer whose every call fails).
    const { anchorer: dead } = await testAnchorer(devnet, key, {
      onEvent: () => {
        throw new Error('simulated crash before the anchor was saved');
      },
    });
    const first = await openLedger({
      origin: 'clinic.example/restart',
      journal,
      anchorer: dead,
      network: regtest,
    });
    await first.add(utf8('r0'));
    await first.add(utf8('r1'));
    const batch = await first.seal();
    expect(dead.get(batch!.checkpointDigest)).toBeUndefined();
    await first.close();

    const { anchorer } = await testAnchorer(devnet, key);
    const second = await openLedger({
      origin: 'clinic.example/restart',
      journal,
      anchorer,
      network: regtest,
    });
    expect(second.batcher.checkpoint?.size).toBe(2);
    await second.sync();
    expect(anchorer.get(batch!.checkpointDigest)?.status).toBe('pending');
    expect(await devnet.test.mempool()).toHaveLength(1);
    // The receipts of that seal lived only in the dead process: rebuilt when reopened,
    // then upgraded once the anchor confirms.
    expect((await second.receipt(1))?.leafIndex).toBe(1);
    await devnet.test.mine(1);
    await second.sync();
    expect((await second.receipt(1))?.anchors).toHaveLength(1);
    await second.close();
  });
});

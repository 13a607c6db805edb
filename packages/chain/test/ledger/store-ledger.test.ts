import {
  createAnchorRegistry,
  isMedanchorError,
  type LedgerStore,
  memoryLedgerStore,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { type AnchorEvent, bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import type { Devnet } from '../../src/devnet/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { fundedDevnet, testFundingKey } from '../anchor/setup.js';

const fee = { minSatPerVb: 1, maxSatPerVb: 50 };

function anchoring(devnet: Devnet, label: string, onEvent?: (e: AnchorEvent) => unknown) {
  const key = testFundingKey(label, 'p2wpkh');
  return {
    key,
    options: {
      backend: devnet,
      network: regtest,
      key,
      fee,
      ...(onEvent === undefined
        ? {}
        : { onEvent: async (e: AnchorEvent) => void (await onEvent(e)) }),
    },
  };
}

/**
 * Fault injection (a process that stops dead, like SIGSTOP): a view of `store` whose
 * calls, once frozen, never resolve. Used only to freeze one of two in-process
 * sequencers; the store itself is real.
 */
function freezable(store: LedgerStore): {
  store: LedgerStore;
  freeze(): void;
  thaw(): void;
  frozen(): Promise<void>;
} {
  let frozen = false;
  let release: () => void = () => {};
  let gate = Promise.resolve();
  const view = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        if (frozen) await gate;
        return v.apply(target, args);
      };
    },
  });
  return {
    store: view,
    freeze() {
      frozen = true;
      gate = new Promise((r) => {
        release = r;
      });
    },
    thaw() {
      frozen = false;
      release();
    },
    frozen: () => gate,
  };
}

const until = async (what: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('store ledger: add -> sequence -> seal -> anchor -> receipts on demand', () => {
  it('acknowledges durably, sequences, seals, anchors and builds receipts from the store', async () => {
    const devnet = await fundedDevnet(testFundingKey('store-ledger', 'p2wpkh'));
    const store = memoryLedgerStore({ origin: 'clinic.example/store-ledger' });
    const ledger = await openLedger({
      store,
      anchorer: anchoring(devnet, 'store-ledger').options,
      pollMs: 0,
    });
    const acks = await Promise.all(
      ['a', 'b', 'c'].map((id, i) =>
        ledger.add(utf8(`{"id":"${id}"}`), { key: `${id}@1`, recordId: id, version: 1 + i }),
      ),
    );
    expect(acks.every((a) => !a.duplicate)).toBe(true);
    // A retry with the same key: the first acknowledgement, nothing new stored.
    const retry = await ledger.add(utf8('{"id":"b"}'), { key: 'b@1' });
    expect(retry).toMatchObject({ duplicate: true, pendingId: acks[1]!.pendingId });
    expect(await store.pendingCount()).toBe(3);
    expect(await ledger.receiptByKey('a@1')).toBeUndefined(); // not sequenced yet

    expect(await ledger.sequence()).toBe(true);
    expect(ledger.isSequencer).toBe(true);
    expect(await Promise.all(acks.map((a) => ledger.whenSequenced(a)))).toEqual([0, 1, 2]);
    expect(await ledger.receipt(0)).toBeUndefined(); // sequenced, not sealed

    const sealed = await ledger.seal();
    expect(sealed).toMatchObject({ firstIndex: 0, checkpoint: { size: 3 } });
    expect(sealed!.anchor.record?.status).toBe('pending');
    expect(await ledger.seal()).toBeUndefined(); // nothing new
    const pending = (await ledger.receiptByKey('b@1'))!;
    expect(pending).toMatchObject({ leafIndex: 1, anchors: [] });
    const l1 = await verifyReceipt(pending, { content: utf8('{"id":"b"}') });
    expect(l1).toMatchObject({ ok: true, level: 1 });

    expect(await ledger.sync()).toEqual([]); // not in a block yet
    await devnet.test.mine(1);
    const changed = await ledger.sync();
    expect(changed.map((c) => c.digest)).toEqual([sealed!.digest]);
    const receipts = await ledger.checkpointReceipts(sealed!.digest);
    expect(receipts.map((r) => r.leafIndex)).toEqual([0, 1, 2]);
    const byRecord = (await ledger.receiptByRecord('c', 3))!;
    expect(byRecord.leafIndex).toBe(2);
    expect(byRecord.anchors[0]).toMatchObject({ type: 'bitcoin', network: 'regtest' });
    const offline = createAnchorRegistry([bitcoinAnchorVerifier({ network: regtest })]);
    expect(
      await verifyReceipt(byRecord, { content: utf8('{"id":"c"}'), anchors: offline }),
    ).toMatchObject({ ok: true, level: 2 });

    // Final after 6 blocks: the state leaves the non-final set, receipts keep the entry.
    await devnet.test.mine(5);
    await ledger.sync();
    expect(await store.loadAnchors({ final: false })).toEqual([]);
    expect(await ledger.anchors()).toEqual([]);
    expect((await ledger.anchors({ all: true })).map((a) => a.record?.status)).toEqual(['final']);
    const online = [
      bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 6 }),
    ];
    const l3 = await verifyReceipt((await ledger.receipt(0))!, {
      content: utf8('{"id":"a"}'),
      anchors: online,
    });
    expect(l3).toMatchObject({ ok: true, level: 3 });

    // Another process's ledger builds receipts of the final anchor: it reads the
    // checkpoint and the anchor state once, not once per receipt.
    const reads = new Map<string, number>();
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const v = Reflect.get(target, name, receiver);
        if (typeof v !== 'function' || typeof name !== 'string') return v;
        return (...args: unknown[]) => {
          reads.set(name, (reads.get(name) ?? 0) + 1);
          return v.apply(target, args);
        };
      },
    });
    const entry = (await ledger.receipt(0))!.anchors[0];
    expect(entry).toMatchObject({ type: 'bitcoin' });
    const reader = await openLedger({ store: counted, owner: 'reader', pollMs: 0 });
    for (let k = 0; k < 30; k++) {
      const r = (await reader.receipt(k % 3))!;
      expect(r.anchors[0]).toEqual(entry);
    }
    expect(reads.get('checkpointCovering')).toBe(1);
    expect((reads.get('loadAnchor') ?? 0) + (reads.get('loadAnchors') ?? 0)).toBe(1);
    await reader.close();
    await ledger.close();
  });

  it('seals by size in the background loop and anchors each checkpoint once', async () => {
    const devnet = await fundedDevnet(testFundingKey('store-policy', 'p2wpkh'));
    const store = memoryLedgerStore({ origin: 'clinic.example/store-policy' });
    const ledger = await openLedger({
      store,
      anchorer: anchoring(devnet, 'store-policy').options,
      policy: { maxRecords: 2 },
      pollMs: 20,
      leaseTtlMs: 1000,
    });
    await ledger.add(utf8('one'));
    await ledger.add(utf8('two'));
    await until(async () => (await devnet.test.mempool()).length === 1);
    expect((await store.latestCheckpoint())?.size).toBe(2);
    await ledger.add(utf8('three')); // below the policy: not sealed
    await new Promise((r) => setTimeout(r, 150));
    expect(await store.size()).toBe(3);
    expect((await store.latestCheckpoint())?.size).toBe(2);
    expect(await devnet.test.mempool()).toHaveLength(1);
    await ledger.close();
  });

  it('seals by age in the background loop', async () => {
    const store = memoryLedgerStore({ origin: 'clinic.example/store-age' });
    const ledger = await openLedger({
      store,
      policy: { maxRecords: 1000, maxAgeMs: 100 },
      pollMs: 20,
      leaseTtlMs: 1000,
    });
    const ack = await ledger.add(utf8('old enough'), { key: 'k' });
    expect(await ledger.whenSequenced(ack)).toBe(0);
    await until(async () => (await store.latestCheckpoint())?.size === 1);
    expect((await ledger.receiptByKey('k'))?.leafIndex).toBe(0);
    await ledger.close();
  });

  it('a writer that is not the sequencer learns the leaf of a record added without a key', async () => {
    const store = memoryLedgerStore({ origin: 'clinic.example/store-writer' });
    const sequencer = await openLedger({ store, owner: 'seq', pollMs: 0 });
    expect(await sequencer.sequence()).toBe(true);
    const writer = await openLedger({ store, owner: 'writer', pollMs: 0 });
    await sequencer.add(utf8('first'));
    const ack = await writer.add(utf8('second'));
    expect(await writer.sequence()).toBe(false); // the lease is taken
    const waiting = writer.whenSequenced(ack, { timeoutMs: 5_000 });
    await sequencer.sequence();
    expect(await waiting).toBe(1);
    await expect(writer.seal()).rejects.toMatchObject({ code: 'LEDGER_NOT_SEQUENCER' });
    expect(await writer.sync()).toEqual([]);
    await writer.close();
    await sequencer.close();
  });

  it('reads the log size once for a burst of adds; every ack searchFrom stays a lower bound of its leaf', async () => {
    const store = memoryLedgerStore({ origin: 'clinic.example/store-hint' });
    let sizeReads = 0;
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const v = Reflect.get(target, name, receiver);
        if (name !== 'size' || typeof v !== 'function') return v;
        return () => {
          sizeReads++;
          return v.call(target);
        };
      },
    });
    const sequencer = await openLedger({ store, owner: 'seq', pollMs: 0 });
    const writer = await openLedger({ store: counted, owner: 'writer', pollMs: 0 });
    await sequencer.add(utf8('before'));
    await sequencer.sequence();
    const burst = await Promise.all(
      Array.from({ length: 200 }, (_, i) => writer.add(utf8(`burst ${i}`))),
    );
    // The burst shares reads (at most one per 100 ms, plus the first).
    expect(sizeReads).toBeLessThan(10);
    await sequencer.sequence();
    for (const ack of burst) {
      expect(ack.searchFrom).toBeLessThanOrEqual(await writer.whenSequenced(ack));
    }
    // Once the hint is older than 100 ms, an add reads the size again: the lower bound
    // follows the log instead of staying at its first value.
    await new Promise((r) => setTimeout(r, 150));
    const later = await writer.add(utf8('later'));
    expect(later.searchFrom).toBe(201);
    await sequencer.sequence();
    expect(await writer.whenSequenced(later)).toBe(201);
    await writer.close();
    await sequencer.close();
  });

  it('an add on a closed ledger and bad options are typed errors', async () => {
    const store = memoryLedgerStore({ origin: 'clinic.example/store-bad' });
    await expect(openLedger({ store, leaseTtlMs: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(openLedger({ store, policy: { maxRecords: 0 } })).rejects.toMatchObject({
      code: 'INVALID_POLICY',
    });
    const ledger = await openLedger({ store, pollMs: 0 });
    await expect(ledger.add('text' as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'INVALID_TYPE',
    });
    const ack = await ledger.add(utf8('x'));
    await expect(ledger.whenSequenced(ack, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'LEDGER_SEQUENCE_TIMEOUT',
    });
    await ledger.close();
    await expect(ledger.add(utf8('y'))).rejects.toMatchObject({ code: 'LEDGER_CLOSED' });
  });
});

describe('store ledger: one sequencer at a time', () => {
  it('a frozen sequencer is replaced within leaseTtl + poll; its anchor is rebroadcast, never paid twice; its stale writes are refused', async () => {
    const devnet = await fundedDevnet(testFundingKey('store-takeover', 'p2wpkh'));
    const shared = memoryLedgerStore({ origin: 'clinic.example/takeover' });
    const a = freezable(shared);
    let freezeAtRecorded = true;
    const errorsA: unknown[] = [];
    // A: freezes right after its anchor transaction is saved, before it is broadcast.
    const ledgerA = await openLedger({
      store: a.store,
      owner: 'A',
      anchorer: anchoring(devnet, 'store-takeover', (e) => {
        if (e.kind === 'recorded' && freezeAtRecorded) {
          freezeAtRecorded = false;
          a.freeze();
          return a.frozen(); // the whole process stands still here
        }
      }).options,
      leaseTtlMs: 400,
      pollMs: 0,
      onError: (e) => errorsA.push(e),
    });
    await ledgerA.add(utf8('r0'), { key: 'r0' });
    await ledgerA.add(utf8('r1'), { key: 'r1' });
    const sealing = ledgerA.seal(); // hangs inside the anchorer, frozen
    await until(() => !freezeAtRecorded);
    expect(await devnet.test.mempool()).toEqual([]); // saved, not broadcast
    const anchored = await shared.loadAnchors({ final: false });
    expect(anchored).toHaveLength(1);

    const started = Date.now();
    const ledgerB = await openLedger({
      store: shared,
      owner: 'B',
      anchorer: anchoring(devnet, 'store-takeover').options,
      leaseTtlMs: 400,
      pollMs: 50,
    });
    await until(() => ledgerB.isSequencer);
    const tookOver = Date.now() - started;
    console.log(`store ledger takeover after ${tookOver} ms (leaseTtlMs 400, pollMs 50)`);

    // B's anchorer is made from the stored state: it rebroadcasts A's transaction.
    await ledgerB.sync();
    const mempool = await devnet.test.mempool();
    expect(mempool).toHaveLength(1);
    const record = (await ledgerB.anchors())[0]!.record!;
    expect(record.attempts).toHaveLength(1);
    expect(mempool[0]).toBe(record.attempts[0]!.txid);

    // A wakes up: its writes carry the old token and are refused; it stops sequencing.
    a.thaw();
    await sealing.catch(() => {});
    await ledgerA.add(utf8('r2'), { key: 'r2' }); // writers need no lease
    await expect(ledgerA.seal()).rejects.toSatisfy(
      (e: unknown) =>
        isMedanchorError(e, 'LEDGER_NOT_SEQUENCER') || isMedanchorError(e, 'STORE_LEASE_LOST'),
    );
    expect(ledgerA.isSequencer).toBe(false);

    // B sequences what A's process added and seals it; every record is in one leaf.
    const sealed = await ledgerB.seal();
    expect(sealed?.checkpoint.size).toBe(3);
    const leaves = await shared.readLeaves(0, 3);
    expect(leaves.map((l) => l.key)).toEqual(['r0', 'r1', 'r2']);
    await devnet.test.mine(1);
    await ledgerB.sync();
    for (const key of ['r0', 'r1', 'r2']) {
      expect((await ledgerB.receiptByKey(key))?.anchors).toHaveLength(1);
    }
    // Two checkpoints, two anchor transactions in all: nothing paid twice.
    expect((await ledgerB.anchors({ all: true })).map((s) => s.record?.attempts.length)).toEqual([
      1, 1,
    ]);
    await ledgerA.close();
    await ledgerB.close();
  });
});

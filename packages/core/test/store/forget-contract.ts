// The forget (erasure) part of the LedgerStore contract, registered by
// runLedgerStoreContract for every store: memory, file, PostgreSQL.
import { expect, it } from 'vitest';
import {
  buildReceiptFromStore,
  isMedanchorError,
  type Lease,
  type LedgerStore,
  sealCheckpoint,
  sequencePending,
  TileTree,
  toHex,
  verifyReceiptMerkle,
} from '../../src/index.js';
import type { ContractStore } from './contract.js';
import { sampleItem } from './contract.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return e.code;
    throw e;
  }
  return 'resolved';
}

const T = Date.UTC(2026, 11, 6, 4, 30);

/** Registers the forget cases; `fresh` makes a store, `persistent` adds the reopen case. */
export function registerForgetContract(
  fresh: () => Promise<ContractStore>,
  lease: (store: LedgerStore) => Promise<Lease>,
  persistent: boolean,
): void {
  // Records 0..5: record "obs-1" has versions at leaves 1 and 4 (keys obs-1@1, obs-1@2).
  const setUp = async (store: LedgerStore) => {
    const l = await lease(store);
    const items = [0, 1, 2, 3, 4, 5].map((n) =>
      n === 1 || n === 4
        ? sampleItem(n, { key: `obs-1@${n === 1 ? 1 : 2}`, recordId: 'obs-1', version: n })
        : sampleItem(n, { key: `k${n}`, recordId: `other-${n}`, version: 1 }),
    );
    await store.addPending(items.slice(0, 3));
    await sequencePending(store, l, 100);
    await sealCheckpoint(store, l);
    await store.addPending(items.slice(3));
    await sequencePending(store, l, 100);
    const cp = await sealCheckpoint(store, l);
    return { l, items, cp: cp! };
  };

  it('forget erases salt, digest, key, record id and version of every version, and nothing else', async () => {
    const { store } = await fresh();
    const { items, cp } = await setUp(store);
    const before = await store.readLeaves(0, 6);
    const root = await new TileTree((a, b, c) => store.readTile(a, b, c), 6).root();
    const stones = await store.forget('obs-1', T);
    expect(stones.map((s) => s.index)).toEqual([1, 4]);
    expect(stones.map((s) => toHex(s.commitment))).toEqual([
      toHex(before[1]!.commitment),
      toHex(before[4]!.commitment),
    ]);
    expect(stones.every((s) => s.forgottenAt === T)).toBe(true);
    const after = await store.readLeaves(0, 6);
    for (const i of [1, 4]) {
      const leaf = after[i]!;
      expect(leaf.forgottenAt).toBe(T);
      expect(leaf.salt.length).toBe(0);
      expect(leaf.digest.length).toBe(0);
      expect(leaf.key).toBeUndefined();
      expect(leaf.recordId).toBeUndefined();
      expect(leaf.version).toBeUndefined();
      expect(toHex(leaf.commitment)).toBe(toHex(before[i]!.commitment));
      expect(leaf.pendingId).toBe(before[i]!.pendingId);
      expect((await store.tombstone(i))?.forgottenAt).toBe(T);
    }
    for (const i of [0, 2, 3, 5]) {
      expect(after[i]).toEqual(before[i]);
      expect(toHex(after[i]!.salt)).toBe(toHex(items[i]!.salt));
      expect(await store.tombstone(i)).toBeUndefined();
    }
    // The tree, the checkpoint and every other receipt are unchanged.
    expect(await store.size()).toBe(6);
    expect(toHex(await new TileTree((a, b, c) => store.readTile(a, b, c), 6).root())).toBe(
      toHex(root),
    );
    expect(toHex((await store.latestCheckpoint())!.root)).toBe(toHex(cp.root));
    for (const i of [0, 2, 3, 5]) {
      expect(verifyReceiptMerkle(await buildReceiptFromStore(store, i)).ok).toBe(true);
    }
    expect(await codeOf(buildReceiptFromStore(store, 1))).toBe('RECORD_FORGOTTEN');
    // No index leads to the record any more; its key is free again.
    expect(await store.versions('obs-1')).toEqual([]);
    expect(await store.leafByKey('obs-1@1')).toBeUndefined();
    expect(await store.versions('other-2')).toEqual([2]);
    expect((await store.leafByKey('k3'))?.index).toBe(3);
    const [again] = await store.addPending([sampleItem(9, { key: 'obs-1@1' })]);
    expect(again!.duplicateOf).toBeUndefined();
    // Twice, and an id never added: nothing to forget, nothing changed.
    expect(await store.forget('obs-1', T + 1)).toEqual([]);
    expect(await store.forget('never-added', T)).toEqual([]);
    expect((await store.tombstone(1))?.forgottenAt).toBe(T);
    expect(await store.tombstone(1000)).toBeUndefined();
  });

  it('refuses to forget a record not sequenced yet, and bad arguments, erasing nothing', async () => {
    const { store } = await fresh();
    const l = await lease(store);
    await store.addPending([sampleItem(1, { recordId: 'r' })]);
    await sequencePending(store, l, 10);
    await store.addPending([sampleItem(2, { recordId: 'r', key: 'r@2' })]);
    expect(await codeOf(store.forget('r', T))).toBe('STORE_FORGET_PENDING');
    const [leaf] = await store.readLeaves(0, 1);
    expect(leaf!.forgottenAt).toBeUndefined();
    expect(leaf!.salt.length).toBe(32);
    expect(await store.versions('r')).toEqual([0]);
    for (const [id, at] of [
      ['', T],
      ['x'.repeat(2000), T],
      [7, T],
      ['r', -1],
      ['r', 1.5],
      ['r', 'now'],
    ] as const) {
      expect(await codeOf(store.forget(id as unknown as string, at as unknown as number))).toBe(
        'INVALID_ARGUMENT',
      );
    }
    expect(await codeOf(store.tombstone(-1))).toBe('INVALID_ARGUMENT');
    await sequencePending(store, l, 10);
    expect((await store.forget('r', T)).map((s) => s.index)).toEqual([0, 1]);
  });

  if (persistent)
    it('keeps a forget across a reopen', async () => {
      const c = await fresh();
      const { l } = await setUp(c.store);
      await c.store.forget('obs-1', T);
      await c.store.releaseLease(l);
      await c.store.close();
      const again = await c.reopen!('contract.example/ledger');
      try {
        const [leaf] = await again.readLeaves(4, 1);
        expect(leaf!.forgottenAt).toBe(T);
        expect(leaf!.salt.length).toBe(0);
        expect(await again.versions('obs-1')).toEqual([]);
        expect(await again.leafByKey('obs-1@2')).toBeUndefined();
        expect((await again.leafByKey('k5'))?.index).toBe(5);
        expect(verifyReceiptMerkle(await buildReceiptFromStore(again, 5)).ok).toBe(true);
      } finally {
        await again.close();
      }
    });
}

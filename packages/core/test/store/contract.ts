// The LedgerStore contract suite: every store implementation runs it (memory and file
// here, PostgreSQL in @medanchor/postgres). Import it from a *.test.ts file and call
// runLedgerStoreContract with a target that makes fresh stores.
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildReceiptFromStore,
  buildReceipts,
  computeCommitment,
  isMedanchorError,
  type Lease,
  type LedgerStore,
  leafHash,
  MerkleLog,
  type PendingInput,
  prepareIntegration,
  StoreReceiptBuilder,
  sealCheckpoint,
  sequencePending,
  sha256,
  TileTree,
  toHex,
  utf8,
  verifyReceiptMerkle,
} from '../../src/index.js';
import { registerForgetContract } from './forget-contract.js';

/** One store made for a test, with hooks on the storage behind it. */
export interface ContractStore {
  /** The open store, empty. */
  readonly store: LedgerStore;
  /**
   * Opens the same storage again (the suite closes `store` first) with `origin`.
   * Absent for stores that live in one object (memory).
   */
  readonly reopen?: (origin: string) => Promise<LedgerStore>;
  /** Marks the (closed) storage as written by layout version `version`. */
  readonly writeSchemaVersion?: (version: number) => Promise<void>;
  /** A fingerprint of everything in the storage, to show a refused open wrote nothing. */
  readonly fingerprint?: () => Promise<string>;
  /** Frees the storage (after the store is closed). */
  readonly destroy?: () => Promise<void>;
}

/** What {@link runLedgerStoreContract} runs against. */
export interface ContractTarget {
  /** Makes a fresh, empty store of `origin`. */
  create(origin: string): Promise<ContractStore>;
  /** Leaves in the large tiles test (default 66,000: three tile levels). */
  largeLeaves?: number;
  /**
   * False for stores that live in one object (memory): the reopen/refusal test is not
   * registered for them, since there is no storage to open again. Default true.
   */
  persistent?: boolean;
}

const ORIGIN = 'contract.example/ledger';

/** A deterministic record of number `n` (salt and digest from its number). */
export function sampleItem(n: number, extra: Partial<PendingInput> = {}): PendingInput {
  return {
    salt: sha256(utf8(`salt ${n}`)),
    digest: sha256(utf8(`record ${n}`)),
    ...extra,
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return e.code;
    throw e;
  }
  return 'resolved';
}

/** Runs the contract suite against `target` under the describe block `name`. */
export function runLedgerStoreContract(name: string, target: ContractTarget): void {
  describe(`LedgerStore contract: ${name}`, () => {
    const made: ContractStore[] = [];
    const fresh = async (origin = ORIGIN) => {
      const c = await target.create(origin);
      made.push(c);
      return c;
    };
    afterEach(async () => {
      for (const c of made.splice(0)) {
        await c.store.close().catch(() => undefined);
        await c.destroy?.();
      }
    });
    const lease = async (store: LedgerStore, owner = 'sequencer-a'): Promise<Lease> => {
      const l = await store.acquireLease(owner, 60_000);
      expect(l).toBeDefined();
      return l!;
    };

    it('acknowledges records with their commitments and reads them back oldest first', async () => {
      const { store } = await fresh();
      expect(store.origin).toBe(ORIGIN);
      const items = [0, 1, 2].map((n) => sampleItem(n, { recordId: `r${n}`, version: n }));
      const acks = await store.addPending(items);
      expect(acks).toHaveLength(3);
      acks.forEach((a, i) => {
        expect(toHex(a.commitment)).toBe(
          toHex(computeCommitment(items[i]!.salt, items[i]!.digest)),
        );
        expect(a.duplicateOf).toBeUndefined();
      });
      const more = await store.addPending([sampleItem(3)]);
      const ids = [...acks, ...more].map((a) => BigInt(a.pendingId));
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(ids).size).toBe(4);
      expect(await store.pendingCount()).toBe(4);
      const two = await store.readPending(2);
      expect(two.map((p) => p.pendingId)).toEqual([acks[0]!.pendingId, acks[1]!.pendingId]);
      expect(toHex(two[1]!.salt)).toBe(toHex(items[1]!.salt));
      expect(two[1]!.recordId).toBe('r1');
      expect(two[1]!.version).toBe(1);
      expect(await store.readPending(100)).toHaveLength(4);
      expect(await store.addPending([])).toEqual([]);
    });

    it('returns the first acknowledgement for a key seen before, pending or sequenced', async () => {
      const { store } = await fresh();
      const [first] = await store.addPending([sampleItem(1, { key: 'obs-1@1' })]);
      const [again] = await store.addPending([sampleItem(99, { key: 'obs-1@1' })]);
      expect(again!.duplicateOf?.pendingId).toBe(first!.pendingId);
      expect(again!.pendingId).toBe(first!.pendingId);
      expect(toHex(again!.commitment)).toBe(toHex(first!.commitment));
      expect(await store.pendingCount()).toBe(1);
      // Twice in one call: one record.
      const pair = await store.addPending([
        sampleItem(2, { key: 'k2' }),
        sampleItem(3, { key: 'k2' }),
      ]);
      expect(pair[1]!.duplicateOf?.pendingId).toBe(pair[0]!.pendingId);
      expect(await store.pendingCount()).toBe(2);
      expect(await store.leafByKey('obs-1@1')).toBeUndefined();
      const l = await lease(store);
      await sequencePending(store, l, 100);
      const [late] = await store.addPending([sampleItem(4, { key: 'obs-1@1' })]);
      expect(late!.duplicateOf?.pendingId).toBe(first!.pendingId);
      expect(toHex(late!.commitment)).toBe(toHex(first!.commitment));
      expect(await store.pendingCount()).toBe(0);
      expect(await store.size()).toBe(2);
      const leaf = await store.leafByKey('obs-1@1');
      expect(leaf?.index).toBe(0);
      expect(leaf?.pendingId).toBe(first!.pendingId);
    });

    it('refuses malformed items whole, storing nothing', async () => {
      const { store } = await fresh();
      const bad: [PendingInput, string][] = [
        [{ salt: new Uint8Array(31), digest: new Uint8Array(32) }, 'INVALID_LENGTH'],
        [{ salt: new Uint8Array(32), digest: new Uint8Array(33) }, 'INVALID_LENGTH'],
        [{ ...sampleItem(1), key: '' }, 'INVALID_ARGUMENT'],
        [{ ...sampleItem(1), recordId: 'x'.repeat(2000) }, 'INVALID_ARGUMENT'],
        [{ ...sampleItem(1), version: -1 }, 'INVALID_ARGUMENT'],
        [{ ...sampleItem(1), version: 1.5 }, 'INVALID_ARGUMENT'],
        [{ salt: 'abc', digest: new Uint8Array(32) } as unknown as PendingInput, 'INVALID_TYPE'],
      ];
      for (const [item, code] of bad) {
        expect(await codeOf(store.addPending([sampleItem(0, { key: 'ok' }), item]))).toBe(code);
      }
      expect(await store.pendingCount()).toBe(0);
      // The good item's key was not taken by the refused call.
      const [ack] = await store.addPending([sampleItem(0, { key: 'ok' })]);
      expect(ack!.duplicateOf).toBeUndefined();
    });

    it('fences the sequencer lease: a stale holder can never write after a takeover', async () => {
      const { store } = await fresh();
      const a = await lease(store, 'a');
      expect(Number.isSafeInteger(a.token) && a.token > 0).toBe(true);
      expect(await store.acquireLease('b', 60_000)).toBeUndefined();
      const again = await lease(store, 'a');
      expect(again.token).toBe(a.token);
      const renewed = await store.renewLease(a, 60_000);
      expect(renewed.token).toBe(a.token);
      await store.releaseLease(a);
      await store.addPending([sampleItem(1), sampleItem(2)]);
      expect(await codeOf(sequencePending(store, a, 10))).toBe('STORE_LEASE_LOST');
      const b = await lease(store, 'b');
      expect(b.token).toBeGreaterThan(a.token);
      expect(await codeOf(store.renewLease(a, 1000))).toBe('STORE_LEASE_LOST');
      expect(await codeOf(sequencePending(store, a, 10))).toBe('STORE_LEASE_LOST');
      expect(await store.size()).toBe(0);
      expect(await codeOf(store.saveAnchor(a, '00'.repeat(32), {}, false))).toBe(
        'STORE_LEASE_LOST',
      );
      expect(await store.loadAnchors()).toEqual([]);
      await sequencePending(store, b, 10);
      expect(await codeOf(sealCheckpoint(store, a))).toBe('STORE_LEASE_LOST');
      expect(await store.latestCheckpoint()).toBeUndefined();
      expect(await sealCheckpoint(store, b)).toBeDefined();
      // Releasing a lease that changed hands does not release the new holder's.
      await store.releaseLease(a);
      expect(await store.acquireLease('c', 60_000)).toBeUndefined();
    });

    it('hands an expired lease to another owner with a larger token', async () => {
      const { store } = await fresh();
      const a = await store.acquireLease('a', 30);
      expect(a).toBeDefined();
      await new Promise((r) => setTimeout(r, 120));
      const b = await store.acquireLease('b', 60_000);
      expect(b?.token).toBeGreaterThan(a!.token);
      expect(await codeOf(store.renewLease(a!, 1000))).toBe('STORE_LEASE_LOST');
    });

    it('integrates atomically: a refused batch changes nothing', async () => {
      const { store } = await fresh();
      const l = await lease(store);
      await store.addPending([0, 1, 2].map((n) => sampleItem(n)));
      const pending = await store.readPending(10);
      const batch = await prepareIntegration(store, 0, pending.slice(0, 2));
      expect(await codeOf(store.integrate(l, { ...batch, firstIndex: 1 }))).toBe('STORE_CONFLICT');
      const ghost = { ...pending[2]!, pendingId: '999999999' };
      const withGhost = await prepareIntegration(store, 0, [pending[0]!, ghost]);
      expect(await codeOf(store.integrate(l, withGhost))).toBe('STORE_CONFLICT');
      const badTile = { ...batch, tiles: [{ level: 0, index: 0, hashes: new Uint8Array(33) }] };
      expect(await codeOf(store.integrate(l, badTile))).toBe('INVALID_ARGUMENT');
      expect(await store.size()).toBe(0);
      expect(await store.pendingCount()).toBe(3);
      expect(await codeOf(store.readTile(0, 0, 1))).toBe('STORE_RANGE');
      await store.integrate(l, batch);
      expect(await store.size()).toBe(2);
      expect(await store.pendingCount()).toBe(1);
      // The same batch again: its records are no longer pending, the size moved on.
      expect(await codeOf(store.integrate(l, batch))).toBe('STORE_CONFLICT');
      const late = await prepareIntegration(store, 2, [pending[0]!]);
      expect(await codeOf(store.integrate(l, late))).toBe('STORE_CONFLICT');
      expect(await store.size()).toBe(2);
      expect((await store.readPending(10)).map((p) => p.pendingId)).toEqual([
        pending[2]!.pendingId,
      ]);
    });

    it('keeps tiles equal to the MerkleLog nodes, with proofs equal to its proofs', async () => {
      const { store } = await fresh();
      const l = await lease(store);
      const total = target.largeLeaves ?? 66_000;
      const log = new MerkleLog();
      const cuts = [1, 254, 1, 1, 600, total - 857];
      const sizes: number[] = [];
      let n = 0;
      for (const cut of cuts) {
        const items = Array.from({ length: cut }, (_, i) => sampleItem(n + i));
        for (let i = 0; i < items.length; i += 5000) {
          await store.addPending(items.slice(i, i + 5000));
        }
        log.append(items.map((it) => leafHash(computeCommitment(it.salt, it.digest))));
        while ((await store.pendingCount()) > 0) await sequencePending(store, l, 20_000);
        n += cut;
        sizes.push(n);
        expect(await store.size()).toBe(n);
      }
      for (let level = 0; 256 ** level <= n; level++) {
        const nodes = Math.floor(n / 256 ** level);
        for (let index = 0; index * 256 < nodes; index++) {
          const width = Math.min(256, nodes - index * 256);
          const tile = await store.readTile(level, index, width);
          expect(toHex(tile)).toBe(toHex(log.store.nodes(8 * level, index * 256, width)));
          // Wider than the tree has (or than a tile holds): refused.
          expect(await codeOf(store.readTile(level, index, width + 1))).toBe('STORE_RANGE');
        }
      }
      for (const size of sizes) {
        const tree = new TileTree((a, b, c) => store.readTile(a, b, c), size);
        expect(toHex(await tree.root())).toBe(toHex(log.root(size)));
        for (const i of [0, Math.floor(size / 2), size - 1]) {
          expect((await tree.inclusionProof(i)).map(toHex)).toEqual(
            log.inclusionProof(i, size).map(toHex),
          );
        }
        for (const m of [1, Math.max(1, size - 1), Math.ceil(size / 3)]) {
          expect((await tree.consistencyProof(m)).map(toHex)).toEqual(
            log.consistencyProof(m, size).map(toHex),
          );
        }
      }
    });

    it('reads leaves, keys and record versions', async () => {
      const { store } = await fresh();
      const l = await lease(store);
      await store.addPending([
        sampleItem(0, { key: 'a@1', recordId: 'a', version: 1 }),
        sampleItem(1, { recordId: 'b', version: 1 }),
        sampleItem(2),
      ]);
      await sequencePending(store, l, 2);
      await store.addPending([sampleItem(3, { key: 'a@2', recordId: 'a', version: 2 })]);
      await sequencePending(store, l, 10);
      await sequencePending(store, l, 10);
      expect(await store.size()).toBe(4);
      const leaves = await store.readLeaves(0, 4);
      expect(leaves.map((x) => x.index)).toEqual([0, 1, 2, 3]);
      expect(leaves[0]).toMatchObject({ key: 'a@1', recordId: 'a', version: 1 });
      expect(leaves[2]!.key).toBeUndefined();
      expect(leaves[2]!.recordId).toBeUndefined();
      expect(leaves[2]!.version).toBeUndefined();
      expect(toHex(leaves[3]!.digest)).toBe(toHex(sampleItem(3).digest));
      expect(toHex(leaves[3]!.commitment)).toBe(
        toHex(computeCommitment(sampleItem(3).salt, sampleItem(3).digest)),
      );
      expect(await store.readLeaves(4, 0)).toEqual([]);
      expect(await codeOf(store.readLeaves(3, 2))).toBe('STORE_RANGE');
      expect(await store.versions('a')).toEqual([0, 3]);
      expect(await store.versions('b')).toEqual([1]);
      expect(await store.versions('nobody')).toEqual([]);
      expect((await store.leafByKey('a@2'))?.index).toBe(3);
      expect(await store.leafByKey('zzz')).toBeUndefined();
    });

    it('stores checkpoints of its own log only, at growing sizes with the true root', async () => {
      const { store } = await fresh();
      const l = await lease(store);
      expect(await sealCheckpoint(store, l)).toBeUndefined();
      await store.addPending([0, 1, 2].map((n) => sampleItem(n)));
      await sequencePending(store, l, 2);
      const note = utf8('contract.example/ledger\n2\nsignature lines\n');
      const first = await sealCheckpoint(store, l, note);
      expect(first?.size).toBe(2);
      const log = new MerkleLog();
      log.append(
        [0, 1, 2].map((n) => leafHash(computeCommitment(sampleItem(n).salt, sampleItem(n).digest))),
      );
      expect(toHex(first!.root)).toBe(toHex(log.root(2)));
      await sequencePending(store, l, 10);
      const wrongRoot = { origin: ORIGIN, size: 3, root: log.root(2) };
      expect(await codeOf(store.putCheckpoint(l, wrongRoot))).toBe('STORE_CONFLICT');
      const other = { origin: 'other.example/log', size: 3, root: log.root(3) };
      expect(await codeOf(store.putCheckpoint(l, other))).toBe('STORE_ORIGIN_MISMATCH');
      const tooBig = { origin: ORIGIN, size: 4, root: log.root(3) };
      expect(await codeOf(store.putCheckpoint(l, tooBig))).toBe('STORE_CONFLICT');
      expect(await codeOf(store.putCheckpoint(l, { ...wrongRoot, root: new Uint8Array(5) }))).toBe(
        'INVALID_LENGTH',
      );
      expect((await store.latestCheckpoint())?.size).toBe(2);
      await store.putCheckpoint(l, { origin: ORIGIN, size: 3, root: log.root(3) });
      // Putting the latest again is a no-op; an older size is refused.
      await store.putCheckpoint(l, { origin: ORIGIN, size: 3, root: log.root(3) });
      expect(await codeOf(store.putCheckpoint(l, { ...first!, note: undefined }))).toBe(
        'STORE_CONFLICT',
      );
      const latest = await store.latestCheckpoint();
      expect(latest?.size).toBe(3);
      expect(latest?.note).toBeUndefined();
      const c0 = await store.checkpointCovering(0);
      expect(c0?.size).toBe(2);
      expect(toHex(c0!.note!)).toBe(toHex(note));
      expect((await store.checkpointCovering(1))?.size).toBe(2);
      expect((await store.checkpointCovering(2))?.size).toBe(3);
      expect(await store.checkpointCovering(3)).toBeUndefined();
    });

    it('builds the receipt a seal makes, on demand from tiles and checkpoint', async () => {
      const { store } = await fresh();
      const l = await lease(store);
      const items = Array.from({ length: 300 }, (_, i) => sampleItem(i));
      await store.addPending(items.slice(0, 290));
      await sequencePending(store, l, 1000);
      expect(await codeOf(buildReceiptFromStore(store, 5))).toBe('STORE_NOT_SEALED');
      const cp1 = await sealCheckpoint(store, l);
      await store.addPending(items.slice(290));
      await sequencePending(store, l, 1000);
      await sealCheckpoint(store, l);
      const commitments = items.map((it) => ({
        ...it,
        commitment: computeCommitment(it.salt, it.digest),
      }));
      const log = new MerkleLog();
      log.append(commitments.map((c) => leafHash(c.commitment)));
      const expected = buildReceipts(
        commitments.slice(0, 290),
        0,
        { origin: ORIGIN, size: 290, root: log.root(290) },
        log.inclusionProofs(0, 290, 290),
      );
      for (const i of [0, 255, 256, 289]) {
        const r = await buildReceiptFromStore(store, i);
        expect(r).toEqual(expected[i]);
        expect(verifyReceiptMerkle(r).ok).toBe(true);
      }
      const late = await buildReceiptFromStore(store, 295);
      expect(late.checkpoint.size).toBe(300);
      expect(verifyReceiptMerkle(late).ok).toBe(true);
      expect((await buildReceiptFromStore(store, 3, cp1)).treeSize).toBe(290);
      // A range across the two seals: each receipt at the checkpoint that sealed it.
      const range = await new StoreReceiptBuilder(store).buildRange(250, 50);
      expect(range.slice(0, 40)).toEqual(expected.slice(250, 290));
      expect(range.slice(40).map((r) => [r.leafIndex, r.checkpoint.size])).toEqual(
        Array.from({ length: 10 }, (_, i) => [290 + i, 300]),
      );
      expect(range.every((r) => verifyReceiptMerkle(r).ok)).toBe(true);
    });

    it('keeps anchor state by checkpoint digest and filters on final', async () => {
      const { store } = await fresh();
      const l = await lease(store);
      const d1 = '11'.repeat(32);
      const d2 = '22'.repeat(32);
      await store.saveAnchor(l, d1, { txid: 'aa', fee: '123' }, false);
      await store.saveAnchor(l, d2, { txid: 'bb' }, false);
      await store.saveAnchor(l, d2, { txid: 'bb', height: 7 }, true);
      const open = await store.loadAnchors({ final: false });
      expect(open).toEqual([{ digest: d1, state: { txid: 'aa', fee: '123' }, final: false }]);
      expect(await store.loadAnchors({ final: true })).toEqual([
        { digest: d2, state: { txid: 'bb', height: 7 }, final: true },
      ]);
      expect((await store.loadAnchors()).map((a) => a.digest).sort()).toEqual([d1, d2]);
      expect(await store.loadAnchor(d1)).toEqual({
        digest: d1,
        state: { txid: 'aa', fee: '123' },
        final: false,
      });
      expect(await store.loadAnchor(d2)).toEqual({
        digest: d2,
        state: { txid: 'bb', height: 7 },
        final: true,
      });
      expect(await store.loadAnchor('44'.repeat(32))).toBeUndefined();
      expect(await codeOf(store.loadAnchor('nothex'))).toBe('INVALID_ARGUMENT');
      // Back from final (a reorg): the newest save wins everywhere.
      await store.saveAnchor(l, d2, { txid: 'bb', reorged: true }, false);
      expect((await store.loadAnchor(d2))?.final).toBe(false);
      expect(await store.loadAnchors({ final: true })).toEqual([]);
      await store.saveAnchor(l, d2, { txid: 'bb', height: 8 }, true);
      expect(await store.loadAnchor(d2)).toEqual({
        digest: d2,
        state: { txid: 'bb', height: 8 },
        final: true,
      });
      expect(await codeOf(store.saveAnchor(l, 'XYZ', {}, false))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(store.saveAnchor(l, d1, { n: 1n }, false))).toBe('INVALID_ARGUMENT');
      expect(await store.loadAnchors({ final: false })).toHaveLength(1);
    });

    it('takes many concurrent adds without losing or doubling one', async () => {
      const { store } = await fresh();
      const calls = Array.from({ length: 200 }, (_, c) =>
        store.addPending(Array.from({ length: 10 }, (_, i) => sampleItem(c * 10 + i))),
      );
      const keyed = Array.from({ length: 20 }, (_, c) =>
        store.addPending([sampleItem(10_000 + c, { key: 'same-key' })]),
      );
      const acks = (await Promise.all(calls)).flat();
      const keyAcks = (await Promise.all(keyed)).flat();
      expect(new Set(acks.map((a) => a.pendingId)).size).toBe(2000);
      expect(keyAcks.filter((a) => a.duplicateOf === undefined)).toHaveLength(1);
      expect(new Set(keyAcks.map((a) => a.pendingId)).size).toBe(1);
      expect(await store.pendingCount()).toBe(2001);
      const l = await lease(store);
      while ((await store.pendingCount()) > 0) await sequencePending(store, l, 700);
      const leaves = await store.readLeaves(0, 2001);
      expect(new Set(leaves.map((x) => x.pendingId)).size).toBe(2001);
    });

    it('refuses every call once closed', async () => {
      const { store } = await fresh();
      await store.close();
      expect(await codeOf(store.size())).toBe('STORE_CLOSED');
      expect(await codeOf(store.addPending([sampleItem(1)]))).toBe('STORE_CLOSED');
      expect(await codeOf(store.readPending(1))).toBe('STORE_CLOSED');
    });

    registerForgetContract(fresh, (s) => lease(s), target.persistent !== false);

    // Stores that live in one object have nothing to open again: not registered for them.
    if (target.persistent !== false)
      it('opens again with everything kept, and refuses another origin or layout, writing nothing', async () => {
        const c = await fresh();
        if (c.reopen === undefined)
          throw new Error(`${name}: a persistent store target must give reopen`);
        const l = await lease(c.store);
        await c.store.addPending(
          [0, 1, 2].map((n) => sampleItem(n, { key: `k${n}`, recordId: 'r' })),
        );
        await sequencePending(c.store, l, 2);
        await sealCheckpoint(c.store, l);
        await c.store.saveAnchor(l, '33'.repeat(32), { x: 1 }, false);
        await c.store.releaseLease(l);
        await c.store.close();
        const before = await c.fingerprint?.();
        expect(await codeOf(c.reopen('another.example/log'))).toBe('STORE_ORIGIN_MISMATCH');
        if (before !== undefined) expect(await c.fingerprint!()).toBe(before);
        const again = await c.reopen(ORIGIN);
        expect(await again.size()).toBe(2);
        expect(await again.pendingCount()).toBe(1);
        expect((await again.leafByKey('k1'))?.index).toBe(1);
        expect(await again.versions('r')).toEqual([0, 1]);
        expect((await again.latestCheckpoint())?.size).toBe(2);
        expect(await again.loadAnchors({ final: false })).toHaveLength(1);
        expect((await again.loadAnchor('33'.repeat(32)))?.state).toEqual({ x: 1 });
        const [dup] = await again.addPending([sampleItem(7, { key: 'k2' })]);
        expect(dup!.duplicateOf).toBeDefined();
        const l2 = await lease(again, 'sequencer-b');
        expect(l2.token).toBeGreaterThan(l.token);
        await sequencePending(again, l2, 10);
        expect(toHex((await sealCheckpoint(again, l2))!.root)).toBe(
          toHex(await new TileTree((a, b, d) => again.readTile(a, b, d), 3).root()),
        );
        await again.close();
        if (c.writeSchemaVersion !== undefined) {
          await c.writeSchemaVersion(99);
          const mid = await c.fingerprint?.();
          expect(await codeOf(c.reopen(ORIGIN))).toBe('STORE_SCHEMA_UNKNOWN');
          if (mid !== undefined) expect(await c.fingerprint!()).toBe(mid);
        }
      });
  });
}

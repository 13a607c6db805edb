// The store ledger's head map (docs/spec/head-map.md section 6): every seal signs the map
// root into the checkpoint; proofs at every checkpoint name each record's newest leaf or its
// absence, checked against the leaves the store holds; file-backed maps survive a restart.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeVerifierKey,
  generateNoteKey,
  type HeadMapStore,
  headMapRootOf,
  type LedgerStore,
  memoryHeadMapStore,
  memoryLedgerStore,
  parseCheckpointText,
  parseNote,
  toHex,
  trustPolicy,
  utf8,
  verifyHeadProof,
  verifyReceipt,
} from '@medanchor/core';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger, type StoreLedger } from '../../src/ledger/index.js';

const ORIGIN = 'clinic.example/head-map';
const logKey = generateNoteKey(ORIGIN);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A ledger on `store`, sequenced by the test, that keeps a head map (in memory unless given). */
const mappedLedger = (store: LedgerStore, map: HeadMapStore = memoryHeadMapStore()) =>
  openLedger({ store, pollMs: 0, signer: logKey, headMap: { store: map } });

/** The truth from the store: each record's newest leaf and count below `size`. */
async function headsAt(store: LedgerStore, size: number) {
  const heads = new Map<string, { leafIndex: number; count: number; commitment: string }>();
  for (const leaf of await store.readLeaves(0, size)) {
    if (leaf.recordId === undefined) continue;
    const count = (heads.get(leaf.recordId)?.count ?? 0) + 1;
    heads.set(leaf.recordId, { leafIndex: leaf.index, count, commitment: toHex(leaf.commitment) });
  }
  return heads;
}

// Fixed rounds: which records get a version in each seal (some twice in one seal).
const ROUNDS = [
  ['Consent/c-1', 'Observation/o-1', 'Observation/o-2'],
  ['Observation/o-1', 'Observation/o-1', 'Patient/p-1'],
  ['Consent/c-1', 'Observation/o-3'],
];
const RECORDS = [
  'Consent/c-1',
  'Observation/o-1',
  'Observation/o-2',
  'Observation/o-3',
  'Patient/p-1',
  'Patient/never',
];

async function checkEveryProof(ledger: StoreLedger, store: LedgerStore, sizes: readonly number[]) {
  for (const size of sizes) {
    const truth = await headsAt(store, size);
    for (const record of RECORDS) {
      const proof = await ledger.headProof(record, { size });
      const r = verifyHeadProof(JSON.parse(JSON.stringify(proof)), { keys: [logKey], record });
      expect(r.ok, `${record} at ${size}`).toBe(true);
      if (!r.ok) continue;
      expect(r.checkpoint.size).toBe(size);
      const want = truth.get(record);
      if (want === undefined) expect(r.head, `${record} at ${size}`).toBeNull();
      else
        expect(
          {
            leafIndex: r.head?.leafIndex,
            count: r.head?.count,
            commitment: r.head && toHex(r.head.commitment),
          },
          `${record} at ${size}`,
        ).toEqual(want);
    }
  }
}

describe('store ledger head map', () => {
  it('every seal commits to the map; proofs at every checkpoint match the leaves (memory)', async () => {
    const store = memoryLedgerStore({ origin: ORIGIN });
    const ledger = await mappedLedger(store);
    const sizes: number[] = [];
    for (const round of ROUNDS) {
      for (const [i, recordId] of round.entries())
        await ledger.add(utf8(`${recordId} v${sizes.length}.${i}`), { recordId });
      await ledger.add(utf8(`no record id ${sizes.length}`));
      sizes.push((await ledger.seal())!.checkpoint.size);
      const note = (await store.latestCheckpoint())!.note!;
      expect(headMapRootOf(parseCheckpointText(parseNote(note).text).extensions)).toBeDefined();
    }
    await checkEveryProof(ledger, store, sizes);
    // The head's receipt is the leaf the proof names, and still verifies under the trust policy.
    const proof = await ledger.headProof('Consent/c-1');
    const receipt = (await ledger.receipt(proof.head!.leafIndex))!;
    expect(receipt.record.commitment).toBe(proof.head!.commitment);
    const r = await verifyReceipt(receipt, {
      trust: trustPolicy({ logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(logKey)] }] }),
    });
    expect(r.ok).toBe(true);
    await expect(ledger.headProof('Consent/c-1', { size: 2 })).rejects.toMatchObject({
      code: 'HEAD_MAP_UNAVAILABLE',
    });
    await expect(ledger.headProof('', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await ledger.close();
  });

  it('refuses a head map without a signer; a ledger without one answers HEAD_MAP_UNAVAILABLE', async () => {
    const store = memoryLedgerStore({ origin: ORIGIN });
    await expect(
      openLedger({ store, pollMs: 0, headMap: { store: memoryHeadMapStore() } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      openLedger({ store, pollMs: 0, signer: logKey, headMap: { store: {} as never } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const plain = await openLedger({ store, pollMs: 0, signer: logKey });
    await plain.add(utf8('x'), { recordId: 'Consent/c-1' });
    await plain.seal();
    await expect(plain.headProof('Consent/c-1')).rejects.toMatchObject({
      code: 'HEAD_MAP_UNAVAILABLE',
    });
    await plain.close();
    // Opened later with a map: the first seal builds it from leaf 0; the old checkpoint has none.
    const mapped = await mappedLedger(store);
    await mapped.add(utf8('y'), { recordId: 'Consent/c-1' });
    await mapped.seal();
    await expect(mapped.headProof('Consent/c-1', { size: 1 })).rejects.toMatchObject({
      code: 'HEAD_MAP_UNAVAILABLE',
    });
    const r = verifyHeadProof(await mapped.headProof('Consent/c-1'), { keys: [logKey] });
    expect(r.ok && r.head).toMatchObject({ leafIndex: 1, count: 2 });
    await mapped.close();
  });

  it("a map store without the latest checkpoint's nodes stops the seal with STORE_CORRUPT, writing no checkpoint", async () => {
    const store = memoryLedgerStore({ origin: ORIGIN });
    const first = await mappedLedger(store);
    await first.add(utf8('a'), { recordId: 'Consent/c-1' });
    await first.seal();
    await first.close();
    // Another (empty) map store: the signed root's nodes are not there.
    const lost = await mappedLedger(store);
    await lost.add(utf8('b'), { recordId: 'Consent/c-1' });
    await expect(lost.seal()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect((await store.latestCheckpoint())!.size).toBe(1);
    await lost.close();
  });

  it('after a forget the map cannot find the record again; a new version starts a new entry', async () => {
    const store = memoryLedgerStore({ origin: ORIGIN });
    const ledger = await mappedLedger(store);
    for (const v of [1, 2]) await ledger.add(utf8(`obs v${v}`), { recordId: 'Observation/gone' });
    await ledger.add(utf8('other'), { recordId: 'Observation/kept' });
    const size = (await ledger.seal())!.checkpoint.size;
    const before = verifyHeadProof(await ledger.headProof('Observation/gone'), { keys: [logKey] });
    expect(before.ok && before.head?.count).toBe(2);
    await ledger.forget('Observation/gone');
    // The key salt bound the erased salt of the first leaf: the same question now finds nothing.
    const after = await ledger.headProof('Observation/gone', { size });
    expect(after.keySalt).not.toBe((await ledger.headProof('Observation/kept')).keySalt);
    const gone = verifyHeadProof(after, { keys: [logKey], record: 'Observation/gone' });
    expect(gone.ok && gone.head).toBeNull();
    // Other records' proofs at the same checkpoint are unchanged.
    const kept = verifyHeadProof(await ledger.headProof('Observation/kept', { size }), {
      keys: [logKey],
    });
    expect(kept.ok && kept.head?.leafIndex).toBe(2);
    // The record id used again after the erasure: a new entry, counted from 1.
    await ledger.add(utf8('obs v3'), { recordId: 'Observation/gone' });
    await ledger.seal();
    const again = verifyHeadProof(await ledger.headProof('Observation/gone'), { keys: [logKey] });
    expect(again.ok && again.head).toMatchObject({ leafIndex: 3, count: 1 });
    await ledger.close();
  });

  it('file stores: the map survives a restart, proofs at old checkpoints stay, counts go on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medanchor-head-map-'));
    dirs.push(dir);
    const open = async () => {
      const store = await openFileLedgerStore(join(dir, 'store'), { origin: ORIGIN });
      const map = await openFileHeadMapStore(join(dir, 'head-map'));
      const ledger = await mappedLedger(store, map);
      return { store, map, ledger };
    };
    let s = await open();
    expect(statSync(join(dir, 'head-map', 'secret')).mode & 0o777).toBe(0o600);
    const sizes: number[] = [];
    for (const [n, round] of ROUNDS.entries()) {
      for (const [i, recordId] of round.entries())
        await s.ledger.add(utf8(`${recordId} f${n}.${i}`), { recordId });
      sizes.push((await s.ledger.seal())!.checkpoint.size);
      if (n === 1) {
        // Restart between seals.
        const saltBefore = (await s.ledger.headProof('Consent/c-1')).keySalt;
        await s.ledger.close();
        await s.map.close!();
        await s.store.close();
        s = await open();
        expect((await s.ledger.headProof('Consent/c-1')).keySalt).toBe(saltBefore);
      }
    }
    await checkEveryProof(s.ledger, s.store, sizes);
    await s.ledger.close();
    await s.map.close!();
    await s.store.close();
  });
});

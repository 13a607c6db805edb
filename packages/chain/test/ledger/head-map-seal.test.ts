// The seal with the head map looks up first versions in one batch (LedgerStore.firstVersions)
// and remembers recent keys; none of that may change a byte of the map. Seeded random
// workloads (new records, new versions, forgets, ids used again after a forget) run on
// three ledgers sharing one map secret: the batch lookup with its key memory, the batch
// lookup opened afresh before every seal (every key derived or read again), and a store
// without firstVersions (the per-record fallback, as before). Every checkpoint's map root
// must be the same bytes on all three; on the file store too; and the final proofs name
// each record's newest leaf as the store holds it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateNoteKey,
  type HeadMapStore,
  headMapRootOf,
  type LedgerStore,
  memoryHeadMapStore,
  memoryLedgerStore,
  parseCheckpointText,
  parseNote,
  sha256,
  toHex,
  utf8,
  verifyHeadProof,
} from '@medanchor/core';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { seededUint32 } from '../../../../test/helpers/seeded-random.js';
import { openLedger, type StoreLedger } from '../../src/ledger/index.js';

const ORIGIN = 'clinic.example/head-map-seal';
const logKey = generateNoteKey(ORIGIN);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const rootHex = (note: Uint8Array | undefined) =>
  toHex(headMapRootOf(parseCheckpointText(parseNote(note!).text).extensions)!);

interface Variant {
  name: string;
  store: LedgerStore;
  map: HeadMapStore;
  ledger: StoreLedger;
  /** Opens the ledger again before every seal (an empty key memory). */
  cold: boolean;
}

const POOL = 30;
const idOf = (k: number) => (k === POOL ? 'Patient/ü-𝄞' : `Observation/o-${k}`);

/** Runs one seeded workload on every variant; returns the roots and what it went through. */
async function run(variants: Variant[], seed: number, rounds: number) {
  const rnd = seededUint32(seed);
  const open = (v: Variant) =>
    openLedger({ store: v.store, pollMs: 0, signer: logKey, headMap: { store: v.map } });
  let n = 0;
  let forgets = 0;
  let reused = 0;
  const erased = new Set<string>();
  const roots: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const items = Array.from({ length: 1 + (rnd() % 25) }, () => {
      const k = rnd() % (POOL + 3);
      n++;
      return {
        salt: sha256(utf8(`salt ${seed} ${n}`)),
        digest: sha256(utf8(`record ${seed} ${n}`)),
        ...(k <= POOL ? { recordId: idOf(k) } : {}),
      };
    });
    for (const it of items) if (it.recordId !== undefined && erased.delete(it.recordId)) reused++;
    const forget = round % 4 === 3 ? idOf(rnd() % (POOL + 1)) : undefined;
    const sealed: string[] = [];
    for (const v of variants) {
      await v.store.addPending(items);
      if (v.cold) {
        await v.ledger.close();
        v.ledger = await open(v);
      }
      expect(await v.ledger.seal()).toBeDefined();
      sealed.push(rootHex((await v.store.latestCheckpoint())!.note));
      if (forget !== undefined) await v.ledger.forget(forget);
    }
    if (forget !== undefined) {
      forgets++;
      erased.add(forget);
    }
    expect(
      new Set(sealed).size,
      `seed ${seed} round ${round}: ${variants.map((v) => v.name)}`,
    ).toBe(1);
    roots.push(sealed[0]!);
  }
  return { roots, forgets, reused };
}

/** Each record's newest leaf and count as the store holds them now. */
async function heads(store: LedgerStore) {
  const out = new Map<string, { leafIndex: number; count: number }>();
  for (const leaf of await store.readLeaves(0, await store.size())) {
    if (leaf.recordId === undefined) continue;
    out.set(leaf.recordId, {
      leafIndex: leaf.index,
      count: (out.get(leaf.recordId)?.count ?? 0) + 1,
    });
  }
  return out;
}

async function memoryVariants(secret: Uint8Array): Promise<Variant[]> {
  const make = async (name: string, cold: boolean, batch: boolean): Promise<Variant> => {
    const inner = memoryLedgerStore({ origin: ORIGIN });
    // A third-party store: the same store without the batch method.
    const store: LedgerStore = batch ? inner : { ...inner, firstVersions: undefined };
    const map = memoryHeadMapStore({ secret });
    const ledger = await openLedger({ store, pollMs: 0, signer: logKey, headMap: { store: map } });
    return { name, store, map, ledger, cold };
  };
  return [
    await make('batch', false, true),
    await make('batch, cold', true, true),
    await make('per record', false, false),
  ];
}

describe('a seal with the head map: batch first-version lookup', () => {
  it('gives the same map roots as the per-record lookup on seeded random workloads', async () => {
    for (const seed of [11, 12, 13, 14]) {
      const secret = sha256(utf8(`map secret ${seed}`));
      const variants = await memoryVariants(secret);
      const { forgets, reused } = await run(variants, seed, 16);
      // Fixed seeds: forgets and ids added again after one are reached every run.
      expect(forgets).toBe(4);
      expect(reused, `seed ${seed}`).toBeGreaterThan(0);
      // The final proofs name what the store holds (forgotten leaves carry no id).
      const truth = await heads(variants[0]!.store);
      for (let k = 0; k <= POOL; k++) {
        const record = idOf(k);
        for (const v of variants) {
          const r = verifyHeadProof(await v.ledger.headProof(record), { keys: [logKey], record });
          expect(r.ok, `${v.name} ${record}`).toBe(true);
          if (!r.ok) continue;
          const want = truth.get(record);
          expect(
            r.head === null ? null : { leafIndex: r.head.leafIndex, count: r.head.count },
            `${v.name} ${record}`,
          ).toEqual(want ?? null);
        }
      }
      for (const v of variants) await v.ledger.close();
    }
  }, 60_000);

  it('keeps the same roots once the key memory has turned over (52,000 records)', async () => {
    // The ledger remembers the keys of the last 50,000 to 100,000 records it sealed; past
    // that the older ones are dropped and derived again when asked.
    const secret = sha256(utf8('map secret turnover'));
    const [warm, cold] = await memoryVariants(secret);
    const variants = [warm!, cold!];
    const add = async (from: number, n: number, id: (i: number) => string) => {
      const items = Array.from({ length: n }, (_, j) => ({
        salt: sha256(utf8(`salt t ${from + j}`)),
        digest: sha256(utf8(`record t ${from + j}`)),
        recordId: id(from + j),
      }));
      for (const v of variants) await v.store.addPending(items);
    };
    const roots = async () => {
      const out: string[] = [];
      for (const v of variants) {
        if (v.cold) {
          await v.ledger.close();
          v.ledger = await openLedger({
            store: v.store,
            pollMs: 0,
            signer: logKey,
            headMap: { store: v.map },
          });
        }
        await v.ledger.seal();
        out.push(rootHex((await v.store.latestCheckpoint())!.note));
      }
      return out;
    };
    await add(0, 52_000, (i) => `Observation/o-${i}`);
    const first = await roots();
    expect(first[0]).toBe(first[1]);
    // New versions of the oldest records (dropped from the memory), of the newest (kept),
    // and one forgotten record's id used again.
    await warm!.ledger.forget('Observation/o-7');
    await cold!.ledger.forget('Observation/o-7');
    await add(52_000, 600, (i) =>
      i % 3 === 0 ? 'Observation/o-7' : `Observation/o-${i % 2 === 0 ? i - 52_000 : i - 600}`,
    );
    const next = await roots();
    expect(next[0]).toBe(next[1]);
    expect(next[0]).not.toBe(first[0]);
    for (const v of variants) await v.ledger.close();
  }, 120_000);

  it('gives the same roots on the file stores as on the memory store', async () => {
    const secret = sha256(utf8('map secret file'));
    const dir = mkdtempSync(join(tmpdir(), 'medanchor-head-map-seal-'));
    dirs.push(dir);
    const fileStore = await openFileLedgerStore(join(dir, 'store'), { origin: ORIGIN });
    const fileMap = await openFileHeadMapStore(join(dir, 'map'));
    const [batch] = await memoryVariants(secret);
    // The file map makes its own secret: the memory ledger takes the same one.
    const mem = memoryLedgerStore({ origin: ORIGIN });
    const memMap = memoryHeadMapStore({ secret: fileMap.secret });
    const variants: Variant[] = [
      {
        name: 'file',
        store: fileStore,
        map: fileMap,
        ledger: await openLedger({
          store: fileStore,
          pollMs: 0,
          signer: logKey,
          headMap: { store: fileMap },
        }),
        cold: false,
      },
      {
        name: 'memory',
        store: mem,
        map: memMap,
        ledger: await openLedger({
          store: mem,
          pollMs: 0,
          signer: logKey,
          headMap: { store: memMap },
        }),
        cold: true,
      },
    ];
    await batch!.ledger.close();
    const { forgets } = await run(variants, 21, 12);
    expect(forgets).toBe(3);
    for (const v of variants) await v.ledger.close();
    await fileMap.close!();
    await fileStore.close();
  }, 60_000);
});

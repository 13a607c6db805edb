// Shared by the stores' firstVersions tests (memory and file here, PostgreSQL in
// @medanchor/postgres): a seeded random log with new records, new versions, records without
// an id and forgets, after every round of which firstVersions must answer what versions()
// answers, id by id.
import { expect } from 'vitest';
import { seededUint32 } from '../../../../test/helpers/seeded-random.js';
import { type LedgerStore, sequencePending, sha256, utf8 } from '../../src/index.js';

/** What a run went through, so the test can show every case was reached. */
export interface AgreeCoverage {
  /** Ids compared (over every round). */
  checked: number;
  /** Ids with two or more versions when compared. */
  multi: number;
  /** Ids asked for after a forget erased them (answer: none, or a later version). */
  forgotten: number;
  /** Ids never added (answer: none). */
  unknown: number;
}

const POOL = 40;
// Ids whose UTF-8 and UTF-16 lengths differ, and one longest id.
const odd = ['Patient/ü-€-𝄞', `Observation/${'x'.repeat(1012)}`];
const idOf = (k: number) => (k < POOL ? `Observation/o-${k}` : odd[k - POOL]!);

/**
 * Runs `rounds` rounds on an empty `store`: each adds 1 to 40 records (ids from a pool,
 * some without an id), sequences them, and forgets one id now and then; after each round
 * every pool id, a never-added id and the empty string are asked of firstVersions at once
 * and compared with versions(). `reopen`, when given, is called after some rounds and its
 * store used from then on (persistent stores: the answer survives a reopen).
 */
export async function agreeOnRandomLog(
  first: LedgerStore,
  seed: number,
  rounds: number,
  reopen?: (s: LedgerStore) => Promise<LedgerStore>,
): Promise<AgreeCoverage> {
  const rnd = seededUint32(seed);
  let store = first;
  const cover: AgreeCoverage = { checked: 0, multi: 0, forgotten: 0, unknown: 0 };
  const erased = new Set<string>();
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    const count = 1 + (rnd() % 40);
    await store.addPending(
      Array.from({ length: count }, () => {
        const k = rnd() % (POOL + odd.length + 6);
        n++;
        return {
          salt: sha256(utf8(`salt ${seed} ${n}`)),
          digest: sha256(utf8(`record ${seed} ${n}`)),
          // The last six draws add a record without an id.
          ...(k < POOL + odd.length ? { recordId: idOf(k) } : {}),
        };
      }),
    );
    const lease = await store.acquireLease('agree', 60_000);
    expect(lease).toBeDefined();
    await sequencePending(store, lease!, 1_000);
    await store.releaseLease(lease!);
    if (round % 3 === 2) {
      const gone = idOf(rnd() % (POOL + odd.length));
      if ((await store.forget(gone, 1_000 + round)).length > 0) erased.add(gone);
    }
    if (reopen !== undefined && round % 5 === 4) store = await reopen(store);
    const ids = [
      ...Array.from({ length: POOL + odd.length }, (_, k) => idOf(k)),
      `Observation/never-${round}`,
      '',
    ];
    const got = await store.firstVersions!(ids);
    expect(got).toHaveLength(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const all = await store.versions(ids[i]!);
      expect(got[i], `${ids[i]!.slice(0, 40)} after round ${round}`).toBe(all[0]);
      cover.checked++;
      if (all.length > 1) cover.multi++;
      if (erased.has(ids[i]!)) cover.forgotten++;
      if (all.length === 0 && i >= POOL + odd.length) cover.unknown++;
    }
  }
  if (store !== first) await store.close();
  return cover;
}

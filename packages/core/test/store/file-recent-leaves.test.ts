// The file store answers readLeaves and firstVersions for the leaves its last integrates
// wrote from memory (a seal reads them back at once). These tests hold that fast path to the
// files: on seeded random logs (repeated ids, keys, versions, lone surrogates, records
// without an id, forgets, several integrates per round) every answer given before a reopen
// equals the one the reopened store (nothing in memory) gives from its files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededUint32 } from '../../../../test/helpers/seeded-random.js';
import {
  type LeafRecord,
  type PendingRecord,
  sequencePending,
  sha256,
  utf8,
} from '../../src/index.js';
import { recentLeaves } from '../../src/node/file-store/recent-leaves.js';
import { type FileLedgerStore, openFileLedgerStore } from '../../src/node.js';

const ORIGIN = 'clinic.example/recent-leaves';
const dirs: string[] = [];
const open: FileLedgerStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const POOL = 60;
// A lone surrogate is stored as U+FFFD (UTF-8): both spellings are asked for.
const LONE = 'Patient/\ud800-lone';
const LONE_STORED = 'Patient/\ufffd-lone';
const idOf = (k: number) => (k === POOL ? LONE : `Observation/o-${k}`);

// Leaves from memory share the pending records' bytes: two reads give the same arrays.
// From the files every read makes new ones.
const fromMemory = (a: LeafRecord[], b: LeafRecord[]) => a.length > 0 && a[0]!.salt === b[0]!.salt;

describe('file store: the last integrates answered from memory', () => {
  it('gives what the files give after a reopen, on seeded random logs', async () => {
    const cover = { fastReads: 0, fastFirsts: 0, forgets: 0, olderFirst: 0 };
    for (const seed of [5, 6]) {
      const dir = mkdtempSync(join(tmpdir(), 'medanchor-recent-leaves-'));
      dirs.push(dir);
      let store = await openFileLedgerStore(dir, { origin: ORIGIN });
      open.push(store);
      const rnd = seededUint32(seed);
      let n = 0;
      for (let round = 0; round < 8; round++) {
        const from = await store.size();
        const count = 1 + (rnd() % 400);
        await store.addPending(
          Array.from({ length: count }, () => {
            n++;
            const k = rnd() % (POOL + 8);
            const r = rnd();
            return {
              salt: sha256(utf8(`salt ${seed} ${n}`)),
              digest: sha256(utf8(`record ${seed} ${n}`)),
              ...(k <= POOL ? { recordId: idOf(k) } : {}),
              ...(r % 4 === 0 ? { key: n % 97 === 0 ? `k\udc00${n}` : `k-${seed}-${n}` } : {}),
              ...(r % 3 === 0 ? { version: r % 1000 } : {}),
            };
          }),
        );
        const lease = (await store.acquireLease('t', 60_000))!;
        // Several integrates of random sizes: the memory spans more than one.
        while ((await store.pendingCount()) > 0)
          await sequencePending(store, lease, 1 + (rnd() % 150));
        await store.releaseLease(lease);
        // Every third round forgets an id first: the files answer from then on.
        if (round % 3 === 1) {
          const gone = await store.forget(idOf(rnd() % (POOL + 1)), 1_000 + round);
          if (gone.length > 0) cover.forgets++;
        }
        const size = await store.size();
        const ids = [
          ...Array.from({ length: POOL + 1 }, (_, k) => idOf(k)),
          LONE_STORED,
          `Observation/never-${round}`,
        ];
        const a = rnd() % (size - from);
        const b = a + 1 + (rnd() % (size - from - a));
        const ask = async () => ({
          ours: await store.readLeaves(from, size - from),
          part: await store.readLeaves(from + a, b - a),
          one: await store.readLeaves(size - 1, 1),
          all: await store.readLeaves(0, size),
          firsts: await store.firstVersions!(ids),
          byKey: await Promise.all(
            (await store.readLeaves(from, size - from))
              .filter((l) => l.key !== undefined)
              .map((l) => store.leafByKey(l.key!)),
          ),
        });
        const fast = await ask();
        if (fromMemory(fast.ours, await store.readLeaves(from, 1))) cover.fastReads++;
        else expect(round % 3, 'only a forget sends reads to the files').toBe(1);
        await store.close();
        store = await openFileLedgerStore(dir, { origin: ORIGIN });
        open.push(store);
        const slow = await ask();
        expect(fromMemory(slow.ours, await store.readLeaves(from, 1))).toBe(false);
        expect(fast, `seed ${seed} round ${round}`).toEqual(slow);
        for (let i = 0; i < ids.length; i++) {
          const first = fast.firsts[i];
          if (first !== undefined && first >= from && round % 3 !== 1) cover.fastFirsts++;
          if (first !== undefined && first < from) cover.olderFirst++;
        }
      }
    }
    // Fixed seeds: each case is reached on every run.
    expect(cover.fastReads).toBeGreaterThan(8);
    expect(cover.fastFirsts).toBeGreaterThan(0);
    expect(cover.olderFirst).toBeGreaterThan(0);
    expect(cover.forgets).toBeGreaterThan(0);
  });

  it('keeps integrates that follow on up to its bound, and starts over past it', () => {
    const rec = (i: number, recordId?: string): PendingRecord => ({
      pendingId: String(i + 1),
      salt: new Uint8Array(32).fill(i & 255),
      digest: new Uint8Array(32).fill(1),
      commitment: new Uint8Array(32).fill(2),
      ...(recordId === undefined ? {} : { recordId }),
    });
    const batch = (start: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        rec(start + i, (start + i) % 2 === 0 ? `r-${(start + i) % 40_000}` : undefined),
      );
    const hashes = (start: number, n: number) =>
      Array.from({ length: n }, (_, i) => Uint8Array.of((start + i) & 255));
    const r = recentLeaves();
    expect(r.cut(0)).toBe(0);
    expect(r.leaves(0, 1)).toBeUndefined();
    r.add(0, batch(0, 30_000), hashes(0, 30_000));
    expect(r.first('r-0')).toEqual({ index: 0, hash: Uint8Array.of(0) });
    expect(r.first('r-30000')).toBeUndefined();
    r.add(30_000, batch(30_000, 30_000), hashes(30_000, 30_000));
    expect(r.cut(60_000)).toBe(0);
    // Only while they are the log's last leaves.
    expect(r.cut(60_001)).toBe(60_001);
    // Ids of the second integrate are found too; an id of both keeps its first leaf.
    expect(r.first('r-30000')?.index).toBe(30_000);
    expect(r.first('r-30002')?.hash).toEqual(Uint8Array.of(30_002 & 255));
    expect(r.first('r-0')?.index).toBe(0);
    expect(r.first('r-1')).toBeUndefined();
    expect(r.leaves(29_999, 2)?.map((l) => [l.index, l.pendingId, l.salt[0], l.recordId])).toEqual([
      [29_999, '30000', 29_999 & 255, undefined],
      [30_000, '30001', 30_000 & 255, 'r-30000'],
    ]);
    expect(r.leaves(59_999, 2)).toBeUndefined();
    // 90,000 would pass the bound of 65,536: it starts over with the new integrate.
    r.add(60_000, batch(60_000, 30_000), hashes(60_000, 30_000));
    expect(r.cut(90_000)).toBe(60_000);
    expect(r.leaves(59_999, 1)).toBeUndefined();
    expect(r.leaves(60_000, 30_000)).toHaveLength(30_000);
    expect(r.first('r-0')?.index).toBe(80_000);
    // An integrate that does not follow on starts over too.
    r.add(100_000, batch(100_000, 10), hashes(100_000, 10));
    expect(r.cut(100_010)).toBe(100_000);
    expect(r.first('r-20000')?.index).toBe(100_000);
    expect(r.first('r-30000')).toBeUndefined();
  });
});

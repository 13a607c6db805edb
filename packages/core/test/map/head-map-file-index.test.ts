// The file head map's index nodes.idx (docs/spec/head-map-file.md): an open costs the same
// however large the map, lookups after reopens agree with a map built in memory, and a
// damaged, torn or missing index is rebuilt from nodes.bin, never believed.
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/helpers/seeded-random.js';
import { tempDirs } from '../../../../test/helpers/temp-dirs.js';
import {
  HEAD_MAP_EMPTY,
  type HeadMapNodeStore,
  type HeadMapUpdate,
  memoryHeadMapStore,
  proveHeadMap,
  sha256,
  toHex,
  updateHeadMap,
  utf8,
} from '../../src/index.js';
import { openHeadMapFiles } from '../../src/node/head-map-file-store.js';
import type { HeadMapFileStats } from '../../src/node/head-map-index.js';
import { pathText } from './head-map-file-scenario.js';

const tempDir = tempDirs('medanchor-head-map-index-');
const fresh = () => join(tempDir(), 'map');
const newStats = (): HeadMapFileStats => ({ bytesRead: 0, entriesHashed: 0, rebuilds: 0 });

const keyOf = (tag: string, i: number) => sha256(utf8(`${tag} record ${i}`));
const ups = (tag: string, from: number, n: number, leaf = from): HeadMapUpdate[] =>
  Array.from({ length: n }, (_, j) => ({
    key: keyOf(tag, from + j),
    value: { leafIndex: leaf + j, count: 1, commitment: sha256(utf8(`c ${leaf + j}`)) },
  }));

/** Every key's proof at `root` read from `a` equals the one read from `b`. */
async function sameProofs(
  a: HeadMapNodeStore,
  b: HeadMapNodeStore,
  root: Uint8Array,
  keys: readonly Uint8Array[],
): Promise<void> {
  for (const k of keys)
    expect(pathText(await proveHeadMap(a, root, k))).toBe(pathText(await proveHeadMap(b, root, k)));
}

// nodes.idx slots: 64-byte header, 12-byte slots (6 hash bytes, u48 offset + 1).
const slotsOf = (idx: Uint8Array) => {
  const out: number[] = [];
  for (let at = 64; at < idx.length; at += 12)
    if (idx.subarray(at + 6, at + 12).some((b) => b !== 0)) out.push(at);
  return out;
};

describe('nodes.idx: bounded open', () => {
  it('a clean open reads the 64-byte header and hashes nothing, at 500 or 20,000 records', async () => {
    const read: number[] = [];
    for (const n of [500, 20_000]) {
      const dir = fresh();
      const a = await openHeadMapFiles(dir);
      const root = await updateHeadMap(a, HEAD_MAP_EMPTY, ups('open', 0, n));
      await a.close!();
      const stats = newStats();
      const b = await openHeadMapFiles(dir, { stats });
      expect(stats).toEqual({ bytesRead: 64, entriesHashed: 0, rebuilds: 0 });
      read.push(stats.bytesRead);
      expect(b.size).toBe(a.size);
      // One proof reads its path: a few slots and one entry per node, not the file.
      const path = await proveHeadMap(b, root, keyOf('open', 7));
      expect(path.value?.leafIndex).toBe(7);
      expect(stats.bytesRead - 64).toBeLessThanOrEqual((path.siblings.length + 2) * 2 * (96 + 66));
      expect(stats.entriesHashed).toBeLessThanOrEqual(path.siblings.length + 2);
      await b.close!();
    }
    expect(read[1]).toBe(read[0]);
  });

  it('after an unclean stop, an open replays only what nodes.bin gained past the header', async () => {
    const dir = fresh();
    const a = await openHeadMapFiles(dir); // the header is rewritten every 1 MiB
    let root = await updateHeadMap(a, HEAD_MAP_EMPTY, ups('tail', 0, 20_000));
    root = await updateHeadMap(a, root, ups('tail', 20_000, 300));
    // The files as a kill -9 leaves them: everything written is in them, nothing closed.
    const copy = fresh();
    mkdirSync(copy, { recursive: true });
    for (const f of ['secret', 'nodes.bin', 'nodes.idx']) copyFileSync(join(dir, f), join(copy, f));
    await a.close!();
    const idx = readFileSync(join(copy, 'nodes.idx'));
    const covered = Number(idx.readBigUInt64BE(24));
    const bin = readFileSync(join(copy, 'nodes.bin'));
    expect(covered).toBeLessThan(bin.length);
    expect(bin.length - covered).toBeLessThan(1 << 20);
    let tail = 0;
    for (let at = covered; at < bin.length; at += 1 + bin[at]!) tail++;
    const stats = newStats();
    const b = await openHeadMapFiles(copy, { stats });
    expect(stats.rebuilds).toBe(0);
    expect(stats.entriesHashed).toBe(tail);
    expect(stats.bytesRead).toBeLessThanOrEqual(64 + (bin.length - covered) + tail * 2 * (96 + 66));
    // The header now covers the whole file: the next open reads the header alone.
    await b.close!();
    const again = newStats();
    const c = await openHeadMapFiles(copy, { stats: again });
    expect(again.bytesRead).toBe(64);
    expect((await proveHeadMap(c, root, keyOf('tail', 20_123))).value?.leafIndex).toBe(20_123);
    await c.close!();
  });
});

describe('nodes.idx: lookups agree with a map built in memory', () => {
  it('random trees (fixed seeds), reopened between updates, with tables that grow', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = seededRandom(seed);
      const dir = fresh();
      const tuning = {
        initialBits: 4,
        checkpointBytes: 1 + Math.floor(rand() * 8192),
        cacheEntries: 16,
        putBatch: [7, 50, 65_536][seed % 3], // a put appended in several writes, or one
      };
      const mem = memoryHeadMapStore();
      let file = await openHeadMapFiles(dir, tuning);
      const keys: Uint8Array[] = [];
      const roots: Uint8Array[] = [];
      let root = HEAD_MAP_EMPTY;
      let leaf = 0;
      for (let round = 0; round < 6; round++) {
        const added = 1 + Math.floor(rand() * 150);
        const batch: HeadMapUpdate[] = [];
        const changed = new Set<number>();
        for (let j = 0; j < Math.floor(rand() * Math.min(keys.length, 40)); j++)
          changed.add(Math.floor(rand() * keys.length));
        for (const i of changed)
          batch.push({
            key: keys[i]!,
            value: { leafIndex: leaf, count: 2 + round, commitment: sha256(utf8(`c ${leaf++}`)) },
          });
        for (let j = 0; j < added; j++) {
          const key = keyOf(`seed ${seed}`, keys.length);
          keys.push(key);
          batch.push({
            key,
            value: { leafIndex: leaf, count: 1, commitment: sha256(utf8(`c ${leaf++}`)) },
          });
        }
        const inMemory = await updateHeadMap(mem, root, batch);
        root = await updateHeadMap(file, root, batch);
        expect(toHex(root)).toBe(toHex(inMemory));
        roots.push(root);
        if (rand() < 0.5) {
          await file.close!();
          file = await openHeadMapFiles(dir, tuning);
        }
      }
      expect(file.size).toBe(mem.size);
      const absent = Array.from({ length: 5 }, (_, i) => keyOf(`absent ${seed}`, i));
      for (const r of roots) await sameProofs(file, mem, r, [...keys, ...absent]);
      // The same through get and getMany alone (entries checked by the reader).
      const remote: HeadMapNodeStore = {
        get: (h) => file.get(h),
        getMany: (hs) => file.getMany!(hs),
        put: (es) => file.put(es),
      };
      await sameProofs(remote, mem, roots.at(-1)!, keys.slice(0, 50));
      await file.close!();
    }
  });
});

describe('nodes.idx: reads while a put is under way', () => {
  it('a read that rebuilds the index while nodes.bin is written: the put indexes its entries after all', async () => {
    const dir = fresh();
    const mem = memoryHeadMapStore();
    const first = ups('during', 0, 200);
    const more = ups('during', 200, 100);
    let store: Awaited<ReturnType<typeof openHeadMapFiles>> | undefined;
    let during: Promise<Uint8Array | undefined> | undefined;
    const probe = sha256(utf8('an entry no one stored'));
    const stats = newStats();
    store = await openHeadMapFiles(dir, {
      stats,
      // Between the append and its fdatasync: a lookup that misses rebuilds the table.
      hook: (point) => {
        if (point === 'put:appended' && during === undefined) during = store!.get(probe);
      },
    });
    const made = stats.rebuilds; // a new directory's empty index
    const root = await updateHeadMap(store, HEAD_MAP_EMPTY, first);
    expect(await during).toBeUndefined();
    expect(stats.rebuilds - made).toBe(2); // the miss, then the put's own (slots were stale)
    const next = await updateHeadMap(store, root, more);
    await updateHeadMap(mem, await updateHeadMap(mem, HEAD_MAP_EMPTY, first), more);
    const keys = [...first, ...more].map((u) => u.key);
    await sameProofs(store, mem, root, keys);
    await sameProofs(store, mem, next, keys);
    await store.close!();
    const again = await openHeadMapFiles(dir, { cacheEntries: 16 });
    await sameProofs(again, mem, next, keys);
    expect(again.size).toBe(mem.size);
    await again.close!();
  });
});

describe('nodes.idx: damage is detected and repaired from nodes.bin', () => {
  // A map of 300 records in files, its reference in memory, and its index bytes.
  async function made() {
    const dir = fresh();
    const mem = memoryHeadMapStore();
    const a = await openHeadMapFiles(dir);
    const batch = ups('damage', 0, 300);
    const root = await updateHeadMap(a, HEAD_MAP_EMPTY, batch);
    await updateHeadMap(mem, HEAD_MAP_EMPTY, batch);
    await a.close!();
    const keys = batch.map((u) => u.key);
    return { dir, mem, root, keys, idx: new Uint8Array(readFileSync(join(dir, 'nodes.idx'))) };
  }
  const check = async (
    dir: string,
    m: Awaited<ReturnType<typeof made>>,
    stats: HeadMapFileStats,
  ) => {
    const s = await openHeadMapFiles(dir, { stats, cacheEntries: 16 });
    await sameProofs(s, m.mem, m.root, m.keys);
    await s.close!();
  };
  // Every slot names the entry at its offset (by the first 6 bytes of its hash).
  const consistent = (dir: string) => {
    const idx = readFileSync(join(dir, 'nodes.idx'));
    const bin = readFileSync(join(dir, 'nodes.bin'));
    const slots = slotsOf(idx);
    for (const at of slots) {
      const off = idx.readUIntBE(at + 6, 6) - 1;
      const h = sha256(bin.subarray(off + 1, off + 1 + bin[off]!));
      expect(toHex(h.subarray(0, 6))).toBe(toHex(idx.subarray(at, at + 6)));
    }
    return slots.length;
  };

  const slotDamage: [string, (idx: Uint8Array, slots: number[]) => void][] = [
    [
      'a slot that names another entry',
      (idx, s) => idx.copyWithin(s[3]! + 6, s[40]! + 6, s[40]! + 12),
    ],
    ['a slot that points past the end', (idx, s) => idx.fill(0x7f, s[5]! + 6, s[5]! + 12)],
    ['a slot zeroed (looks free)', (idx, s) => idx.fill(0, s[7]!, s[7]! + 12)],
    [
      'a slot whose hash bytes changed',
      (idx, s) => {
        idx[s[9]! + 5]! ^= 0x10;
      },
    ],
  ];
  for (const [name, damage] of slotDamage)
    it(`${name}: found on the lookup that meets it, rebuilt once, answers unchanged`, async () => {
      const m = await made();
      const count = consistent(m.dir);
      const idx = m.idx.slice();
      damage(idx, slotsOf(idx));
      writeFileSync(join(m.dir, 'nodes.idx'), idx);
      const stats = newStats();
      await check(m.dir, m, stats);
      expect(stats.rebuilds).toBe(1);
      expect(consistent(m.dir)).toBe(count);
      const after = newStats();
      await check(m.dir, m, after);
      expect(after.rebuilds).toBe(0);
    });

  const fileDamage: [string, (dir: string) => void][] = [
    [
      'a header whose check fails',
      (dir) => {
        const idx = readFileSync(join(dir, 'nodes.idx'));
        idx[35]! ^= 1;
        writeFileSync(join(dir, 'nodes.idx'), idx);
      },
    ],
    [
      'a torn index (cut short)',
      (dir) => truncateSync(join(dir, 'nodes.idx'), statSync(join(dir, 'nodes.idx')).size - 7),
    ],
    ['no index (a directory from before it)', (dir) => rmSync(join(dir, 'nodes.idx'))],
    [
      'a left-over build file',
      (dir) => {
        writeFileSync(join(dir, 'nodes.idx.new'), new Uint8Array(100));
        rmSync(join(dir, 'nodes.idx'));
      },
    ],
  ];
  for (const [name, damage] of fileDamage)
    it(`${name}: rebuilt on open from nodes.bin`, async () => {
      const m = await made();
      damage(m.dir);
      const stats = newStats();
      await check(m.dir, m, stats);
      expect(stats.rebuilds).toBe(1);
      expect(stats.bytesRead).toBeGreaterThanOrEqual(statSync(join(m.dir, 'nodes.bin')).size);
      expect(consistent(m.dir)).toBe(slotsOf(m.idx).length);
      const after = newStats();
      await check(m.dir, m, after);
      expect(after.rebuilds).toBe(0);
    });

  it('a torn tail of nodes.bin past the header is cut; an absent hash costs one rebuild at most', async () => {
    const m = await made();
    const binPath = join(m.dir, 'nodes.bin');
    const size = statSync(binPath).size;
    writeFileSync(binPath, Uint8Array.of(65, 1, 2, 3), { flag: 'a' });
    const stats = newStats();
    const s = await openHeadMapFiles(m.dir, { stats });
    expect(statSync(binPath).size).toBe(size);
    expect(stats.rebuilds).toBe(0);
    expect(await s.get(sha256(utf8('no such entry')))).toBeUndefined();
    expect(stats.rebuilds).toBe(1);
    expect(await s.get(sha256(utf8('nor this one')))).toBeUndefined();
    expect(stats.rebuilds).toBe(1);
    await sameProofs(s, m.mem, m.root, m.keys.slice(0, 20));
    await s.close!();
  });

  it('a nodes.bin cut below what the index covers: missing nodes are STORE_CORRUPT, never wrong', async () => {
    const m = await made();
    const binPath = join(m.dir, 'nodes.bin');
    truncateSync(binPath, Math.floor(statSync(binPath).size / 2));
    const stats = newStats();
    const s = await openHeadMapFiles(m.dir, { stats });
    expect(stats.rebuilds).toBe(1);
    let failed = 0;
    for (const k of m.keys) {
      try {
        const path = await proveHeadMap(s, m.root, k);
        expect(path).toEqual(await proveHeadMap(m.mem, m.root, k));
      } catch (e) {
        expect((e as { code?: string }).code).toBe('STORE_CORRUPT');
        failed++;
      }
    }
    expect(failed).toBeGreaterThan(0);
    await s.close!();
  });
});

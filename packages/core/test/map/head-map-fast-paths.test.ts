// The map's fast paths against its reference path, at seal sizes. The memory and file
// stores take a whole update packed in one buffer and are read in place; a store that
// offers only get and put gets one array per entry and has every entry read checked
// against its hash (the path any other store takes). Seeded batches of thousands of keys
// (new keys, new versions of old ones, absent keys) must give the same roots and the same
// proofs on all three, the file store also after it is closed and opened again, and the
// file store's own put of a list (duplicates, entries stored already) must store each
// entry once.
import { describe, expect, it } from 'vitest';
import { seededUint32 } from '../../../../test/helpers/seeded-random.js';
import { tempDirs } from '../../../../test/helpers/temp-dirs.js';
import {
  advanceHeadMap,
  encodeHeadValue,
  HEAD_MAP_EMPTY,
  type HeadMapAdvance,
  type HeadMapNodeStore,
  headLeafHash,
  headNodeHash,
  keyBit,
  leafNodeBytes,
  memoryHeadMapStore,
  proveHeadMap,
  sha256,
  toHex,
  updateHeadMap,
  utf8,
} from '../../src/index.js';
import { openHeadMapFiles } from '../../src/node/head-map-file-store.js';
import { pathText } from './head-map-file-scenario.js';

const tempDir = tempDirs('medanchor-head-map-fast-');

/** The reference path: only get and put, so no packed put and no reads in place. */
function getPutOnly(inner: HeadMapNodeStore): HeadMapNodeStore {
  return { get: (h) => inner.get(h), put: (e, h) => inner.put(e, h) };
}

const keyOf = (n: number) => sha256(utf8(`fast path record ${n}`));
const commitment = (leaf: number) => sha256(utf8(`fast path commitment ${leaf}`));

// The root of a map of new keys by the definition (docs/spec/head-map.md section 3).
function definitionRoot(entries: readonly HeadMapAdvance[], depth = 0): Uint8Array {
  if (entries.length === 0) return HEAD_MAP_EMPTY;
  if (entries.length === 1) {
    const e = entries[0]!;
    const v = encodeHeadValue({ leafIndex: e.leafIndex, count: e.added, commitment: e.commitment });
    return headLeafHash(e.key, sha256(v));
  }
  return headNodeHash(
    definitionRoot(
      entries.filter((e) => keyBit(e.key, depth) === 0),
      depth + 1,
    ),
    definitionRoot(
      entries.filter((e) => keyBit(e.key, depth) === 1),
      depth + 1,
    ),
  );
}

describe('head map fast paths against the reference path', () => {
  it('seeded seal-sized batches: same roots and proofs on memory, file (reopened) and get/put only', async () => {
    const dir = tempDir();
    let file = await openHeadMapFiles(dir, { initialBits: 6, cacheEntries: 512 });
    const memory = memoryHeadMapStore();
    const reference = getPutOnly(memoryHeadMapStore());
    const stores = (): [string, HeadMapNodeStore][] => [
      ['memory', memory],
      ['file', file],
      ['reference', reference],
    ];
    const rnd = seededUint32(20261206);
    const counts = new Map<number, number>();
    const roots = new Map<string, Uint8Array[]>(stores().map(([name]) => [name, [HEAD_MAP_EMPTY]]));
    let leaf = 0;
    let next = 0; // records 0 .. next - 1 exist
    // Batch shapes fixed: [new records, new versions of existing ones, via update].
    const shapes: [number, number, boolean][] = [
      [3_000, 0, false],
      [1, 0, false],
      [200, 700, false],
      [0, 1_000, false],
      [1_500, 400, true],
      [0, 1, true],
    ];
    for (const [b, [fresh, again, viaUpdate]] of shapes.entries()) {
      const batch = new Map<number, { last: number; n: number }>();
      for (let j = 0; j < fresh; j++) batch.set(next++, { last: leaf++, n: 1 });
      for (let j = 0; j < again; j++) {
        const rec = rnd() % next;
        const seen = batch.get(rec);
        batch.set(rec, { last: leaf++, n: (seen?.n ?? 0) + 1 });
      }
      const advances: HeadMapAdvance[] = [...batch].map(([rec, a]) => ({
        key: keyOf(rec),
        leafIndex: a.last,
        added: a.n,
        commitment: commitment(a.last),
      }));
      for (const [name, store] of stores()) {
        const list = roots.get(name)!;
        const base = list[list.length - 1]!;
        const root = viaUpdate
          ? await updateHeadMap(
              store,
              base,
              [...batch].map(([rec, a]) => ({
                key: keyOf(rec),
                value: {
                  leafIndex: a.last,
                  count: (counts.get(rec) ?? 0) + a.n,
                  commitment: commitment(a.last),
                },
              })),
            )
          : await advanceHeadMap(store, base, advances);
        list.push(root);
      }
      for (const [rec, a] of batch) counts.set(rec, (counts.get(rec) ?? 0) + a.n);
      const want = toHex(roots.get('reference')![b + 1]!);
      if (b === 0)
        expect(want, 'the first batch by the definition').toBe(toHex(definitionRoot(advances)));
      expect(toHex(roots.get('memory')![b + 1]!), `memory batch ${b}`).toBe(want);
      expect(toHex(roots.get('file')![b + 1]!), `file batch ${b}`).toBe(want);
      if (b === 2) {
        // Closed and opened again: the rest runs on what the files hold.
        await file.close!();
        file = await openHeadMapFiles(dir, { initialBits: 6, cacheEntries: 512 });
      }
    }
    // Proofs at every root: present keys (every 13th record), and absent ones, some ending
    // at another key's leaf.
    const probes = [
      ...Array.from({ length: Math.ceil(next / 13) }, (_, i) => 13 * i),
      ...Array.from({ length: 40 }, (_, i) => next + i),
    ];
    let present = 0;
    let other = 0;
    for (let r = 0; r <= shapes.length; r++) {
      const ref = roots.get('reference')![r]!;
      for (const rec of probes) {
        const want = pathText(await proveHeadMap(reference, ref, keyOf(rec)));
        // pathText: siblings | value | other key's leaf
        const [, value, otherLeaf] = want.split('|');
        if (r === shapes.length && value !== '') present++;
        if (r === shapes.length && otherLeaf !== '') other++;
        for (const [name, store] of stores())
          if (name !== 'reference')
            expect(
              pathText(await proveHeadMap(store, roots.get(name)![r]!, keyOf(rec))),
              `${name} root ${r} record ${rec}`,
            ).toBe(want);
      }
    }
    // The fixed seed reaches both kinds of walk's end.
    expect(present).toBeGreaterThan(300);
    expect(other).toBeGreaterThan(0);
    await file.close!();
  }, 240_000);

  it("the file store's put of a list stores each new entry once, values and nodes alike", async () => {
    const file = await openHeadMapFiles(tempDir(), { initialBits: 4 });
    const value = (i: number) =>
      encodeHeadValue({ leafIndex: i, count: 1, commitment: commitment(i) });
    const node = (i: number) => leafNodeBytes(keyOf(i), sha256(value(i)));
    await file.put([value(0), node(0)]);
    expect(file.size).toBe(2);
    // Nodes before values, one given twice, two stored already, no hashes given.
    const list = [node(1), value(1), node(2), node(1), value(0), node(0), value(2)];
    await file.put(list);
    expect(file.size).toBe(6);
    for (const e of list) expect(toHex((await file.get(sha256(e)))!)).toBe(toHex(e));
    await file.close!();
    await expect(file.put([value(3)])).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});

describe('head map file store: a seal-sized packed put stopped between its slot halves', () => {
  it('reopened, the files hold every earlier root, and the same update gives the reference root', async () => {
    const dir = tempDir();
    const reference = getPutOnly(memoryHeadMapStore());
    const batch = (from: number, n: number): HeadMapAdvance[] =>
      Array.from({ length: n }, (_, i) => ({
        key: keyOf(from + i),
        leafIndex: from + i,
        added: 1,
        commitment: commitment(from + i),
      }));
    const first = await advanceHeadMap(reference, HEAD_MAP_EMPTY, batch(0, 2_000));
    const second = await advanceHeadMap(reference, first, batch(2_000, 3_000));
    // The hook throws at the crash point of the second put: nodes.bin is synced, half its
    // slots are written, and this store is left as a crash would leave the files.
    let armed = false;
    const stopped = await openHeadMapFiles(dir, {
      initialBits: 6,
      hook: (point) => {
        if (armed && point === 'put:slots-half') throw new Error('crash point put:slots-half');
      },
    });
    expect(toHex(await advanceHeadMap(stopped, HEAD_MAP_EMPTY, batch(0, 2_000)))).toBe(
      toHex(first),
    );
    armed = true;
    await expect(advanceHeadMap(stopped, first, batch(2_000, 3_000))).rejects.toThrow();
    const reopened = await openHeadMapFiles(dir, { initialBits: 6 });
    expect(toHex(await advanceHeadMap(reopened, first, batch(2_000, 3_000)))).toBe(toHex(second));
    for (let rec = 0; rec < 5_100; rec += 17)
      for (const root of [first, second])
        expect(pathText(await proveHeadMap(reopened, root, keyOf(rec))), `record ${rec}`).toBe(
          pathText(await proveHeadMap(reference, root, keyOf(rec))),
        );
    await reopened.close!();
  });
});

// The batched update (updateHeadMap, advanceHeadMap) against the map's definition
// (docs/spec/head-map.md section 3): seeded random batches of new, changed and repeated
// keys; after every batch the root equals the root of the whole set computed from
// scratch, and every proof (present, absent, ending at another key's leaf) equals the
// proof read off the definition. On the memory store, the file store, and a store that
// offers only get and put (no getMany).
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/helpers/temp-dirs.js';
import {
  advanceHeadMap,
  encodeHeadValue,
  HEAD_MAP_EMPTY,
  type HeadMapNodeStore,
  type HeadValue,
  headLeafHash,
  headMapKey,
  headMapKeySalt,
  headNodeHash,
  keyBit,
  memoryHeadMapStore,
  proveHeadMap,
  sha256,
  toHex,
  updateHeadMap,
  utf8,
  verifyHeadMapPath,
} from '../../src/index.js';
import { openFileHeadMapStore } from '../../src/node.js';

interface Entry {
  readonly key: Uint8Array;
  readonly value: HeadValue;
}

function rootOf(entries: readonly Entry[], depth = 0): Uint8Array {
  if (entries.length === 0) return HEAD_MAP_EMPTY;
  if (entries.length === 1)
    return headLeafHash(entries[0]!.key, sha256(encodeHeadValue(entries[0]!.value)));
  return headNodeHash(
    rootOf(
      entries.filter((e) => keyBit(e.key, depth) === 0),
      depth + 1,
    ),
    rootOf(
      entries.filter((e) => keyBit(e.key, depth) === 1),
      depth + 1,
    ),
  );
}

// The proof of `key` read off the definition: siblings from the root down, then what the
// walk ends at.
function proofOf(entries: readonly Entry[], key: Uint8Array) {
  const siblings: string[] = [];
  let set = entries;
  for (let depth = 0; ; depth++) {
    if (set.length === 0) return { siblings, end: 'empty' };
    if (set.length === 1) {
      const e = set[0]!;
      return toHex(e.key) === toHex(key)
        ? { siblings, end: 'value', value: e.value }
        : { siblings, end: `other ${toHex(e.key)}` };
    }
    const bit = keyBit(key, depth);
    siblings.push(
      toHex(
        rootOf(
          set.filter((e) => keyBit(e.key, depth) !== bit),
          depth + 1,
        ),
      ),
    );
    set = set.filter((e) => keyBit(e.key, depth) === bit);
  }
}

// xorshift32: the same batches on every run.
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

const tempDir = tempDirs('medanchor-head-map-batch-');

/** A store offering only get and put, as a third-party store might. */
function getPutOnly(inner: HeadMapNodeStore): HeadMapNodeStore {
  return { get: (h) => inner.get(h), put: (e) => inner.put(e) };
}

async function stores(): Promise<[string, HeadMapNodeStore, () => Promise<void>][]> {
  const dir = tempDir();
  const file = await openFileHeadMapStore(dir);
  return [
    ['memory', memoryHeadMapStore(), async () => {}],
    ['file', file, () => file.close!()],
    ['get and put only', getPutOnly(memoryHeadMapStore()), async () => {}],
  ];
}

const keyOf = (n: number) => sha256(utf8(`record ${n}`));
const commitment = (leaf: number) => sha256(utf8(`commitment ${leaf}`));

describe('batched head map update against the definition', () => {
  it('seeded random batches: same roots and same proofs as the whole set rebuilt', async () => {
    for (const [name, store, close] of await stores()) {
      const next = prng(20_261_206);
      const truth = new Map<number, HeadValue>();
      let root = HEAD_MAP_EMPTY;
      let leaf = 0;
      // Batch sizes fixed; which records they touch drawn from the seeded generator: new
      // records, new versions of old ones, and (second half) only old ones.
      for (const [b, size] of [1, 2, 3, 50, 7, 200, 1, 64, 33, 120].entries()) {
        const batch = new Map<number, HeadValue>();
        for (let j = 0; j < size; j++) {
          const rec = b >= 5 && truth.size > 0 ? next(truth.size + 3) : next(600);
          const count = (truth.get(rec)?.count ?? 0) + 1;
          const v = { leafIndex: leaf, count, commitment: commitment(leaf) };
          leaf++;
          batch.set(rec, v);
        }
        root = await updateHeadMap(
          store,
          root,
          [...batch].map(([rec, value]) => ({ key: keyOf(rec), value })),
        );
        for (const [rec, v] of batch) truth.set(rec, v);
        const entries = [...truth].map(([rec, value]) => ({ key: keyOf(rec), value }));
        expect(toHex(root), `${name} batch ${b}`).toBe(toHex(rootOf(entries)));
        // Every present key, and absent ones (some ending at another key's leaf).
        for (const rec of [...truth.keys(), 1_000, 1_001, 1_002, 1_003]) {
          const key = keyOf(rec);
          const path = await proveHeadMap(store, root, key);
          const want = proofOf(entries, key);
          expect(path.siblings.map(toHex), `${name} ${rec}`).toEqual(want.siblings);
          if (want.end === 'value') expect(path.value).toEqual(want.value);
          else if (want.end === 'empty') expect(path.value ?? path.other).toBeUndefined();
          else expect(`other ${toHex(path.other!.key)}`).toBe(want.end);
          expect(verifyHeadMapPath(root, key, path)).toBe(true);
        }
      }
      await close();
    }
  }, 120_000);

  it('advanceHeadMap adds to the counts at the old root, read in the same pass', async () => {
    for (const [name, store, close] of await stores()) {
      const next = prng(7);
      const truth = new Map<number, HeadValue>();
      let root = HEAD_MAP_EMPTY;
      let leaf = 0;
      for (const size of [40, 1, 25, 90, 3]) {
        const added = new Map<number, { last: number; n: number }>();
        for (let j = 0; j < size; j++) {
          const rec = next(120);
          added.set(rec, { last: leaf++, n: (added.get(rec)?.n ?? 0) + 1 });
        }
        root = await advanceHeadMap(
          store,
          root,
          [...added].map(([rec, a]) => ({
            key: keyOf(rec),
            leafIndex: a.last,
            added: a.n,
            commitment: commitment(a.last),
          })),
        );
        for (const [rec, a] of added)
          truth.set(rec, {
            leafIndex: a.last,
            count: (truth.get(rec)?.count ?? 0) + a.n,
            commitment: commitment(a.last),
          });
        const entries = [...truth].map(([rec, value]) => ({ key: keyOf(rec), value }));
        expect(toHex(root), name).toBe(toHex(rootOf(entries)));
        for (const [rec, v] of truth)
          expect((await proveHeadMap(store, root, keyOf(rec))).value, `${name} ${rec}`).toEqual(v);
      }
      // A change that is not one (added 0) or names a key twice stores nothing.
      const bad = { key: keyOf(1), leafIndex: leaf, added: 0, commitment: commitment(0) };
      await expect(advanceHeadMap(store, root, [bad])).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(
        advanceHeadMap(store, root, [
          { ...bad, added: 1 },
          { ...bad, added: 2 },
        ]),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await close();
    }
  }, 120_000);

  it('a root whose nodes the store lacks is STORE_CORRUPT, for updates and advances alike', async () => {
    const a = memoryHeadMapStore();
    const root = await updateHeadMap(a, HEAD_MAP_EMPTY, [
      { key: keyOf(1), value: { leafIndex: 0, count: 1, commitment: commitment(0) } },
      { key: keyOf(2), value: { leafIndex: 1, count: 1, commitment: commitment(1) } },
    ]);
    const other = memoryHeadMapStore();
    const change = { key: keyOf(3), leafIndex: 2, added: 1, commitment: commitment(2) };
    await expect(advanceHeadMap(other, root, [change])).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
    expect(other.size).toBe(0);
  });

  it('key salts and keys (node:crypto states resumed per secret) equal HMAC and the tagged hash', () => {
    const tag = sha256(utf8('medanchor/head-map/key/v1'));
    for (const [s, record] of [
      [1, 'Consent/c-1'],
      [2, 'Consent/c-1'],
      [1, 'Observation/ü-€-𝄞'],
      [1, 'x'.repeat(1024)],
    ] as const) {
      const secret = sha256(utf8(`secret ${s}`));
      const first = sha256(utf8(`first ${record}`));
      const want = createHmac('sha256', secret).update(first).update(record, 'utf8').digest();
      const salt = headMapKeySalt(secret, first, record);
      expect(toHex(salt), record).toBe(want.toString('hex'));
      const key = sha256(new Uint8Array([...tag, ...tag, ...salt, ...utf8(record)]));
      expect(toHex(headMapKey(salt, record))).toBe(toHex(key));
    }
  });
});

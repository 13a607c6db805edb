// The head map's batched update (docs/spec/head-map.md sections 3 and 6): every changed key
// at once, sorted, so paths that share a prefix are walked once. The old tree is read one
// level at a time (one store call per level), the new nodes are hashed bottom-up one level
// at a time (one kernel call per level), and everything new is stored in one put.
import { MedanchorError } from '../errors.js';
import { hashNodes, hashValues, readEntries } from './entries.js';
import {
  decodeHeadValue,
  encodeHeadValue,
  HEAD_MAP_EMPTY,
  HEAD_MAP_LEAF_PREFIX,
  HEAD_MAP_NODE_PREFIX,
  type HeadValue,
} from './hash.js';
import type { HeadMapNodeStore, HeadMapUpdate } from './tree.js';

/**
 * One change of {@link advanceHeadMap}: new versions of a record were added to the log;
 * its new head is `leafIndex` and its count grows by `added` over the count at the old root.
 */
export interface HeadMapAdvance {
  /** The record's 32-byte key (`headMapKey`). */
  readonly key: Uint8Array;
  /** Leaf index of the record's newest version. */
  readonly leafIndex: number;
  /** How many versions were added since the old root (1 or more). */
  readonly added: number;
  /** The newest version's 32-byte commitment. */
  readonly commitment: Uint8Array;
}

interface Item {
  readonly key: Uint8Array;
  /** The new value's bytes, known up front ({@link updateHeadMap}) or once the old is read. */
  value?: Uint8Array;
  readonly advance?: HeadMapAdvance;
  /** The value hash of the key's leaf at the old root, when the key is there. */
  oldValueHash?: Uint8Array;
  /** The key's value at the old root (read for an advance). */
  old?: HeadValue;
}

interface Inner {
  readonly depth: number;
  /** The old node's bytes, for a child this update leaves as it was (`l` or `r` unset). */
  readonly old?: Uint8Array;
  l?: Ref;
  r?: Ref;
  hash?: Uint8Array;
}
interface Leaf {
  readonly item: number;
  hash?: Uint8Array;
}
/** A subtree of the new map: unchanged (its hash), or a node made by this update. */
type Ref = Uint8Array | Inner | Leaf;

interface Entry {
  readonly key: Uint8Array;
  readonly ref: Ref;
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function isEmpty(h: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (h[i] !== 0) return false;
  return true;
}

// Keys sorted and sharing their first `depth` bits: the first index in [lo, hi) whose bit
// `depth` is 1.
function splitKeys(keys: readonly Uint8Array[], lo: number, hi: number, depth: number): number {
  const byte = depth >> 3;
  const mask = 0x80 >> (depth & 7);
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if ((keys[m]![byte]! & mask) !== 0) b = m;
    else a = m + 1;
  }
  return a;
}

function hashOf(ref: Ref): Uint8Array {
  return ref instanceof Uint8Array ? ref : ref.hash!;
}

async function apply(
  store: HeadMapNodeStore,
  root: Uint8Array,
  items: Item[],
): Promise<Uint8Array> {
  if (!(root instanceof Uint8Array) || root.length !== 32)
    throw new MedanchorError('INVALID_LENGTH', 'a head-map root must be 32 bytes');
  items.sort((a, b) => compareKeys(a.key, b.key));
  for (let i = 1; i < items.length; i++)
    if (compareKeys(items[i - 1]!.key, items[i]!.key) === 0)
      throw new MedanchorError('INVALID_ARGUMENT', 'a head-map update names one key twice');
  if (items.length === 0) return root;

  const leaves: Leaf[] = items.map((_, item) => ({ item }));
  const inners: Inner[] = [];
  // A subtree made only of new and moved entries (no old inner node below): by definition.
  const build = (es: readonly Entry[], depth: number): Ref => {
    const keys = es.map((e) => e.key);
    const sub = (lo: number, hi: number, d: number): Ref => {
      if (hi - lo === 1) return es[lo]!.ref;
      const mid = splitKeys(keys, lo, hi, d);
      const node: Inner = {
        depth: d,
        l: mid > lo ? sub(lo, mid, d + 1) : HEAD_MAP_EMPTY,
        r: hi > mid ? sub(mid, hi, d + 1) : HEAD_MAP_EMPTY,
      };
      inners.push(node);
      return node;
    };
    return sub(0, es.length, depth);
  };
  const entriesOf = (lo: number, hi: number): Entry[] => {
    const es: Entry[] = [];
    for (let i = lo; i < hi; i++) es.push({ key: items[i]!.key, ref: leaves[i]! });
    return es;
  };

  // Walk the old tree down the changed keys' paths, one level per store call.
  interface Task {
    readonly hash: Uint8Array;
    readonly lo: number;
    readonly hi: number;
    /** Where the result goes: the root (no parent), or the parent's left or right child. */
    readonly parent?: Inner;
    readonly right?: boolean;
  }
  let rootRef: Ref = root;
  const place = (t: Task, r: Ref) => {
    if (t.parent === undefined) rootRef = r;
    else if (t.right === true) t.parent.r = r;
    else t.parent.l = r;
  };
  const keys = items.map((it) => it.key);
  let level: Task[] = [{ hash: root, lo: 0, hi: items.length }];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > 256) throw new MedanchorError('STORE_CORRUPT', 'the head map is deeper than 256');
    const reads: Uint8Array[] = [];
    for (const t of level) if (!isEmpty(t.hash)) reads.push(t.hash);
    const nodes = await readEntries(store, reads);
    const next: Task[] = [];
    let j = 0;
    for (const t of level) {
      if (isEmpty(t.hash)) {
        place(t, build(entriesOf(t.lo, t.hi), depth));
        continue;
      }
      const bytes = nodes[j++]!;
      if (bytes[0] === HEAD_MAP_LEAF_PREFIX) {
        const key = bytes.subarray(1, 33);
        const at = findKey(items, t.lo, t.hi, key);
        const es = entriesOf(t.lo, t.hi);
        if (at >= 0) items[at]!.oldValueHash = bytes.slice(33, 65);
        else {
          // The old leaf moves down beside the new keys, unchanged (same bytes, same hash).
          const pos = es.findIndex((e) => compareKeys(e.key, key) > 0);
          es.splice(pos === -1 ? es.length : pos, 0, { key: key.slice(), ref: t.hash });
        }
        place(t, build(es, depth));
        continue;
      }
      const node: Inner = { depth, old: bytes };
      inners.push(node);
      place(t, node);
      const mid = splitKeys(keys, t.lo, t.hi, depth);
      if (mid > t.lo)
        next.push({ hash: bytes.subarray(1, 33), lo: t.lo, hi: mid, parent: node, right: false });
      if (t.hi > mid)
        next.push({ hash: bytes.subarray(33, 65), lo: mid, hi: t.hi, parent: node, right: true });
    }
    level = next;
  }

  // Values: the old ones of advanced keys in one read, then every new value hashed at once.
  const olds = items.filter((it) => it.advance !== undefined && it.oldValueHash !== undefined);
  const oldValues = await readEntries(
    store,
    olds.map((it) => it.oldValueHash!),
    true,
  );
  olds.forEach((it, i) => {
    it.oldValueHash = undefined;
    it.old = decodeHeadValue(oldValues[i]!);
  });
  const n = items.length;
  const values = new Uint8Array(48 * n);
  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    const a = it.advance;
    if (a === undefined) {
      values.set(it.value!, 48 * i);
      continue;
    }
    const count = (it.old?.count ?? 0) + a.added;
    values.set(
      encodeHeadValue({ leafIndex: a.leafIndex, count, commitment: a.commitment }),
      48 * i,
    );
  }
  const valueList: Uint8Array[] = [];
  for (let i = 0; i < n; i++) valueList.push(values.subarray(48 * i, 48 * i + 48));
  const valueHashes = hashValues(valueList);

  // Leaves, then inner nodes from the deepest level up: one kernel call each. Every new
  // entry is written into one buffer (few large allocations rather than many small ones).
  const byDepth: Inner[][] = [];
  for (const node of inners) {
    const list = byDepth[node.depth];
    if (list === undefined) byDepth[node.depth] = [node];
    else list.push(node);
  }
  const entries = new Uint8Array(65 * (n + inners.length));
  const put: Uint8Array[] = [...valueList];
  const putHashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) putHashes.push(valueHashes.subarray(32 * i, 32 * i + 32));
  const leafInput = new Uint8Array(64 * n);
  for (let i = 0; i < n; i++) {
    leafInput.set(items[i]!.key, 64 * i);
    leafInput.set(valueHashes.subarray(32 * i, 32 * i + 32), 64 * i + 32);
  }
  let at = 0;
  const keep = (prefix: number, input: Uint8Array, i: number, h: Uint8Array) => {
    const e = entries.subarray(at, at + 65);
    at += 65;
    e[0] = prefix;
    e.set(input.subarray(64 * i, 64 * i + 64), 1);
    put.push(e);
    putHashes.push(h);
  };
  const leafHashes = hashNodes(HEAD_MAP_LEAF_PREFIX, leafInput, n);
  for (let i = 0; i < n; i++) {
    const h = leafHashes.subarray(32 * i, 32 * i + 32);
    leaves[i]!.hash = h;
    keep(HEAD_MAP_LEAF_PREFIX, leafInput, i, h);
  }
  for (let depth = byDepth.length - 1; depth >= 0; depth--) {
    const list = byDepth[depth];
    if (list === undefined) continue;
    const input = new Uint8Array(64 * list.length);
    for (let i = 0; i < list.length; i++) {
      const node = list[i]!;
      // A side this update did not touch keeps the old node's child hash.
      if (node.l !== undefined) input.set(hashOf(node.l), 64 * i);
      else for (let k = 0; k < 32; k++) input[64 * i + k] = node.old![1 + k]!;
      if (node.r !== undefined) input.set(hashOf(node.r), 64 * i + 32);
      else for (let k = 0; k < 32; k++) input[64 * i + 32 + k] = node.old![33 + k]!;
    }
    const sums = hashNodes(HEAD_MAP_NODE_PREFIX, input, list.length);
    for (let i = 0; i < list.length; i++) {
      const h = sums.subarray(32 * i, 32 * i + 32);
      list[i]!.hash = h;
      keep(HEAD_MAP_NODE_PREFIX, input, i, h);
    }
  }
  await store.put(put, putHashes);
  return hashOf(rootRef).slice();
}

// The index in [lo, hi) of the item whose key is `key`, or -1.
function findKey(items: readonly Item[], lo: number, hi: number, key: Uint8Array): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    const c = compareKeys(items[m]!.key, key);
    if (c === 0) return m;
    if (c < 0) a = m + 1;
    else b = m;
  }
  return -1;
}

function checkKey(key: unknown): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32)
    throw new MedanchorError('INVALID_LENGTH', 'a head-map key must be 32 bytes');
  return key;
}

/**
 * Applies changes to the map at `root` and stores every new node and value, durably,
 * before resolving with the new root. All keys are handled in one pass: the old tree is
 * read along the changed keys' paths one level at a time (one store call per level, shared
 * prefixes read once) and the new nodes are hashed level by level, so a seal costs
 * O(changes x depth) hashing and O(depth) store round trips. Nodes of `root` are never
 * changed, so proofs at older roots stay available.
 * @throws MedanchorError `INVALID_ARGUMENT` (a key twice, a bad value), `INVALID_LENGTH`,
 * `STORE_CORRUPT` (a node of `root` is missing or damaged), the store's errors.
 */
export async function updateHeadMap(
  store: HeadMapNodeStore,
  root: Uint8Array,
  updates: readonly HeadMapUpdate[],
): Promise<Uint8Array> {
  const items: Item[] = updates.map((u) => ({
    value: encodeHeadValue(u.value),
    key: checkKey(u.key),
  }));
  return apply(store, root, items);
}

/**
 * Like {@link updateHeadMap} for a log that grew: each record's new head is its newest
 * leaf, and its count is its count at `root` (0 when absent) plus `added`. The old counts
 * are read in the same pass that rewrites the paths, not by one walk per record.
 * @throws MedanchorError as {@link updateHeadMap}.
 */
export async function advanceHeadMap(
  store: HeadMapNodeStore,
  root: Uint8Array,
  advances: readonly HeadMapAdvance[],
): Promise<Uint8Array> {
  const items: Item[] = advances.map((a) => {
    // Checked up front (count 1 stands for any), so nothing is stored for a bad change.
    encodeHeadValue({ leafIndex: a.leafIndex, count: 1, commitment: a.commitment });
    if (!Number.isSafeInteger(a.added) || a.added < 1)
      throw new MedanchorError('INVALID_ARGUMENT', 'added must be a safe integer >= 1');
    return { key: checkKey(a.key), advance: a };
  });
  return apply(store, root, items);
}

// The head map's batched update (docs/spec/head-map.md sections 3 and 6): every changed key
// at once, sorted, so paths that share a prefix are walked once. The old tree is read one
// level at a time (one store call per level), the new nodes are hashed bottom-up one level
// at a time (one kernel call per level), and everything new is stored in one put.
import { MedanchorError } from '../errors.js';
import { sha256PrefixedBatch } from '../kernel/index.js';
import { putEntries, readEntries } from './entries.js';
import {
  decodeHeadValue,
  HEAD_MAP_EMPTY,
  HEAD_MAP_LEAF_PREFIX,
  HEAD_MAP_NODE_PREFIX,
  type HeadValue,
  writeHeadValue,
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
  /** The new value, known up front ({@link updateHeadMap}). */
  readonly value?: HeadValue;
  readonly advance?: HeadMapAdvance;
  /** The value hash of the key's leaf at the old root, when the key is there. */
  oldValueHash?: Uint8Array;
  /** Its count at the old root (read for an advance). */
  oldCount?: number;
}

// A subtree of the new map, as a number: item i's new leaf (0 <= ref < n), new inner node j
// (n + j), the unchanged subtree olds[-1 - ref], or KEEP: the old node's child on that side.
const KEEP = -0x80000000;

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

// Copies 32 bytes (plain loops: a subarray per copy would cost more than the copy).
function copy32(to: Uint8Array, at: number, from: Uint8Array, fromAt: number): void {
  for (let k = 0; k < 32; k++) to[at + k] = from[fromAt + k]!;
}

// Everything new lives in flat arrays and two buffers, not in an object per node: a seal
// of 10,000 new records makes ~30,000 entries, and the garbage collector's share of many
// small objects costs more than their hashing.
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
  const n = items.length;
  if (n === 0) return root;
  const keys = items.map((it) => it.key);

  // New inner nodes: depth, children, and the old node's bytes for a side left as it was.
  const depths: number[] = [];
  const lefts: number[] = [];
  const rights: number[] = [];
  const oldNodes: (Uint8Array | undefined)[] = [];
  const olds: Uint8Array[] = [HEAD_MAP_EMPTY];
  const EMPTY = -1;
  const inner = (d: number, l: number, r: number, old?: Uint8Array): number => {
    depths.push(d);
    lefts.push(l);
    rights.push(r);
    oldNodes.push(old);
    return n + depths.length - 1;
  };
  // A subtree of new and moved entries only (no old inner node below): by definition.
  // `refs` undefined: the entries are items lo..hi themselves.
  const build = (
    ks: readonly Uint8Array[],
    refs: number[] | undefined,
    lo: number,
    hi: number,
    d: number,
  ): number => {
    if (hi - lo === 1) return refs === undefined ? lo : refs[lo]!;
    const mid = splitKeys(ks, lo, hi, d);
    const l = mid > lo ? build(ks, refs, lo, mid, d + 1) : EMPTY;
    return inner(d, l, hi > mid ? build(ks, refs, mid, hi, d + 1) : EMPTY);
  };

  // Walk the old tree down the changed keys' paths, one level per store call. A task is an
  // old subtree and the items under it; its result goes to the root or a parent's side.
  let rootRef = EMPTY;
  let level: { hash: Uint8Array; lo: number; hi: number; parent: number; right: boolean }[] = [
    { hash: root, lo: 0, hi: n, parent: -1, right: false },
  ];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > 256) throw new MedanchorError('STORE_CORRUPT', 'the head map is deeper than 256');
    const reads: Uint8Array[] = [];
    for (const t of level) if (!isEmpty(t.hash)) reads.push(t.hash);
    const nodes = await readEntries(store, reads);
    const next: typeof level = [];
    let j = 0;
    for (const t of level) {
      let ref: number;
      if (isEmpty(t.hash)) ref = build(keys, undefined, t.lo, t.hi, depth);
      else {
        const bytes = nodes[j++]!;
        if (bytes[0] === HEAD_MAP_LEAF_PREFIX) {
          const key = bytes.subarray(1, 33);
          const at = findKey(keys, t.lo, t.hi, key);
          if (at >= 0) {
            items[at]!.oldValueHash = bytes.slice(33, 65);
            ref = build(keys, undefined, t.lo, t.hi, depth);
          } else {
            // The old leaf moves down beside the new keys, unchanged (same bytes, same hash).
            const ks = keys.slice(t.lo, t.hi);
            const refs = ks.map((_, i) => t.lo + i);
            let pos = 0;
            while (pos < ks.length && compareKeys(ks[pos]!, key) < 0) pos++;
            ks.splice(pos, 0, key.slice());
            refs.splice(pos, 0, -olds.push(t.hash)); // -1 - its index in olds
            ref = build(ks, refs, 0, ks.length, depth);
          }
        } else {
          ref = inner(depth, KEEP, KEEP, bytes);
          const mid = splitKeys(keys, t.lo, t.hi, depth);
          if (mid > t.lo)
            next.push({
              hash: bytes.subarray(1, 33),
              lo: t.lo,
              hi: mid,
              parent: ref - n,
              right: false,
            });
          if (t.hi > mid)
            next.push({
              hash: bytes.subarray(33, 65),
              lo: mid,
              hi: t.hi,
              parent: ref - n,
              right: true,
            });
        }
      }
      if (t.parent < 0) rootRef = ref;
      else if (t.right) rights[t.parent] = ref;
      else lefts[t.parent] = ref;
    }
    level = next;
  }

  // Every new entry goes into one buffer (see putEntries): values (entries 0..n), leaves
  // (n..2n), then inner nodes (2n..), its SHA-256 at 32 * its number.
  const m = depths.length;
  const count = 2 * n + m;
  const bytes = new Uint8Array(66 * count);
  const hashes = new Uint8Array(32 * count);

  // Values: the old ones of advanced keys in one read, then every new value hashed at once.
  const advanced = items.filter((it) => it.advance !== undefined && it.oldValueHash !== undefined);
  const oldValues = await readEntries(
    store,
    advanced.map((it) => it.oldValueHash!),
    true,
  );
  for (let i = 0; i < advanced.length; i++)
    advanced[i]!.oldCount = decodeHeadValue(oldValues[i]!).count;
  for (let i = 0; i < n; i++) {
    const { advance: a, value: v } = items[i]!;
    bytes[66 * i] = 48;
    if (a === undefined) writeHeadValue(bytes, 66 * i + 1, v!.leafIndex, v!.count, v!.commitment);
    else {
      const count = (items[i]!.oldCount ?? 0) + a.added;
      writeHeadValue(bytes, 66 * i + 1, a.leafIndex, count, a.commitment);
    }
  }
  // A value starts with u64be(leafIndex), whose top byte is zero below 2^53: the batch
  // kernel hashes the prefix byte 0x00 and the value's other 47 bytes.
  const input = new Uint8Array(64 * Math.max(n, m));
  for (let i = 0; i < n; i++)
    for (let k = 1; k < 48; k++) input[47 * i + k - 1] = bytes[66 * i + 1 + k]!;
  sha256PrefixedBatch(0x00, input, 47, n, hashes, 0);

  // Leaves: 0x02 || key || value hash, then inner nodes from the deepest level up: one
  // kernel call each. A node's input row becomes its stored entry, after its prefix.
  const entries = (prefix: number, from: number, rows: number) => {
    sha256PrefixedBatch(prefix, input, 64, rows, hashes, 32 * from);
    for (let r = 0; r < rows; r++) {
      const at = 66 * (from + r);
      bytes[at] = 65;
      bytes[at + 1] = prefix;
      for (let k = 0; k < 64; k++) bytes[at + 2 + k] = input[64 * r + k]!;
    }
  };
  for (let i = 0; i < n; i++) {
    input.set(keys[i]!, 64 * i);
    copy32(input, 64 * i + 32, hashes, 32 * i);
  }
  entries(HEAD_MAP_LEAF_PREFIX, n, n);
  // Inner nodes stored in order of depth, deepest first: node j becomes entry 2n + place[j].
  const place = new Int32Array(m);
  const byDepth: number[][] = [];
  for (let j = 0; j < m; j++) {
    const list = byDepth[depths[j]!];
    if (list === undefined) byDepth[depths[j]!] = [j];
    else list.push(j);
  }
  let done = 0;
  for (let d = byDepth.length - 1; d >= 0; d--) {
    const list = byDepth[d];
    if (list === undefined) continue;
    for (let r = 0; r < list.length; r++) {
      const j = list[r]!;
      place[j] = done + r;
      for (let side = 0; side < 2; side++) {
        const ref = side === 0 ? lefts[j]! : rights[j]!;
        const at = 64 * r + 32 * side;
        if (ref === KEEP) copy32(input, at, oldNodes[j]!, 1 + 32 * side);
        else if (ref < 0) copy32(input, at, olds[-1 - ref]!, 0);
        else copy32(input, at, hashes, ref < n ? 32 * (n + ref) : 32 * (2 * n + place[ref - n]!));
      }
    }
    entries(HEAD_MAP_NODE_PREFIX, 2 * n + done, list.length);
    done += list.length;
  }
  await putEntries(store, bytes, hashes, count);
  if (rootRef < 0) return olds[-1 - rootRef]!.slice();
  const r = rootRef < n ? n + rootRef : 2 * n + place[rootRef - n]!;
  return hashes.slice(32 * r, 32 * r + 32);
}

// The index in [lo, hi) of the item whose key is `key`, or -1.
function findKey(keys: readonly Uint8Array[], lo: number, hi: number, key: Uint8Array): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    const c = compareKeys(keys[m]!, key);
    if (c === 0) return m;
    if (c < 0) a = m + 1;
    else b = m;
  }
  return -1;
}

const CHECKED = new Uint8Array(48);

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
  const items: Item[] = updates.map((u) => {
    // Checked up front, so nothing is stored for a bad change.
    writeHeadValue(CHECKED, 0, u.value?.leafIndex, u.value?.count, u.value?.commitment);
    return { value: u.value, key: checkKey(u.key) };
  });
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
    writeHeadValue(CHECKED, 0, a.leafIndex, 1, a.commitment);
    if (!Number.isSafeInteger(a.added) || a.added < 1)
      throw new MedanchorError('INVALID_ARGUMENT', 'added must be a safe integer >= 1');
    return { key: checkKey(a.key), advance: a };
  });
  return apply(store, root, items);
}

// Reading and hashing head-map entries many at a time: one store round trip per batch (a
// tree level), one hashing kernel call per batch, and a bounded cache of recently used
// nodes, so a seal neither asks the store node by node nor re-hashes a node it has seen.
import { toHex } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { sha256PrefixedBatch } from '../kernel/index.js';
import { sha256 } from '../sha256.js';
import { HEAD_MAP_LEAF_PREFIX, HEAD_MAP_NODE_PREFIX } from './hash.js';
import type { HeadMapNodeStore } from './tree.js';

/**
 * SHA-256 of each 48-byte value, `32 * values.length` bytes. A value starts with
 * `u64be(leafIndex)`, whose top byte is zero for every index below 2^53, so the batch
 * kernel hashes it as the prefix byte 0x00 followed by the value's other 47 bytes.
 */
export function hashValues(values: readonly Uint8Array[]): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(32 * n);
  const input = new Uint8Array(47 * n);
  for (let i = 0; i < n; i++) input.set(values[i]!.subarray(1, 48), 47 * i);
  if (n > 0) sha256PrefixedBatch(0x00, input, 47, n, out);
  // A value whose first byte is not zero (only a damaged one) is hashed on its own.
  for (let i = 0; i < n; i++) if (values[i]![0] !== 0) out.set(sha256(values[i]!), 32 * i);
  return out;
}

/** SHA-256 of `prefix || input[64i .. 64i + 64]` for each of `count` nodes. */
export function hashNodes(prefix: number, input: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(32 * count);
  if (count > 0) sha256PrefixedBatch(prefix, input, 64, count, out);
  return out;
}

// A node cache of two generations: when the young one is full it becomes the old one and
// the old one is dropped, so hot nodes (a map's upper levels) stay and memory is bounded.
const GENERATION = 1 << 16;

// 30 bits of a hash: a small-integer map key (no heap number), confirmed on the whole hash.
function hashTag(h: Uint8Array): number {
  return ((h[0]! << 22) | (h[1]! << 14) | (h[2]! << 6) | (h[3]! >> 2)) & 0x3fffffff;
}

/** Stores whose reads are as cheap as the cache's (in memory): not cached. */
export const uncached: WeakSet<HeadMapNodeStore> = new WeakSet();

class EntryCache {
  private young = new Map<number, Uint8Array>();
  private old = new Map<number, Uint8Array>();

  get(h: Uint8Array): Uint8Array | undefined {
    const t = hashTag(h);
    const v = this.young.get(t) ?? this.old.get(t);
    if (v === undefined) return undefined;
    for (let i = 0; i < 32; i++) if (v[i] !== h[i]) return undefined;
    return v.subarray(32);
  }

  set(h: Uint8Array, entry: Uint8Array): void {
    const v = new Uint8Array(32 + entry.length);
    v.set(h);
    v.set(entry, 32);
    this.young.set(hashTag(h), v);
    if (this.young.size >= GENERATION) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}

const caches = new WeakMap<HeadMapNodeStore, EntryCache>();

/** The node cache kept beside a store (entries never change, so it never goes stale). */
export function cacheOf(store: HeadMapNodeStore): EntryCache | undefined {
  if (uncached.has(store)) return undefined;
  let c = caches.get(store);
  if (c === undefined) {
    c = new EntryCache();
    caches.set(store, c);
  }
  return c;
}

function corrupt(hash: Uint8Array, what: string): MedanchorError {
  return new MedanchorError(
    'STORE_CORRUPT',
    `the head map lacks ${what} ${toHex(hash)} or it is damaged`,
    { details: { node: toHex(hash) } },
  );
}

/**
 * The entries under `hashes` (65-byte nodes, or 48-byte values with `values`), from the
 * cache or in one store call, each checked against its hash (batch-hashed) before use.
 * @throws MedanchorError `STORE_CORRUPT` naming the first entry missing or damaged.
 */
export async function readEntries(
  store: HeadMapNodeStore,
  hashes: readonly Uint8Array[],
  values = false,
): Promise<Uint8Array[]> {
  const cache = cacheOf(store);
  const out: (Uint8Array | undefined)[] = hashes.map((h) => cache?.get(h));
  const missing: number[] = [];
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) missing.push(i);
  if (missing.length === 0) return out as Uint8Array[];
  const asked = missing.map((i) => hashes[i]!);
  const got =
    store.getMany !== undefined
      ? await store.getMany(asked)
      : await Promise.all(asked.map((h) => store.get(h)));
  const len = values ? 48 : 65;
  for (let j = 0; j < missing.length; j++) {
    const e = got[j];
    if (e === undefined || e.length !== len) throw corrupt(asked[j]!, values ? 'value' : 'node');
  }
  // Check every entry read against its hash: values in one batch, nodes by their prefix.
  const check = (sums: Uint8Array, at: readonly number[]) => {
    for (let k = 0; k < at.length; k++) {
      const h = asked[at[k]!]!;
      for (let b = 0; b < 32; b++)
        if (sums[32 * k + b] !== h[b]) throw corrupt(h, values ? 'value' : 'node');
    }
  };
  if (values) {
    check(
      hashValues(got as Uint8Array[]),
      missing.map((_, j) => j),
    );
  } else {
    for (const prefix of [HEAD_MAP_LEAF_PREFIX, HEAD_MAP_NODE_PREFIX]) {
      const at: number[] = [];
      for (let j = 0; j < got.length; j++) if (got[j]![0] === prefix) at.push(j);
      const input = new Uint8Array(64 * at.length);
      for (let k = 0; k < at.length; k++) input.set(got[at[k]!]!.subarray(1), 64 * k);
      check(hashNodes(prefix, input, at.length), at);
    }
    for (let j = 0; j < got.length; j++) {
      const p = got[j]![0];
      if (p !== HEAD_MAP_LEAF_PREFIX && p !== HEAD_MAP_NODE_PREFIX)
        throw new MedanchorError(
          'STORE_CORRUPT',
          `head map entry ${toHex(asked[j]!)} is not a node`,
        );
    }
  }
  for (let j = 0; j < missing.length; j++) {
    const e = got[j]!;
    out[missing[j]!] = e;
    if (!values) cache?.set(asked[j]!, e);
  }
  return out as Uint8Array[];
}

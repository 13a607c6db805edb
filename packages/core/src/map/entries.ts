// Reading and hashing head-map entries many at a time: one store round trip per batch (a
// tree level) and one hashing kernel call per batch, so a seal never asks the store node
// by node; entries a local store keyed by their hash are read in place, not hashed again.
import { equalBytes, toHex } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { nodeOneShotHash } from '../merkle/path-fold-node.js';
import { sha256 } from '../sha256.js';
import { HEAD_MAP_LEAF_PREFIX, HEAD_MAP_NODE_PREFIX } from './hash.js';
import type { HeadMapNodeStore } from './tree.js';

/**
 * Stores that hold their entries in this process's memory (the memory store, the file
 * store's loaded entries), keyed by each entry's hash when it was stored or loaded: read
 * here synchronously, without copies and without hashing again.
 */
export const localEntries: WeakMap<HeadMapNodeStore, (hash: Uint8Array) => Uint8Array | undefined> =
  new WeakMap();

const kindOk = (e: Uint8Array, value: boolean) =>
  value || e[0] === HEAD_MAP_LEAF_PREFIX || e[0] === HEAD_MAP_NODE_PREFIX;

function corrupt(hash: Uint8Array, what: string): MedanchorError {
  return new MedanchorError(
    'STORE_CORRUPT',
    `the head map lacks ${what} ${toHex(hash)} or it is damaged`,
    { details: { node: toHex(hash) } },
  );
}

/**
 * The entries under `hashes` (65-byte nodes, or 48-byte values with `values`): from a
 * local store's memory as they are (keyed by their hash when stored or loaded), else in
 * one store call, each checked against its hash before use.
 * The arrays returned may be views of a store's memory: read them, never write them.
 * @throws MedanchorError `STORE_CORRUPT` naming the first entry missing or damaged.
 */
export async function readEntries(
  store: HeadMapNodeStore,
  hashes: readonly Uint8Array[],
  values = false,
): Promise<Uint8Array[]> {
  const len = values ? 48 : 65;
  const local = localEntries.get(store);
  if (local !== undefined) {
    const found: Uint8Array[] = [];
    for (const h of hashes) {
      const e = local(h);
      if (e?.length !== len || !kindOk(e, values)) throw corrupt(h, values ? 'value' : 'node');
      found.push(e);
    }
    return found;
  }
  const got =
    store.getMany !== undefined
      ? await store.getMany(hashes)
      : await Promise.all(hashes.map((h) => store.get(h)));
  // Entries from elsewhere are checked against their hash before use.
  hashes.forEach((h, j) => {
    const e = got[j];
    if (e?.length !== len || !hashesTo(e, h) || !kindOk(e, values))
      throw corrupt(h, values ? 'value' : 'node');
  });
  return got as Uint8Array[];
}

/**
 * True when SHA-256 of `entry` is `hash` (32 bytes). On node:crypto's one-shot hash where
 * there is one, compared with its latin1 digest in place: a remote store (PostgreSQL)
 * hands a seal tens of thousands of entries, and @noble took most of the check's time.
 * @internal
 */
export function hashesTo(entry: Uint8Array, hash: Uint8Array): boolean {
  const oneShot = nodeOneShotHash();
  if (oneShot === undefined) return equalBytes(sha256(entry), hash);
  if (hash.length !== 32) return false;
  const s = oneShot('sha256', entry, 'latin1');
  for (let i = 0; i < 32; i++) if (s.charCodeAt(i) !== hash[i]) return false;
  return true;
}

/**
 * Stores that take a whole update's entries packed as {@link putEntries} gets them (the
 * memory and file stores): no array per entry.
 */
export const packedPuts: WeakMap<
  HeadMapNodeStore,
  (bytes: Uint8Array, hashes: Uint8Array, count: number) => Promise<void>
> = new WeakMap();

/**
 * The same for stores in other packages, which cannot reach {@link packedPuts}' module
 * instance: the function under this registered symbol on the store (the PostgreSQL store).
 */
export const PACKED_PUT: unique symbol = Symbol.for('medanchor.headMap.putPacked');

/**
 * Stores `count` entries, entry i as nodes.bin records it (docs/spec/head-map-file.md): its
 * length (48 or 65) at `bytes[66i]`, then its bytes; its SHA-256 at `hashes[32i ..]`.
 */
export function putEntries(
  store: HeadMapNodeStore,
  bytes: Uint8Array,
  hashes: Uint8Array,
  count: number,
): Promise<void> {
  const packed =
    packedPuts.get(store) ??
    (store as { [PACKED_PUT]?: (b: Uint8Array, h: Uint8Array, n: number) => Promise<void> })[
      PACKED_PUT
    ];
  if (packed !== undefined) return packed(bytes, hashes, count);
  const list: Uint8Array[] = [];
  const sums: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    list.push(bytes.subarray(66 * i + 1, 66 * i + 1 + bytes[66 * i]!));
    sums.push(hashes.subarray(32 * i, 32 * i + 32));
  }
  return store.put(list, sums);
}

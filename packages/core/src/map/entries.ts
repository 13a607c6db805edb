// Reading and hashing head-map entries many at a time: one store round trip per batch (a
// tree level) and one hashing kernel call per batch, so a seal never asks the store node
// by node; entries a local store keyed by their hash are read in place, not hashed again.
import { equalBytes, toHex } from '../bytes.js';
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
    if (e?.length !== len || !equalBytes(sha256(e), h) || !kindOk(e, values))
      throw corrupt(h, values ? 'value' : 'node');
  });
  return got as Uint8Array[];
}

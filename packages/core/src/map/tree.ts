// The head map's tree over a content-addressed node store: incremental updates (only the
// paths of changed keys are rewritten) and proofs. Every stored entry is kept under its
// own SHA-256, so old roots stay readable and a half-finished update leaves only orphans.
import { equalBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { sha256 } from '../sha256.js';
import { localEntries, packedPuts, readEntries } from './entries.js';
import { HashKeyedMap } from './entry-table.js';
import {
  decodeHeadValue,
  HEAD_MAP_EMPTY,
  HEAD_MAP_LEAF_PREFIX,
  type HeadValue,
  keyBit,
} from './hash.js';

/**
 * Where a head map keeps its nodes and values: a content-addressed store (each entry is
 * found by its SHA-256). Implementations: {@link memoryHeadMapStore} and the file store of
 * `@medanchor/core/node`.
 */
export interface HeadMapNodeStore {
  /** The entry whose SHA-256 is `hash`, or `undefined`. */
  get(hash: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * The entries under each hash, in one call (one round trip for a remote store). Optional:
   * without it, readers call {@link HeadMapNodeStore.get} for each hash.
   */
  getMany?(hashes: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /**
   * Stores entries durably (each under its SHA-256); storing one again is a no-op. When
   * `hashes` is given it holds each entry's SHA-256, computed by the caller (the map's own
   * update), which a store may use instead of hashing the entries again.
   */
  put(entries: readonly Uint8Array[], hashes?: readonly Uint8Array[]): Promise<void>;
}

/** One change of {@link updateHeadMap}: the record's key and its new head. */
export interface HeadMapUpdate {
  /** The record's 32-byte key (`headMapKey`). */
  readonly key: Uint8Array;
  /** Its head at the new root. */
  readonly value: HeadValue;
}

/** What a walk from a root along one key found (see {@link proveHeadMap}). */
export interface HeadMapPath {
  /** Sibling hashes from the root down, one per inner node passed. */
  readonly siblings: Uint8Array[];
  /** The key's value, when the key is in the map. */
  readonly value?: HeadValue;
  /**
   * When the key is not in the map and the walk ended at another key's leaf: that key and
   * its value hash (the leaf's bytes without the value itself).
   */
  readonly other?: { readonly key: Uint8Array; readonly valueHash: Uint8Array };
}

/**
 * Walks from `root` along `key`: the siblings passed, and the key's value or what ended
 * the walk (an empty subtree, or another key's leaf). What `verifyHeadMapPath`
 * checks.
 * @throws MedanchorError `INVALID_LENGTH`, `STORE_CORRUPT`.
 */
export async function proveHeadMap(
  store: HeadMapNodeStore,
  root: Uint8Array,
  key: Uint8Array,
): Promise<HeadMapPath> {
  if (!(root instanceof Uint8Array) || root.length !== 32)
    throw new MedanchorError('INVALID_LENGTH', 'a head-map root must be 32 bytes');
  if (!(key instanceof Uint8Array) || key.length !== 32)
    throw new MedanchorError('INVALID_LENGTH', 'a head-map key must be 32 bytes');
  const siblings: Uint8Array[] = [];
  let h = root;
  for (let depth = 0; ; depth++) {
    if (equalBytes(h, HEAD_MAP_EMPTY)) return { siblings };
    const [node] = await readEntries(store, [h]);
    if (node![0] === HEAD_MAP_LEAF_PREFIX) {
      const leafKey = node!.subarray(1, 33);
      const valueHash = node!.subarray(33, 65);
      if (!equalBytes(leafKey, key))
        return { siblings, other: { key: leafKey.slice(), valueHash: valueHash.slice() } };
      const [value] = await readEntries(store, [valueHash], true);
      return { siblings, value: decodeHeadValue(value!) };
    }
    if (depth >= 256) throw new MedanchorError('STORE_CORRUPT', 'the head map is deeper than 256');
    const bit = keyBit(key, depth);
    siblings.push(node!.slice(bit === 1 ? 1 : 33, bit === 1 ? 33 : 65));
    h = node!.slice(bit === 1 ? 33 : 1, bit === 1 ? 65 : 33);
  }
}

/**
 * A head map's storage: its nodes and the log's map secret (docs/spec/head-map.md section 2),
 * which derives every record's key salt and never leaves the operator.
 */
export interface HeadMapStore extends HeadMapNodeStore {
  /** The 32-byte map secret. Secret: never logged, never put in an error. */
  readonly secret: Uint8Array;
  /** Releases files; later calls throw `STORE_CLOSED` (a no-op in memory). */
  close?(): Promise<void>;
}

/** Options of {@link memoryHeadMapStore}. */
export interface MemoryHeadMapStoreOptions {
  /** The map secret (default: 32 random bytes). */
  readonly secret?: Uint8Array;
}

/**
 * A {@link HeadMapStore} in memory (for tests, browsers and short-lived ledgers).
 * @throws MedanchorError `INVALID_LENGTH` for a secret that is not 32 bytes.
 */
export function memoryHeadMapStore(
  options: MemoryHeadMapStoreOptions = {},
): HeadMapStore & { readonly size: number } {
  const secret = options.secret ?? crypto.getRandomValues(new Uint8Array(32));
  if (!(secret instanceof Uint8Array) || secret.length !== 32)
    throw new MedanchorError('INVALID_LENGTH', 'a head-map secret must be 32 bytes');
  const entries = new HashKeyedMap();
  const store: HeadMapStore & { readonly size: number } = {
    secret: secret.slice(),
    get size() {
      return entries.size;
    },
    async get(hash) {
      return entries.get(hash)?.slice();
    },
    async getMany(hashes) {
      return hashes.map((h) => entries.get(h)?.slice());
    },
    async put(list, hashes) {
      // Hashes from the caller are trusted here: this store lives in the caller's memory.
      list.forEach((e, i) => {
        entries.setAt(hashes?.[i] ?? sha256(e), 0, e, 0, e.length);
      });
    },
  };
  // Entries are keyed by the hash the update computed (or by hashing them here), and this
  // memory is the process's own: the map reads them in place, without hashing them again.
  localEntries.set(store, (h) => entries.get(h));
  packedPuts.set(store, async (bytes, hashes, count) => {
    entries.reserve(count);
    for (let i = 0; i < count; i++)
      entries.setAt(hashes, 32 * i, bytes, 66 * i + 1, bytes[66 * i]!);
  });
  return store;
}

// The head map's tree over a content-addressed node store: incremental updates (only the
// paths of changed keys are rewritten) and proofs. Every stored entry is kept under its
// own SHA-256, so old roots stay readable and a half-finished update leaves only orphans.
import { equalBytes, toHex } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { sha256 } from '../sha256.js';
import {
  decodeHeadValue,
  encodeHeadValue,
  HEAD_MAP_EMPTY,
  HEAD_MAP_LEAF_PREFIX,
  HEAD_MAP_NODE_PREFIX,
  type HeadValue,
  innerNodeBytes,
  keyBit,
  leafNodeBytes,
} from './hash.js';

/**
 * Where a head map keeps its nodes and values: a content-addressed store (each entry is
 * found by its SHA-256). Implementations: {@link memoryHeadMapStore} and the file store of
 * `@medanchor/core/node`.
 */
export interface HeadMapNodeStore {
  /** The entry whose SHA-256 is `hash`, or `undefined`. */
  get(hash: Uint8Array): Promise<Uint8Array | undefined>;
  /** Stores entries durably (each under its SHA-256); storing one again is a no-op. */
  put(entries: readonly Uint8Array[]): Promise<void>;
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

type Node =
  | { readonly kind: 'leaf'; readonly key: Uint8Array; readonly valueHash: Uint8Array }
  | { readonly kind: 'inner'; readonly left: Uint8Array; readonly right: Uint8Array };

async function readNode(
  store: HeadMapNodeStore,
  fresh: Map<string, Uint8Array>,
  hash: Uint8Array,
): Promise<Node> {
  const bytes = fresh.get(toHex(hash)) ?? (await store.get(hash));
  // Entries are self-checking: a damaged or missing one is named, never followed.
  if (bytes === undefined || bytes.length !== 65 || !equalBytes(sha256(bytes), hash))
    throw new MedanchorError(
      'STORE_CORRUPT',
      `the head map lacks node ${toHex(hash)} or it is damaged`,
      { details: { node: toHex(hash) } },
    );
  if (bytes[0] === HEAD_MAP_LEAF_PREFIX)
    return { kind: 'leaf', key: bytes.subarray(1, 33), valueHash: bytes.subarray(33, 65) };
  if (bytes[0] === HEAD_MAP_NODE_PREFIX)
    return { kind: 'inner', left: bytes.subarray(1, 33), right: bytes.subarray(33, 65) };
  throw new MedanchorError('STORE_CORRUPT', `head map entry ${toHex(hash)} is not a node`);
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

interface Item {
  readonly key: Uint8Array;
  readonly valueHash: Uint8Array;
}

/**
 * Applies changes to the map at `root` and stores every new node and value, durably,
 * before resolving with the new root. Only the paths from the root to the changed keys
 * are rewritten: O(changes x depth) node writes. Nodes of `root` are never changed, so
 * proofs at older roots stay available.
 * @throws MedanchorError `INVALID_ARGUMENT` (a key twice), `INVALID_LENGTH`,
 * `STORE_CORRUPT` (a node of `root` is missing or damaged), the store's errors.
 */
export async function updateHeadMap(
  store: HeadMapNodeStore,
  root: Uint8Array,
  updates: readonly HeadMapUpdate[],
): Promise<Uint8Array> {
  const fresh = new Map<string, Uint8Array>();
  const keep = (bytes: Uint8Array): Uint8Array => {
    const h = sha256(bytes);
    fresh.set(toHex(h), bytes);
    return h;
  };
  const items: Item[] = [];
  for (const u of updates) {
    const value = encodeHeadValue(u.value);
    if (!(u.key instanceof Uint8Array) || u.key.length !== 32)
      throw new MedanchorError('INVALID_LENGTH', 'a head-map key must be 32 bytes');
    items.push({ key: u.key, valueHash: keep(value) });
  }
  items.sort((a, b) => compareKeys(a.key, b.key));
  for (let i = 1; i < items.length; i++)
    if (compareKeys(items[i - 1]!.key, items[i]!.key) === 0)
      throw new MedanchorError('INVALID_ARGUMENT', 'a head-map update names one key twice');

  const build = (depth: number, list: readonly Item[]): Uint8Array => {
    if (list.length === 0) return HEAD_MAP_EMPTY;
    if (list.length === 1) return keep(leafNodeBytes(list[0]!.key, list[0]!.valueHash));
    const split = list.findIndex((it) => keyBit(it.key, depth) === 1);
    const at = split === -1 ? list.length : split;
    return keep(
      innerNodeBytes(build(depth + 1, list.slice(0, at)), build(depth + 1, list.slice(at))),
    );
  };

  const update = async (h: Uint8Array, depth: number, list: Item[]): Promise<Uint8Array> => {
    if (list.length === 0) return h;
    if (equalBytes(h, HEAD_MAP_EMPTY)) return build(depth, list);
    const node = await readNode(store, fresh, h);
    if (node.kind === 'leaf') {
      // The existing leaf moves down beside the new keys unless one of them replaces it.
      if (!list.some((it) => equalBytes(it.key, node.key))) {
        list = [...list, { key: node.key, valueHash: node.valueHash }].sort((a, b) =>
          compareKeys(a.key, b.key),
        );
      }
      return build(depth, list);
    }
    const split = list.findIndex((it) => keyBit(it.key, depth) === 1);
    const at = split === -1 ? list.length : split;
    const left = await update(node.left, depth + 1, list.slice(0, at));
    const right = await update(node.right, depth + 1, list.slice(at));
    return keep(innerNodeBytes(left, right));
  };

  if (!(root instanceof Uint8Array) || root.length !== 32)
    throw new MedanchorError('INVALID_LENGTH', 'a head-map root must be 32 bytes');
  const next = await update(root, 0, items);
  if (fresh.size > 0) await store.put([...fresh.values()]);
  return next;
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
  const none = new Map<string, Uint8Array>();
  const siblings: Uint8Array[] = [];
  let h = root;
  for (let depth = 0; ; depth++) {
    if (equalBytes(h, HEAD_MAP_EMPTY)) return { siblings };
    const node = await readNode(store, none, h);
    if (node.kind === 'leaf') {
      if (!equalBytes(node.key, key))
        return { siblings, other: { key: node.key.slice(), valueHash: node.valueHash.slice() } };
      const value = await store.get(node.valueHash);
      if (value === undefined || !equalBytes(sha256(value), node.valueHash))
        throw new MedanchorError('STORE_CORRUPT', 'the head map lacks a value or it is damaged');
      return { siblings, value: decodeHeadValue(value) };
    }
    if (depth >= 256) throw new MedanchorError('STORE_CORRUPT', 'the head map is deeper than 256');
    const bit = keyBit(key, depth);
    siblings.push((bit === 1 ? node.left : node.right).slice());
    h = bit === 1 ? node.right : node.left;
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
  const entries = new Map<string, Uint8Array>();
  return {
    secret: secret.slice(),
    get size() {
      return entries.size;
    },
    async get(hash) {
      return entries.get(toHex(hash))?.slice();
    },
    async put(list) {
      for (const e of list) entries.set(toHex(sha256(e)), e.slice());
    },
  };
}

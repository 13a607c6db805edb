// The store ledger's head map (docs/spec/head-map.md section 6): at each seal the map is
// brought up to the new size from the leaves the seal covers and its root goes into the
// signed checkpoint; proofs are built from the checkpoint a caller names. The map at a
// checkpoint is a function of the leaves below its size, so it needs no state of its own
// beyond content-addressed nodes: a crash before the checkpoint is stored leaves orphans.
import {
  advanceHeadMap,
  assertHeadMapRecord,
  HEAD_MAP_EMPTY,
  HEAD_MAP_NO_LEAF_SALT,
  type HeadMapAdvance,
  type HeadMapStore,
  type HeadProof,
  headMapKey,
  headMapKeySalt,
  headMapLine,
  headMapRootOf,
  headProofDocument,
  type LeafRecord,
  type LedgerStore,
  MedanchorError,
  parseCheckpointText,
  parseNote,
  proveHeadMap,
  type StoredCheckpoint,
} from '@medanchor/core';
import { firstVersionsOf } from './first-versions.js';

/** The `headMap` option of `openLedger` over a store. */
export interface LedgerHeadMapOptions {
  /**
   * Where the map's nodes and secret live: `memoryHeadMapStore()` or
   * `openFileHeadMapStore(dir)` (`@medanchor/core/node`). Keep it with the ledger's store:
   * the map secret decides every record's key.
   */
  readonly store: HeadMapStore;
}

/** Options of `StoreLedger.headProof`. */
export interface HeadProofOptions {
  /** The size of the checkpoint to prove at (default: the latest checkpoint). */
  readonly size?: number;
}

/** The head map of one store ledger. */
export interface StoreLedgerHeadMap {
  /** The checkpoint extension lines of a seal from the latest checkpoint up to `size`. */
  sealLines(latest: StoredCheckpoint | undefined, size: number): Promise<string[]>;
  /** The head proof of a record at a checkpoint. */
  proof(record: string, options?: HeadProofOptions): Promise<HeadProof>;
}

const LEAF_CHUNK = 4096;
const KEY_LOOKUPS = 32;
// Keys of recently sealed records kept (between half and all of this many, the oldest
// dropped first): a new version of one of them needs no read of its first leaf and no
// key derivation.
const RECENT_KEYS = 100_000;

function mapsRecord(record: string): boolean {
  try {
    assertHeadMapRecord(record);
    return true;
  } catch {
    return false;
  }
}

function unavailable(message: string, size?: number): MedanchorError {
  return new MedanchorError('HEAD_MAP_UNAVAILABLE', message, {
    ...(size === undefined ? {} : { details: { size } }),
  });
}

/** The head-map root a stored checkpoint's signed note carries, if any. */
function rootOf(cp: StoredCheckpoint): Uint8Array | undefined {
  if (cp.note === undefined) return undefined;
  return headMapRootOf(parseCheckpointText(parseNote(cp.note).text).extensions);
}

/** The head map of a store ledger over `store` (see {@link LedgerHeadMapOptions}). */
export function storeLedgerHeadMap(
  store: LedgerStore,
  options: LedgerHeadMapOptions,
): StoreLedgerHeadMap {
  const map = options.store;
  if (
    map === null ||
    typeof map !== 'object' ||
    typeof map.get !== 'function' ||
    typeof map.put !== 'function' ||
    !(map.secret instanceof Uint8Array) ||
    map.secret.length !== 32
  )
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'headMap.store must be a head map store (memoryHeadMapStore or openFileHeadMapStore)',
    );
  type Known = { first: number | undefined; salt: Uint8Array; key: Uint8Array };
  // Two generations: when the young one is full it becomes the old one (the older keys are
  // dropped at once). Dropping the oldest entry one at a time from a single Map costs a
  // walk over the holes earlier deletes left (measured: 64 us per eviction at 100,000).
  let young = new Map<string, Known>();
  let old = new Map<string, Known>();
  const remember = (record: string, known: Known) => {
    if (young.size >= RECENT_KEYS / 2) {
      old = young;
      young = new Map();
    }
    young.set(record, known);
  };
  // The key salt binds the salt of the record's first leaf, which a forget erases: after
  // that the record's old entry cannot be found again, with or without the map secret.
  const derive = (record: string, first: number | undefined, leaf: LeafRecord | undefined) => {
    const firstSalt = leaf?.salt.length === 32 ? leaf.salt : HEAD_MAP_NO_LEAF_SALT;
    const salt = headMapKeySalt(map.secret, firstSalt, record);
    const found: Known = { first, salt, key: headMapKey(salt, record) };
    remember(record, found);
    return found;
  };
  // The keys of many records: one batch lookup of their first leaves (firstVersions). A
  // record's key stays while its first leaf does (a forget removes that leaf, and a later
  // version starts again elsewhere), so a remembered key whose first leaf is unchanged
  // is used as is. `inSeal[i]` is record i's first leaf among the leaves being sealed:
  // a record whose first version is that leaf needs no read; the others' first leaves
  // are read KEY_LOOKUPS at a time (a remote store overlaps them).
  const keysOf = async (
    records: readonly string[],
    inSeal: readonly (LeafRecord | undefined)[] = [],
  ): Promise<Known[]> => {
    const firsts = await firstVersionsOf(store, records);
    const out: Known[] = new Array(records.length);
    const reads: number[] = [];
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const first = firsts[i];
      let known = young.get(record);
      if (known === undefined) {
        known = old.get(record);
        if (known !== undefined && known.first === first) remember(record, known);
      }
      if (known !== undefined && known.first === first) out[i] = known;
      else if (first === undefined) out[i] = derive(record, first, undefined);
      else if (first === inSeal[i]?.index) out[i] = derive(record, first, inSeal[i]);
      else reads.push(i);
    }
    let next = 0;
    const worker = async () => {
      while (next < reads.length) {
        const i = reads[next++]!;
        const first = firsts[i]!;
        out[i] = derive(records[i]!, first, (await store.readLeaves(first, 1))[0]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(KEY_LOOKUPS, reads.length) }, worker));
    return out;
  };

  return {
    async sealLines(latest, size) {
      // The base is the map the latest checkpoint signed; a log that had no map before
      // gets one built from its first leaf, once.
      let base = latest === undefined ? HEAD_MAP_EMPTY : rootOf(latest);
      let from = latest?.size ?? 0;
      if (base === undefined) {
        base = HEAD_MAP_EMPTY;
        from = 0;
      }
      const changed = new Map<string, { first: LeafRecord; last: LeafRecord; n: number }>();
      for (let start = from; start < size; start += LEAF_CHUNK) {
        for (const leaf of await store.readLeaves(start, Math.min(LEAF_CHUNK, size - start))) {
          // Ids the map cannot key (lone surrogates) stay out of it rather than stop the seal.
          if (leaf.recordId === undefined || !mapsRecord(leaf.recordId)) continue;
          const seen = changed.get(leaf.recordId);
          if (seen === undefined) changed.set(leaf.recordId, { first: leaf, last: leaf, n: 1 });
          else {
            seen.last = leaf;
            seen.n++;
          }
        }
      }
      // The old counts are read by the map's update itself, in one pass.
      const records = [...changed];
      const keys = await keysOf(
        records.map(([record]) => record),
        records.map(([, c]) => c.first),
      );
      const advances: HeadMapAdvance[] = records.map(([, c], i) => ({
        key: keys[i]!.key,
        leafIndex: c.last.index,
        added: c.n,
        commitment: c.last.commitment,
      }));
      return [headMapLine(await advanceHeadMap(map, base, advances))];
    },

    async proof(record, opts = {}) {
      let cp: StoredCheckpoint | undefined;
      if (opts.size === undefined) {
        cp = await store.latestCheckpoint();
      } else {
        if (!Number.isSafeInteger(opts.size) || opts.size < 1)
          throw new MedanchorError('INVALID_ARGUMENT', 'size must be a positive integer');
        cp = await store.checkpointCovering(opts.size - 1);
        if (cp?.size !== opts.size) cp = undefined;
      }
      if (cp === undefined)
        throw unavailable(
          'no checkpoint of that size: ask for the size of a sealed checkpoint',
          opts.size,
        );
      const root = rootOf(cp);
      if (root === undefined || cp.note === undefined)
        throw unavailable('that checkpoint was sealed without a head map', cp.size);
      assertHeadMapRecord(record);
      const [{ salt, key }] = (await keysOf([record])) as [Known];
      const path = await proveHeadMap(map, root, key);
      return headProofDocument(record, salt, new TextDecoder().decode(cp.note), path);
    },
  };
}

// Reads a head map's whole tree at one root (docs/spec/head-map.md section 3), level by
// level, checking every entry against its hash: what `head-map check` calls "the map holds
// this checkpoint". Content addressing makes a complete walk a proof that the map is the
// signed one; a missing or damaged entry anywhere is counted, not thrown.
import {
  decodeHeadValue,
  equalBytes,
  HEAD_MAP_EMPTY,
  HEAD_MAP_LEAF_PREFIX,
  HEAD_MAP_NODE_PREFIX,
  type HeadMapNodeStore,
  sha256,
} from '@medanchor/core';

/** What a walk of the map at one root found. */
export interface HeadMapWalk {
  /** Entries reachable from the root that the store does not have. */
  missing: number;
  /** Entries the store has but whose bytes do not hash to their name (or read errors). */
  damaged: number;
  /** Record entries (map leaves) found. */
  records: number;
  /** The sum of their version counts: leaves of the log the map covers. */
  versions: number;
  /** The head leaf of the probed key (`walkHeadMap`'s `probe`), if the map holds it. */
  probed?: number;
}

// Hashes asked of the store per call (a level of a large map is split).
const CHUNK = 4096;

async function fetchAll(
  store: HeadMapNodeStore,
  hashes: readonly Uint8Array[],
): Promise<(Uint8Array | undefined)[] | undefined> {
  const out: (Uint8Array | undefined)[] = [];
  try {
    for (let i = 0; i < hashes.length; i += CHUNK) {
      const part = hashes.slice(i, i + CHUNK);
      out.push(
        ...(store.getMany !== undefined
          ? await store.getMany(part)
          : await Promise.all(part.map((h) => store.get(h)))),
      );
    }
  } catch {
    // A store that refuses to read (a damaged index or entry) is damaged, not absent.
    return undefined;
  }
  return out;
}

/** Walks the map at `root`; an empty root is an empty, complete map. */
export async function walkHeadMap(
  store: HeadMapNodeStore,
  root: Uint8Array,
  probe?: Uint8Array,
): Promise<HeadMapWalk> {
  const walk: HeadMapWalk = { missing: 0, damaged: 0, records: 0, versions: 0 };
  let level: Uint8Array[] = equalBytes(root, HEAD_MAP_EMPTY) ? [] : [root];
  for (let depth = 0; level.length > 0 && depth <= 257; depth++) {
    const got = await fetchAll(store, level);
    if (got === undefined) {
      walk.damaged += level.length;
      return walk;
    }
    const next: Uint8Array[] = [];
    const leaves: { key: Uint8Array; valueHash: Uint8Array }[] = [];
    got.forEach((e, i) => {
      if (e === undefined) walk.missing++;
      else if (e.length !== 65 || !equalBytes(sha256(e), level[i]!)) walk.damaged++;
      else if (e[0] === HEAD_MAP_NODE_PREFIX) {
        for (const child of [e.subarray(1, 33), e.subarray(33, 65)])
          if (!equalBytes(child, HEAD_MAP_EMPTY)) next.push(child.slice());
      } else if (e[0] === HEAD_MAP_LEAF_PREFIX)
        leaves.push({ key: e.slice(1, 33), valueHash: e.slice(33, 65) });
      else walk.damaged++;
    });
    const values = await fetchAll(
      store,
      leaves.map((l) => l.valueHash),
    );
    if (values === undefined) walk.damaged += leaves.length;
    else
      values.forEach((v, i) => {
        if (v === undefined) walk.missing++;
        else if (v.length !== 48 || !equalBytes(sha256(v), leaves[i]!.valueHash)) walk.damaged++;
        else {
          let head: { leafIndex: number; count: number };
          try {
            head = decodeHeadValue(v);
          } catch {
            walk.damaged++;
            return;
          }
          walk.records++;
          walk.versions += head.count;
          if (probe !== undefined && equalBytes(leaves[i]!.key, probe))
            walk.probed = head.leafIndex;
        }
      });
    level = next;
  }
  // Deeper than 256 bits: not a map this format can hold.
  if (level.length > 0) walk.damaged += level.length;
  return walk;
}

/** True when the walk found the whole tree. */
export function complete(walk: HeadMapWalk): boolean {
  return walk.missing === 0 && walk.damaged === 0;
}

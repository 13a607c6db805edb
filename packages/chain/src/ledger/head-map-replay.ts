// Rebuilding a head map from the ledger's leaves (docs/spec/head-map.md section 6): every
// signed checkpoint's map is replayed through the seal path's own update (`sealLines`),
// from the checkpoint before it, so a rebuilt map is the map the seals built, node for node.
import {
  equalBytes,
  type HeadMapStore,
  headMapRootOf,
  type LedgerStore,
  parseCheckpointText,
  parseNote,
  type StoredCheckpoint,
} from '@medanchor/core';
import { storeLedgerHeadMap } from './store-ledger-head-map.js';

/** What {@link replayHeadMap} found. */
export type HeadMapReplay =
  | {
      /** Every checkpoint's signed map root was rebuilt. */
      readonly ok: true;
      /** Checkpoints that carry a map root (all rebuilt). */
      readonly checkpoints: number;
      /** The latest checkpoint's size (0 when nothing is sealed). */
      readonly size: number;
    }
  | {
      readonly ok: false;
      /** The size of the first checkpoint whose signed map root was not rebuilt. */
      readonly size: number;
      /** Checkpoints rebuilt before it. */
      readonly checkpoints: number;
    };

/** The head-map root a stored checkpoint's signed note carries, if any. */
export function checkpointMapRoot(cp: StoredCheckpoint): Uint8Array | undefined {
  if (cp.note === undefined) return undefined;
  return headMapRootOf(parseCheckpointText(parseNote(cp.note).text).extensions);
}

/**
 * Replays the head map of `store`'s log into `map` (a store holding the map secret of the
 * log): for each checkpoint with a map root, in order, the seal path's update from the
 * checkpoint before it, and stops at the first root that differs from the signed one.
 * `map` then holds the nodes of every checkpoint replayed. A record forgotten after it
 * was sealed cannot be replayed (its key bound the erased salt), nor can a map under
 * another secret: both stop at the first checkpoint they touch.
 * @throws the stores' errors.
 */
export async function replayHeadMap(store: LedgerStore, map: HeadMapStore): Promise<HeadMapReplay> {
  const seal = storeLedgerHeadMap(store, { store: map });
  let previous: StoredCheckpoint | undefined;
  let checkpoints = 0;
  for (let cp = await store.checkpointCovering(0); cp !== undefined; ) {
    const signed = checkpointMapRoot(cp);
    if (signed !== undefined) {
      const [line] = await seal.sealLines(previous, cp.size);
      const built = headMapRootOf([line!]);
      if (built === undefined || !equalBytes(built, signed))
        return { ok: false, size: cp.size, checkpoints };
      checkpoints++;
    }
    previous = cp;
    cp = await store.checkpointCovering(cp.size);
  }
  return { ok: true, checkpoints, size: previous?.size ?? 0 };
}

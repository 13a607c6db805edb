import type { LeafRecord, PendingRecord } from '../../store/types.js';
import { DECODER, ENCODER } from './layout.js';

// The leaves the last integrates wrote, kept as the pending records they came from: a seal
// reads them back at once (its head map wants every new leaf and each record's first
// version), and answering from memory spares reading, decoding and hashing them again.
// Only a hint: the store replaces it on a forget (which rewrites leaves) and never has it
// after a reopen, where the files answer the same.

/** Leaves kept at most (an integrate that would pass it starts over): bounds the memory. */
const MAX_LEAVES = 65_536;

// A text as leafmeta.bin gives it back: UTF-8 turns a lone surrogate into U+FFFD.
const stored = (s: string): string =>
  /[\ud800-\udfff]/.test(s) ? DECODER.decode(ENCODER.encode(s)) : s;

/** The leaves of the last integrates, in memory (see {@link recentLeaves}). */
export type RecentLeaves = ReturnType<typeof recentLeaves>;

/** An empty memory of recently integrated leaves. */
export function recentLeaves() {
  let from = 0;
  let kept: readonly PendingRecord[] = [];
  // Each kept record's record-id index hash, as its integrate made it.
  let sums: readonly (Uint8Array | undefined)[] = [];
  // Record id (as stored) -> its first kept leaf, for the kept records below `built`.
  let firsts = new Map<string, number>();
  let built = 0;
  return {
    /** Adds the leaves an integrate wrote from `start` (`hashes` one per record). */
    add(start: number, records: readonly PendingRecord[], hashes: (Uint8Array | undefined)[]) {
      if (start !== from + kept.length || kept.length + records.length > MAX_LEAVES) {
        from = start;
        kept = [];
        sums = [];
        firsts = new Map();
        built = 0;
      }
      kept = kept.concat(records);
      sums = sums.concat(hashes);
    },

    /** The first kept leaf while they are the last below `size` (else `size`). */
    cut: (size: number): number => (kept.length > 0 && from + kept.length === size ? from : size),

    /**
     * Leaves `[start, start + count)` as `readLeaves` gives them, or undefined unless all
     * are kept. Their bytes are the pending records' (as the memory store shares its own).
     */
    leaves(start: number, count: number): LeafRecord[] | undefined {
      if (start < from || start + count > from + kept.length) return; // (count > 0)
      return kept.slice(start - from, start - from + count).map((r, i) => {
        // One shape for every leaf (spreads cost several times more).
        const leaf: { -readonly [K in keyof LeafRecord]: LeafRecord[K] } = {
          index: start + i,
          pendingId: r.pendingId,
          salt: r.salt,
          digest: r.digest,
          commitment: r.commitment,
        };
        if (r.key !== undefined) leaf.key = stored(r.key);
        if (r.recordId !== undefined) leaf.recordId = stored(r.recordId);
        if (r.version !== undefined) leaf.version = r.version;
        return leaf;
      });
    },

    /** The first kept leaf whose record id is `id` (as stored), and the id's index hash. */
    first(id: string): { index: number; hash: Uint8Array } | undefined {
      for (; built < kept.length; built++) {
        const r = kept[built]!.recordId;
        if (r !== undefined && !firsts.has(stored(r))) firsts.set(stored(r), from + built);
      }
      const index = firsts.get(id);
      return index === undefined ? undefined : { index, hash: sums[index - from]! };
    },
  };
}

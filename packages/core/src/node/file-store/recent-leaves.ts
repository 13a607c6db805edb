import type { LeafRecord, PendingRecord } from '../../store/types.js';

// The leaves the last integrates wrote, kept as the pending records they came from: a seal
// reads them back at once (its head map wants every new leaf and each record's first
// version), and answering from memory spares reading, decoding and hashing them again.
// Only a hint: the store drops it on a forget (which rewrites leaves) and never has it
// after a reopen, where the files answer the same.

/** Leaves kept at most (whole integrates, the oldest dropped first): bounds the memory. */
const MAX_LEAVES = 65_536;

const LONE_SURROGATE = /[\ud800-\udfff]/;
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

// A text as leafmeta.bin gives it back: UTF-8 turns a lone surrogate into U+FFFD.
const stored = (s: string): string =>
  LONE_SURROGATE.test(s) ? DECODER.decode(ENCODER.encode(s)) : s;

interface Batch {
  readonly start: number;
  readonly records: readonly PendingRecord[];
  /** The index hash of each record's id (undefined without one), as the integrate made it. */
  readonly hashes: readonly (Uint8Array | undefined)[];
}

/** Recently integrated leaves `[start, end)`, in memory. */
export class RecentLeaves {
  private batches: Batch[] = [];
  // Record id (as stored) -> its first leaf in [start, built): extended on use, made again
  // only when leaves are dropped.
  private firsts = new Map<string, number>();
  private built = 0;

  get start(): number {
    return this.batches[0]?.start ?? 0;
  }

  get end(): number {
    const last = this.batches[this.batches.length - 1];
    return last === undefined ? 0 : last.start + last.records.length;
  }

  /** Adds the leaves an integrate wrote from `start`; starts over unless they follow on. */
  add(start: number, records: readonly PendingRecord[], hashes: Batch['hashes']): void {
    if (start !== this.end) this.clear();
    this.batches.push({ start, records, hashes });
    while (this.batches.length > 1 && this.end - this.start > MAX_LEAVES) {
      this.batches.shift();
      this.firsts = new Map();
      this.built = 0;
    }
  }

  /** Forgets everything (a forget rewrote leaves). */
  clear(): void {
    this.batches = [];
    this.firsts = new Map();
    this.built = 0;
  }

  /** Whether leaves `[start, start + count)` are all here. */
  covers(start: number, count: number): boolean {
    return this.batches.length > 0 && start >= this.start && start + count <= this.end;
  }

  private batchOf(index: number): Batch {
    let b = this.batches.length - 1;
    while (this.batches[b]!.start > index) b--;
    return this.batches[b]!;
  }

  /**
   * Leaves `[start, start + count)` (see {@link RecentLeaves.covers}) as `readLeaves` gives
   * them: fresh objects, their bytes copied into one buffer per call.
   */
  leaves(start: number, count: number): LeafRecord[] {
    const bytes = new Uint8Array(96 * count);
    const out: LeafRecord[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const b = this.batchOf(start + i);
      const r = b.records[start + i - b.start]!;
      const at = 96 * i;
      bytes.set(r.salt, at);
      bytes.set(r.digest, at + 32);
      bytes.set(r.commitment, at + 64);
      const leaf: {
        -readonly [K in keyof LeafRecord]: LeafRecord[K];
      } = {
        index: start + i,
        pendingId: r.pendingId,
        salt: bytes.subarray(at, at + 32),
        digest: bytes.subarray(at + 32, at + 64),
        commitment: bytes.subarray(at + 64, at + 96),
      };
      if (r.key !== undefined) leaf.key = stored(r.key);
      if (r.recordId !== undefined) leaf.recordId = stored(r.recordId);
      if (r.version !== undefined) leaf.version = r.version;
      out[i] = leaf;
    }
    return out;
  }

  /** The first leaf here whose record id is `id` (as stored), with the id's index hash. */
  first(id: string): { index: number; hash: Uint8Array } | undefined {
    for (const b of this.batches)
      for (let i = Math.max(0, this.built - b.start); i < b.records.length; i++) {
        const r = b.records[i]!.recordId;
        const s = r === undefined ? r : stored(r);
        if (s !== undefined && !this.firsts.has(s)) this.firsts.set(s, b.start + i);
      }
    this.built = this.end;
    const index = this.firsts.get(id);
    if (index === undefined) return undefined;
    const b = this.batchOf(index);
    return { index, hash: b.hashes[index - b.start]! };
  }
}

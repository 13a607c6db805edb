import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError, readAt, readExact, syncDir, writeAll } from './files.js';
import { INDEX_ENTRY_BYTES, type IndexSegmentRef } from './layout.js';

/** Kind byte of an idempotency key entry. */
export const KIND_KEY = 0x6b; // 'k'
/** Kind byte of a record id entry. */
export const KIND_RECORD = 0x72; // 'r'

/** Merge two segments only while the result stays below this many entries (memory bound). */
const MAX_MERGE_ENTRIES = 1_000_000;

/**
 * First 16 bytes of `sha256(kind || UTF-8 text)`: what an index entry is sorted by.
 * node:crypto (this module is Node-only), several times faster than JavaScript's SHA-256:
 * every integrate and lookup hashes one per key and record id. A string is hashed as
 * UTF-8 with lone surrogates as U+FFFD, as TextEncoder encodes it.
 */
export function indexHash(kind: number, text: string): Uint8Array {
  const h = createHash('sha256')
    .update(KIND_BYTES[kind] ?? Uint8Array.of(kind))
    .update(text)
    .digest();
  return new Uint8Array(h.buffer, h.byteOffset, 16).slice();
}

const KIND_BYTES: Record<number, Uint8Array> = {
  [KIND_KEY]: Uint8Array.of(KIND_KEY),
  [KIND_RECORD]: Uint8Array.of(KIND_RECORD),
};

/** Segment file name: `<start>-<end>.idx`, decimal leaf indices. */
export const segmentFile = (s: { start: number; end: number }) => `${s.start}-${s.end}.idx`;

/** Its fence file: the 16-byte hash of every 64th entry, so a lookup reads one block. */
export const fenceFile = (s: { start: number; end: number }) => `${s.start}-${s.end}.fence`;

/** Entries per block of a segment (one fence hash per block). */
export const FENCE_STRIDE = 64;

/** Its Bloom filter: most lookups are for new keys, answered without reading the segment. */
export const bloomFile = (s: { start: number; end: number }) => `${s.start}-${s.end}.bloom`;

/** Bloom filter bits per entry and probes per lookup (about 1% false positives). */
const BLOOM_BITS = 10;
const BLOOM_PROBES = 7;

// Probe positions from the entry hash itself (already uniform): h1 + i * h2 mod bits.
function bloomProbe(hash: Uint8Array, bits: number, visit: (bit: number) => boolean): boolean {
  const view = new DataView(hash.buffer, hash.byteOffset, 16);
  const h1 = view.getUint32(0);
  const h2 = (view.getUint32(4) | 1) >>> 0; // odd, unsigned
  for (let i = 0; i < BLOOM_PROBES; i++) {
    if (!visit((h1 + i * h2) % bits)) return false;
  }
  return true;
}

/** The Bloom filter bytes of a packed, sorted segment. */
export function buildBloom(packed: Uint8Array, entries: number): Uint8Array {
  const bytes = Math.max(8, Math.ceil((entries * BLOOM_BITS) / 8));
  const out = new Uint8Array(bytes);
  for (let i = 0; i < entries; i++) {
    const h = packed.subarray(i * INDEX_ENTRY_BYTES, i * INDEX_ENTRY_BYTES + 16);
    bloomProbe(h, bytes * 8, (bit) => {
      out[bit >> 3]! |= 1 << (bit & 7);
      return true;
    });
  }
  return out;
}

function bloomHas(bloom: Uint8Array, hash: Uint8Array): boolean {
  return bloomProbe(hash, bloom.length * 8, (bit) => (bloom[bit >> 3]! & (1 << (bit & 7))) !== 0);
}

function compareEntries(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let k = 0; k < INDEX_ENTRY_BYTES; k++) {
    const d = a[ai + k]! - b[bi + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Packs `(hash16, u64 leaf index)` entries and sorts them by those 24 bytes. */
export function packEntries(entries: { hash: Uint8Array; leaf: number }[]): Uint8Array {
  const out = new Uint8Array(entries.length * INDEX_ENTRY_BYTES);
  const view = new DataView(out.buffer);
  const sorted = entries.slice().sort((x, y) => {
    for (let k = 0; k < 16; k++) {
      const d = x.hash[k]! - y.hash[k]!;
      if (d !== 0) return d;
    }
    return x.leaf - y.leaf;
  });
  sorted.forEach((e, i) => {
    out.set(e.hash, i * INDEX_ENTRY_BYTES);
    view.setBigUint64(i * INDEX_ENTRY_BYTES + 16, BigInt(e.leaf));
  });
  return out;
}

interface OpenSegment {
  ref: IndexSegmentRef;
  fh: FileHandle;
  fence?: Uint8Array;
  bloom?: Uint8Array;
  users: number;
  retired: boolean;
}

/**
 * The key and record-id index: sorted segments of 24-byte entries
 * (`hash16 | u64 leaf index`) in `index/`, one per integrate that had keys, merged
 * like a binary counter (a segment merges into the one before it once it is at least
 * half its size), so a lookup is a binary search in O(log n) files and nothing is
 * loaded at open. The head lists the live segments; files it does not list are
 * leftovers of a crash and are deleted on open.
 */
export class KeyIndex {
  private readonly dir: string;
  private segments: OpenSegment[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens the segments `refs` lists (deleting any other segment file). */
  static async open(dir: string, refs: readonly IndexSegmentRef[]): Promise<KeyIndex> {
    const ix = new KeyIndex(dir);
    try {
      await mkdir(dir, { recursive: true });
      const keep = new Set([
        ...refs.map(segmentFile),
        ...refs.map(fenceFile),
        ...refs.map(bloomFile),
      ]);
      for (const name of await readdir(dir)) {
        if (!keep.has(name)) await unlink(join(dir, name));
      }
      for (const ref of refs) {
        ix.segments.push({
          ref,
          fh: await open(join(dir, segmentFile(ref)), 'r'),
          users: 0,
          retired: false,
        });
      }
    } catch (e) {
      await ix.close();
      throw ioError('index', e);
    }
    return ix;
  }

  /** The live segments, oldest first (what the head must list). */
  get refs(): IndexSegmentRef[] {
    return this.segments.map((s) => s.ref);
  }

  /**
   * Writes a new segment file for leaves `[start, end)` (entries packed and sorted),
   * durably, and returns the segment list the head should point to next. The new
   * list takes effect with {@link KeyIndex.adopt} once the head is written.
   */
  async write(start: number, end: number, packed: Uint8Array): Promise<IndexSegmentRef[]> {
    const ref = { start, end, entries: packed.length / INDEX_ENTRY_BYTES };
    await writeSegment(this.dir, ref, packed);
    await syncDir(this.dir);
    return [...this.refs, ref];
  }

  /** Opens the segments of `refs` not open yet; retires those no longer listed. */
  async adopt(refs: readonly IndexSegmentRef[]): Promise<void> {
    const byName = new Map(this.segments.map((s) => [segmentFile(s.ref), s]));
    const next: OpenSegment[] = [];
    for (const ref of refs) {
      const name = segmentFile(ref);
      const have = byName.get(name);
      if (have !== undefined) {
        byName.delete(name);
        next.push(have);
      } else {
        next.push({ ref, fh: await open(join(this.dir, name), 'r'), users: 0, retired: false });
      }
    }
    this.segments = next;
    for (const [name, s] of byName) {
      s.retired = true;
      if (s.users === 0) await s.fh.close();
      await unlink(join(this.dir, name)).catch(() => undefined);
      await unlink(join(this.dir, fenceFile(s.ref))).catch(() => undefined);
      await unlink(join(this.dir, bloomFile(s.ref))).catch(() => undefined);
    }
  }

  /**
   * If the last two segments should merge, writes the merged file and returns the
   * segment list with it (adopt it after the head is written); otherwise undefined.
   */
  async planMerge(): Promise<IndexSegmentRef[] | undefined> {
    const n = this.segments.length;
    if (n < 2) return undefined;
    const a = this.segments[n - 2]!;
    const b = this.segments[n - 1]!;
    if (b.ref.entries * 2 < a.ref.entries) return undefined;
    if (a.ref.entries + b.ref.entries > MAX_MERGE_ENTRIES) return undefined;
    const x = await readExact(a.fh, 0, a.ref.entries * INDEX_ENTRY_BYTES, 'index');
    const y = await readExact(b.fh, 0, b.ref.entries * INDEX_ENTRY_BYTES, 'index');
    const out = new Uint8Array(x.length + y.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < x.length || j < y.length) {
      const takeX = j >= y.length || (i < x.length && compareEntries(x, i, y, j) <= 0);
      if (takeX) {
        out.set(x.subarray(i, i + INDEX_ENTRY_BYTES), o);
        i += INDEX_ENTRY_BYTES;
      } else {
        out.set(y.subarray(j, j + INDEX_ENTRY_BYTES), o);
        j += INDEX_ENTRY_BYTES;
      }
      o += INDEX_ENTRY_BYTES;
    }
    const ref = { start: a.ref.start, end: b.ref.end, entries: out.length / INDEX_ENTRY_BYTES };
    await writeSegment(this.dir, ref, out);
    await syncDir(this.dir);
    return [...this.refs.slice(0, n - 2), ref];
  }

  /**
   * Lookups of many hashes at once: for each hash, in the order given,
   * the leaf indices below `below` whose entry has it, ascending. The hashes are visited in
   * sorted order in every segment, so neighbours share the blocks they read.
   */
  async lookupMany(hashes: readonly Uint8Array[], below = Infinity): Promise<number[][]> {
    // Segments hold ascending, disjoint leaf ranges: those from `below` on are not read.
    const segs = this.segments.filter((s) => s.ref.start < below);
    for (const s of segs) s.users++;
    try {
      const out = hashes.map((): number[] => []);
      if (segs.length === 0) return out;
      const order = hashes.map((_, i) => i).sort((a, b) => compareHash(hashes[a]!, 0, hashes[b]!));
      for (const s of segs) await findMany(this.dir, s, hashes, order, out, below);
      // Segments hold ascending, disjoint leaf ranges (oldest first): each list is
      // ascending already unless a hash has entries in one segment out of order.
      for (const list of out) if (list.length > 1) list.sort((p, q) => p - q);
      return out;
    } catch (e) {
      throw ioError('index', e);
    } finally {
      for (const s of segs) {
        s.users--;
        if (s.retired && s.users === 0) await s.fh.close().catch(() => undefined);
      }
    }
  }

  /**
   * For an index replaced by another over rewritten files: each segment file is closed
   * as soon as no lookup in flight uses it (lookups started later use the new index).
   */
  async retire(): Promise<void> {
    for (const s of this.segments) {
      s.retired = true;
      if (s.users === 0) await s.fh.close().catch(() => undefined);
    }
    this.segments = [];
  }

  /** Closes every segment file. */
  async close(): Promise<void> {
    for (const s of this.segments) await s.fh.close().catch(() => undefined);
    this.segments = [];
  }
}

async function writeSegment(dir: string, ref: IndexSegmentRef, packed: Uint8Array): Promise<void> {
  const blocks = Math.ceil(ref.entries / FENCE_STRIDE);
  const fence = new Uint8Array(blocks * 16);
  for (let b = 0; b < blocks; b++) {
    const at = b * FENCE_STRIDE * INDEX_ENTRY_BYTES;
    fence.set(packed.subarray(at, at + 16), b * 16);
  }
  for (const [name, bytes] of [
    [segmentFile(ref), packed],
    [fenceFile(ref), fence],
    [bloomFile(ref), buildBloom(packed, ref.entries)],
  ] as const) {
    const fh = await open(join(dir, name), 'w');
    try {
      await writeAll(fh, bytes, 0);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }
}

// A segment without its Bloom file is still searchable (the filter only saves reads).
async function readOptional(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return new Uint8Array(0);
    throw e;
  }
}

function compareHash(a: Uint8Array, ai: number, hash: Uint8Array): number {
  for (let k = 0; k < 16; k++) {
    const d = a[ai + k]! - hash[k]!;
    if (d !== 0) return d;
  }
  return 0;
}

// The first block that may hold entries equal to `hash`: the one before the first block
// whose fence hash is not below it.
function firstBlock(fence: Uint8Array, hash: Uint8Array): number {
  let lo = 0;
  let hi = fence.length / 16;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareHash(fence, mid * 16, hash) < 0) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

// The hits of the hashes of `order` (sorted) in one segment, appended to out[i]: past the
// Bloom filter, the fence names the block where entries equal to a hash start, read from
// there while equal. The last two blocks read are kept: sorted queries walk forwards.
async function findMany(
  dir: string,
  s: OpenSegment,
  hashes: readonly Uint8Array[],
  order: readonly number[],
  out: number[][],
  below: number,
): Promise<void> {
  if (s.ref.entries === 0 || order.length === 0) return;
  // Both read once per segment and kept with it; the fence only once a hash passes the
  // Bloom filter (most lookups are for new keys).
  if (s.bloom === undefined) s.bloom = await readOptional(join(dir, bloomFile(s.ref)));
  const bloom = s.bloom;
  const kept: { block: number; bytes: Uint8Array }[] = [];
  const blockBytes = (block: number): Uint8Array => {
    for (const k of kept) if (k.block === block) return k.bytes;
    const first = block * FENCE_STRIDE;
    const n = Math.min(FENCE_STRIDE, s.ref.entries - first);
    const bytes = readAt(s.fh, first * INDEX_ENTRY_BYTES, n * INDEX_ENTRY_BYTES, 'index');
    if (kept.length === 2) kept.shift();
    kept.push({ block, bytes });
    return bytes;
  };
  for (const i of order) {
    const hash = hashes[i]!;
    if (bloom.length > 0 && !bloomHas(bloom, hash)) continue;
    if (s.fence === undefined)
      s.fence = new Uint8Array(await readFile(join(dir, fenceFile(s.ref))));
    const fence = s.fence;
    scan: for (let block = firstBlock(fence, hash); block * FENCE_STRIDE < s.ref.entries; block++) {
      const bytes = blockBytes(block);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let e = 0; e * INDEX_ENTRY_BYTES < bytes.length; e++) {
        const c = compareHash(bytes, e * INDEX_ENTRY_BYTES, hash);
        if (c > 0) break scan;
        if (c < 0) continue;
        const leaf = Number(view.getBigUint64(e * INDEX_ENTRY_BYTES + 16));
        if (leaf < below) out[i]!.push(leaf);
      }
    }
  }
}

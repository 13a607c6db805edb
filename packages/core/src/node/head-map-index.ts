// `nodes.idx` (docs/spec/head-map-file.md): an on-disk hash table from an entry's SHA-256 to
// its offset in `nodes.bin`, read with small positional reads, so opening the head map's
// files costs a 64-byte header read however large the map is. It is only a hint: every
// entry found through it is checked against its hash, and any damage is repaired by
// rebuilding it from `nodes.bin`. Synchronous I/O throughout: these reads hit the page
// cache, where a thread-pool round trip costs more than the read.
// Why not an embedded key-value store from npm: the maintained ones (classic-level, lmdb,
// better-sqlite3) are native addons, which core/node has none of; node:sqlite needs Node
// 22.5 (we support 20); the pure-JS ones load everything into memory, the cost this removes.
// And the index needs no transactions: nodes.bin stays the truth.
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { sha256PrefixedBatch } from '../kernel/index.js';

/** The header's first 16 bytes. */
export const INDEX_MAGIC = new TextEncoder().encode('medanchor/hm-idx');
export const INDEX_VERSION = 1;
export const HEADER_BYTES = 64;
export const SLOT_BYTES = 12;
/** Slots past the 2^bits home positions, so probing never wraps around. */
export const SPILL_SLOTS = 64;
export const MIN_BITS = 4;
export const MAX_BITS = 32;
/** A table is grown when more than this share of its home positions would be used. */
const MAX_LOAD = 0.5;
/** Slots read per probe step: one read nearly always holds a whole probe run at this load. */
const WINDOW = 8;
/** Slots sorted in memory per pass of a build (bounds a build's memory to ~10 MiB). */
const PASS_SLOTS = 1 << 19;
/** Bytes read from a source per call while building. */
const READ_SLOTS = 1 << 16;

/** Entry lengths nodes.bin may hold: a value (48 bytes) or a node (65). */
export const isEntryLength = (n: number): boolean => n === 48 || n === 65;

/** Counters a test reads to check what an open or a lookup cost (not timings). */
export interface HeadMapFileStats {
  /** Bytes read from nodes.bin and nodes.idx (and build scratch files). */
  bytesRead: number;
  /** Entries of nodes.bin hashed (replayed, rebuilt or checked on a read). */
  entriesHashed: number;
  /** Times nodes.idx was rebuilt from nodes.bin. */
  rebuilds: number;
}

/** What the header says: table size, how far into nodes.bin it covers, slots in use. */
export interface IndexHeader {
  readonly bits: number;
  readonly covered: number;
  readonly count: number;
}

/** A slot that does not describe the entry at its offset: the index must be rebuilt. */
export class IndexDamaged extends Error {}

/** The table's slot count for `bits`: 2^bits home positions and the spill. */
export const slotCount = (bits: number): number => 2 ** bits + SPILL_SLOTS;

/** The file length of a table of `bits`. */
export const indexLength = (bits: number): number => HEADER_BYTES + SLOT_BYTES * slotCount(bits);

/** An entry's home slot: the first `bits` bits of its hash. */
export const homeOf = (hash: Uint8Array, bits: number, at = 0): number =>
  Math.floor(u32(hash, at) / 2 ** (32 - bits));

const u32 = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** The slot's offset field: the entry's offset in nodes.bin plus one; 0 for a free slot. */
const u48 = (b: Uint8Array, at: number): number =>
  u32(b, at) * 65536 + ((b[at + 4]! << 8) | b[at + 5]!);

function putU48(b: Uint8Array, at: number, n: number): void {
  const hi = Math.floor(n / 65536);
  b[at] = hi >>> 24;
  b[at + 1] = (hi >>> 16) & 255;
  b[at + 2] = (hi >>> 8) & 255;
  b[at + 3] = hi & 255;
  b[at + 4] = (n >>> 8) & 255;
  b[at + 5] = n & 255;
}

const checksum = (head: Uint8Array): Uint8Array => {
  const out = new Uint8Array(32);
  sha256PrefixedBatch(head[0]!, head.subarray(1, 56), 55, 1, out);
  return out.subarray(0, 8);
};

/** The 64-byte header of `h`. */
export function encodeHeader(h: IndexHeader): Uint8Array {
  const b = new Uint8Array(HEADER_BYTES);
  const v = new DataView(b.buffer);
  b.set(INDEX_MAGIC, 0);
  v.setUint32(16, INDEX_VERSION);
  v.setUint32(20, h.bits);
  v.setBigUint64(24, BigInt(h.covered));
  v.setBigUint64(32, BigInt(h.count));
  b.set(checksum(b), 56);
  return b;
}

/** The header in `b`, or undefined when it is not one this code wrote (torn, damaged, newer). */
export function decodeHeader(b: Uint8Array): IndexHeader | undefined {
  if (b.length < HEADER_BYTES) return undefined;
  for (let i = 0; i < 16; i++) if (b[i] !== INDEX_MAGIC[i]) return undefined;
  const c = checksum(b);
  for (let i = 0; i < 8; i++) if (b[56 + i] !== c[i]) return undefined;
  for (let i = 40; i < 56; i++) if (b[i] !== 0) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, HEADER_BYTES);
  const bits = v.getUint32(20);
  const covered = Number(v.getBigUint64(24));
  const count = Number(v.getBigUint64(32));
  if (v.getUint32(16) !== INDEX_VERSION || bits < MIN_BITS || bits > MAX_BITS) return undefined;
  if (covered > 2 ** 48 - 2 || count > slotCount(bits)) return undefined;
  return { bits, covered, count };
}

/** Reads exactly `length` bytes at `position`; false when the file ends first. */
export function readFully(
  fd: number,
  into: Uint8Array,
  length: number,
  position: number,
  stats: HeadMapFileStats,
): boolean {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, done, length - done, position + done);
    if (n === 0) return false;
    done += n;
  }
  stats.bytesRead += length;
  return true;
}

function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length)
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Bits for a table holding `count` entries at most at the load limit, at least `min`. */
export function bitsFor(count: number, min: number): number {
  let bits = Math.max(MIN_BITS, min);
  while (count > MAX_LOAD * 2 ** bits) bits++;
  return bits;
}

/** Whether a table of `bits` may take `count` entries. */
export const fits = (count: number, bits: number): boolean => count <= MAX_LOAD * 2 ** bits;

/**
 * Decides whether the entry at `offset` is the one whose hash is `hash` (true) or another
 * whose hash shares the slot's 6 bytes (false); throws {@link IndexDamaged} when the slot
 * does not describe what is at `offset`.
 */
export type EntryCheck = (offset: number, hash: Uint8Array) => boolean;

/** An open nodes.idx: its descriptor and what its header says (`covered` as last written). */
export interface OpenIndex {
  fd: number;
  bits: number;
  count: number;
  covered: number;
}

/**
 * Reads slots for probes: `slots(pos, n)` reads slots `pos .. pos + n - 1` into `buf` and
 * returns where in `buf` they start (no view per probe step).
 */
export interface SlotReader {
  readonly buf: Uint8Array;
  slots(ix: OpenIndex, pos: number, n: number, stats: HeadMapFileStats): number;
}

/** One small read per probe step: what a lookup of one hash needs. */
export const windowReader: SlotReader = {
  buf: new Uint8Array(WINDOW * SLOT_BYTES),
  slots(ix, pos, n, stats) {
    if (!readFully(ix.fd, this.buf, n * SLOT_BYTES, HEADER_BYTES + pos * SLOT_BYTES, stats))
      throw new IndexDamaged('nodes.idx is shorter than its header says');
    return 0;
  },
};

/** Slots per block of a {@link BlockReader} (6 KiB). */
export const BLOCK_SLOTS = 512;

/**
 * Reads a block of slots at a time and keeps the last one: probes in order of home (a
 * put's entries, sorted) share one read per block when they are dense.
 */
export class BlockReader implements SlotReader {
  readonly buf = new Uint8Array((BLOCK_SLOTS + WINDOW) * SLOT_BYTES);
  private start = -1;
  private count = 0;
  private fd = -1;

  slots(ix: OpenIndex, pos: number, n: number, stats: HeadMapFileStats): number {
    if (ix.fd !== this.fd || pos < this.start || pos + n > this.start + this.count) {
      const first = pos - (pos % BLOCK_SLOTS);
      const count = Math.min(BLOCK_SLOTS + WINDOW, slotCount(ix.bits) - first);
      if (!readFully(ix.fd, this.buf, count * SLOT_BYTES, HEADER_BYTES + first * SLOT_BYTES, stats))
        throw new IndexDamaged('nodes.idx is shorter than its header says');
      this.fd = ix.fd;
      this.start = first;
      this.count = count;
    }
    return (pos - this.start) * SLOT_BYTES;
  }
}

/**
 * Walks `hash`'s probe run from its home slot: the offset of its entry (>= 0), or
 * `-1 - position` of the first free slot after `claimedUpTo` (`-1 - slotCount` when the
 * run reaches the table's end: the table must grow).
 *
 * `claimedUpTo` serves a batch probed in order of home: each entry takes the first slot
 * free on disk past the one the entry before it took, so every slot free on disk up to
 * that one is already taken by the batch (they are written after nodes.bin is synced).
 * @throws IndexDamaged when a slot is unreadable or names the wrong entry.
 */
export function probe(
  ix: OpenIndex,
  hash: Uint8Array,
  check: EntryCheck,
  stats: HeadMapFileStats,
  claimedUpTo = -1,
  reader: SlotReader = windowReader,
  hAt = 0,
): number {
  const end = slotCount(ix.bits);
  let pos = homeOf(hash, ix.bits, hAt);
  while (pos < end) {
    const n = Math.min(WINDOW, end - pos);
    const w = reader.buf;
    const from = reader.slots(ix, pos, n, stats);
    for (let i = 0; i < n; i++) {
      const s = from + i * SLOT_BYTES;
      const at = u48(w, s + 6);
      if (at === 0) {
        if (pos + i <= claimedUpTo) continue;
        return -1 - (pos + i);
      }
      let same = true;
      for (let j = 0; j < 6; j++)
        if (w[s + j] !== hash[hAt + j]) {
          same = false;
          break;
        }
      // A view only here: the first six bytes matched, rarely another entry's.
      if (same && check(at - 1, hash.subarray(hAt, hAt + 32))) return at - 1;
    }
    pos += n;
  }
  return -1 - end;
}

/**
 * Writes slots (`positions[i]` names entry `ids[i]`, whose hash is at `hashes[32 * ids[i]
 * ..]`, at `offsets[i]`): one write for a lone slot, one read and one write for the span of
 * several close together.
 */
export function writeSlots(
  ix: OpenIndex,
  positions: readonly number[],
  hashes: Uint8Array,
  ids: readonly number[],
  offsets: readonly number[],
  stats: HeadMapFileStats,
): void {
  const n = positions.length;
  const order = new Float64Array(n);
  for (let i = 0; i < n; i++) order[i] = positions[i]! * 2 ** 17 + i;
  order.sort();
  const span = new Uint8Array(BLOCK_SLOTS * SLOT_BYTES);
  for (let a = 0; a < n; ) {
    const first = Math.floor(order[a]! / 2 ** 17);
    let b = a + 1;
    while (b < n && Math.floor(order[b]! / 2 ** 17) < first + BLOCK_SLOTS) b++;
    if (b === a + 1) {
      const i = order[a]! % 2 ** 17;
      writeSlot(ix, first, hashes, offsets[i]!, 32 * ids[i]!);
    } else {
      const last = Math.floor(order[b - 1]! / 2 ** 17);
      const bytes = (last - first + 1) * SLOT_BYTES;
      if (!readFully(ix.fd, span, bytes, HEADER_BYTES + first * SLOT_BYTES, stats))
        throw new IndexDamaged('nodes.idx is shorter than its header says');
      for (let j = a; j < b; j++) {
        const i = order[j]! % 2 ** 17;
        const at = (Math.floor(order[j]! / 2 ** 17) - first) * SLOT_BYTES;
        for (let k = 0; k < 6; k++) span[at + k] = hashes[32 * ids[i]! + k]!;
        putU48(span, at + 6, offsets[i]! + 1);
      }
      writeFully(ix.fd, span.subarray(0, bytes), HEADER_BYTES + first * SLOT_BYTES);
    }
    a = b;
  }
}

const slot = new Uint8Array(SLOT_BYTES);

/** Writes the slot of the entry whose hash is at `hash[hAt ..]`, at `offset`, into `position`. */
export function writeSlot(
  ix: OpenIndex,
  position: number,
  hash: Uint8Array,
  offset: number,
  hAt = 0,
): void {
  const s = slot;
  for (let k = 0; k < 6; k++) s[k] = hash[hAt + k]!;
  putU48(s, 6, offset + 1);
  writeFully(ix.fd, s, HEADER_BYTES + position * SLOT_BYTES);
}

/**
 * Makes every slot written so far durable, then records `covered` and the count. The
 * header itself is not synced: should it be lost, the next open replays a little more.
 */
export function writeHeader(ix: OpenIndex, covered: number, hook?: (point: string) => void): void {
  fdatasyncSync(ix.fd);
  hook?.('index:synced');
  writeFully(ix.fd, encodeHeader({ bits: ix.bits, covered, count: ix.count }), 0);
  hook?.('index:header');
  ix.covered = covered;
}

/**
 * Opens `path` as an index that fits `binLength` bytes of nodes.bin, or undefined when it
 * is missing, damaged, torn or of another version (the caller rebuilds it).
 */
export function openIndex(
  path: string,
  binLength: number,
  stats: HeadMapFileStats,
): OpenIndex | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
  const head = new Uint8Array(HEADER_BYTES);
  const h = readFully(fd, head, HEADER_BYTES, 0, stats) ? decodeHeader(head) : undefined;
  if (h === undefined || h.covered > binLength || fstatSync(fd).size !== indexLength(h.bits)) {
    closeSync(fd);
    return undefined;
  }
  return { fd, ...h };
}

/**
 * Where a build reads slots from: `records` 12-byte slots from `base` in `fd` (free ones
 * skipped), about `expected` of them in use.
 */
export interface SlotSource {
  readonly fd: number;
  readonly base: number;
  readonly records: number;
  readonly expected: number;
}

class TableFull extends Error {}

/**
 * Writes a table of `bits` holding every slot of `source` to `dir/nodes.idx` (through a
 * temporary file, fsynced, then renamed over it) with the header `covered` and returns it
 * open. Slots are placed in order of home position, each at its home or just after the one
 * placed before, which is what inserting them one by one in that order gives; the order is
 * found in passes over ranges of hash prefixes, so memory stays bounded however many.
 */
export function buildIndex(
  dir: string,
  source: SlotSource,
  minBits: number,
  covered: number,
  stats: HeadMapFileStats,
  hook?: (point: string) => void,
): OpenIndex {
  let bits = minBits;
  for (;;) {
    const tmp = join(dir, 'nodes.idx.new');
    const fd = openSync(tmp, 'w+');
    try {
      const count = fillTable(fd, bits, source, stats);
      writeFully(fd, encodeHeader({ bits, covered, count }), 0);
      fsyncSync(fd);
      hook?.('build:written');
      renameSync(tmp, join(dir, 'nodes.idx'));
      hook?.('build:renamed');
      syncDirSync(dir);
      return { fd, bits, count, covered };
    } catch (e) {
      closeSync(fd);
      if (!(e instanceof TableFull)) throw e;
      bits++; // a run reached the spill's end: a larger table spreads it out
    }
  }
}

function fillTable(fd: number, bits: number, source: SlotSource, stats: HeadMapFileStats): number {
  ftruncateSync(fd, 0);
  ftruncateSync(fd, indexLength(bits));
  const end = slotCount(bits);
  const out = new Uint8Array(READ_SLOTS * SLOT_BYTES);
  let outStart = 0;
  let outUsed = 0; // slots of `out` from outStart up to the last one placed
  const flush = () => {
    if (outUsed > 0)
      writeFully(fd, out.subarray(0, outUsed * SLOT_BYTES), HEADER_BYTES + outStart * SLOT_BYTES);
    out.fill(0);
    outUsed = 0;
  };
  let last = -1;
  let placed = 0;
  // Arrays for one pass: sized for what is expected (a range that overflows is halved).
  const cap = Math.min(PASS_SLOTS, Math.max(4096, Math.ceil(source.expected * 1.25)));
  const keys = new Float64Array(cap);
  const slots = new Uint8Array(cap * SLOT_BYTES);
  const chunk = new Uint8Array(READ_SLOTS * SLOT_BYTES);
  const TOP = 2 ** 32;
  let lo = 0;
  // Ranges expected to fill half a pass; a range that overflows is halved and read again.
  let width = Math.ceil(TOP / Math.max(1, Math.ceil(source.expected / (cap * 0.8))));
  while (lo < TOP) {
    const hi = Math.min(TOP, lo + width);
    // Collect the slots whose hash prefix is in [lo, hi); halve the range if too many.
    let n = 0;
    let over = false;
    for (let r = 0; r < source.records && !over; r += READ_SLOTS) {
      const k = Math.min(READ_SLOTS, source.records - r);
      if (!readFully(source.fd, chunk, k * SLOT_BYTES, source.base + r * SLOT_BYTES, stats))
        throw new IndexDamaged('a build source is shorter than expected');
      for (let i = 0; i < k; i++) {
        const s = i * SLOT_BYTES;
        if (u48(chunk, s + 6) === 0) continue;
        const p = u32(chunk, s);
        if (p < lo || p >= hi) continue;
        if (n === cap) {
          over = true;
          break;
        }
        // Sorting numbers is fast: prefix * 2^21 + n stays exact below 2^53.
        keys[n] = p * 2 ** 21 + n;
        slots.set(chunk.subarray(s, s + SLOT_BYTES), n * SLOT_BYTES);
        n++;
      }
    }
    if (over) {
      width = Math.max(1, Math.floor(width / 2));
      continue;
    }
    const order = keys.subarray(0, n).sort();
    for (let j = 0; j < n; j++) {
      const i = order[j]! % 2 ** 21;
      const home = Math.floor(u32(slots, i * SLOT_BYTES) / 2 ** (32 - bits));
      const pos = Math.max(home, last + 1);
      if (pos >= end) throw new TableFull();
      if (pos >= outStart + READ_SLOTS) {
        flush();
        outStart = pos;
      }
      out.set(slots.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES), (pos - outStart) * SLOT_BYTES);
      outUsed = pos - outStart + 1;
      last = pos;
      placed++;
    }
    lo = hi;
  }
  flush();
  return placed;
}

/** fsync a directory so a rename in it is durable (where directories can be opened). */
export function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot open directories; renames there are still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes `path` if it exists. */
export function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
  }
}

/** Appends slots to a scratch file in large writes (a build's source). */
export class SlotWriter {
  private readonly buf = new Uint8Array(READ_SLOTS * SLOT_BYTES);
  private used = 0;
  records = 0;
  constructor(readonly fd: number) {}

  add(hash: Uint8Array, offset: number): void {
    const s = this.used * SLOT_BYTES;
    this.buf.set(hash.subarray(0, 6), s);
    putU48(this.buf, s + 6, offset + 1);
    if (++this.used === READ_SLOTS) this.flush();
  }

  flush(): void {
    writeFully(this.fd, this.buf.subarray(0, this.used * SLOT_BYTES), this.records * SLOT_BYTES);
    this.records += this.used;
    this.used = 0;
  }
}

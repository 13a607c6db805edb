// Reading nodes.bin in order (`u8 length || entry`, docs/spec/head-map-file.md): what an
// open replays past the index's header and what a rebuild of the index reads whole. Entries
// are hashed in batches, one kernel call per kind of entry and chunk.
import { sha256PrefixedBatch } from '../kernel/index.js';
import { type HeadMapFileStats, isEntryLength, readFully } from './head-map-index.js';

const CHUNK = 1 << 20;

/** SHA-256 of one entry into `out`: its first byte is the kernel's prefix. */
export function hashEntry(e: Uint8Array, out: Uint8Array): void {
  sha256PrefixedBatch(e[0]!, e.subarray(1), e.length - 1, 1, out);
}

/** SHA-256 of each entry, `32 * entries.length` bytes: one kernel call per length and first byte. */
export function hashEntries(entries: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(32 * entries.length);
  const groups = new Map<number, number[]>();
  entries.forEach((e, i) => {
    const kind = e.length * 256 + e[0]!;
    const list = groups.get(kind);
    if (list === undefined) groups.set(kind, [i]);
    else list.push(i);
  });
  for (const [kind, list] of groups) {
    const inLen = (kind >> 8) - 1;
    const input = new Uint8Array(inLen * list.length);
    list.forEach((i, j) => {
      input.set(entries[i]!.subarray(1), inLen * j);
    });
    const sums = new Uint8Array(32 * list.length);
    sha256PrefixedBatch(kind & 255, input, inLen, list.length, sums);
    list.forEach((i, j) => {
      out.set(sums.subarray(32 * j, 32 * j + 32), 32 * i);
    });
  }
  return out;
}

/**
 * Calls `each(hash, offset, entry)` for the entries of nodes.bin from byte `from` up to
 * `to`, in order, and returns where the last complete entry ends: before `to` when the
 * rest is a torn append (an entry cut short, or a length no entry has). `entry` is a view
 * valid only during the call.
 */
export function scanEntries(
  fd: number,
  from: number,
  to: number,
  each: (hash: Uint8Array, offset: number, entry: Uint8Array) => void,
  stats: HeadMapFileStats,
): number {
  const buf = new Uint8Array(CHUNK);
  let pos = from;
  while (pos < to) {
    const want = Math.min(CHUNK, to - pos);
    if (!readFully(fd, buf, want, pos, stats)) break;
    const offsets: number[] = [];
    const entries: Uint8Array[] = [];
    let at = 0;
    let torn = false;
    while (at < want) {
      const len = buf[at]!;
      if (!isEntryLength(len) || pos + at + 1 + len > to) {
        torn = true;
        break;
      }
      if (at + 1 + len > want) break; // complete in the file: read with the next chunk
      offsets.push(pos + at);
      entries.push(buf.subarray(at + 1, at + 1 + len));
      at += 1 + len;
    }
    const sums = hashEntries(entries);
    stats.entriesHashed += entries.length;
    for (let i = 0; i < entries.length; i++)
      each(sums.subarray(32 * i, 32 * i + 32), offsets[i]!, entries[i]!);
    pos += at;
    if (torn || at === 0) break;
  }
  return pos;
}

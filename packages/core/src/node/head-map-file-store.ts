// The head map's files (docs/spec/head-map-file.md): `secret`, the append-only
// content-addressed `nodes.bin`, and `nodes.idx`, the on-disk index that finds an entry's
// offset from its hash. Opening reads the index's header and replays only what nodes.bin
// gained after the header was last written; entries are read on demand, checked against
// their hash, and the recently used ones kept in a small cache.
import { closeSync, openSync } from 'node:fs';
import { chmod, type FileHandle, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MedanchorError } from '../errors.js';
import { localEntries, packedPuts } from '../map/entries.js';
import { HashKeyedMap } from '../map/entry-table.js';
import type { HeadMapStore } from '../map/tree.js';
import { ioError, syncDir, writeAll, writeFileAtomic } from './file-store/files.js';
import {
  BLOCK_SLOTS,
  BlockReader,
  bitsFor,
  buildIndex,
  fits,
  HEADER_BYTES,
  type HeadMapFileStats,
  IndexDamaged,
  isEntryLength,
  type OpenIndex,
  openIndex,
  probe,
  readFully,
  removeIfThere,
  SlotWriter,
  slotCount,
  writeHeader,
  writeSlot,
  writeSlots,
} from './head-map-index.js';
import { hashEntries, hashEntry, scanEntries } from './head-map-scan.js';

/** How the file store trades replay length, table size and memory; hooks for crash tests. */
export interface HeadMapFileTuning {
  /** nodes.bin may grow this far past the index header's `covered` before it is rewritten. */
  readonly checkpointBytes?: number;
  /** The first table's bits (2^bits home slots). */
  readonly initialBits?: number;
  /** Entries per generation of the read cache (two generations are kept). */
  readonly cacheEntries?: number;
  /** Entries appended per write and fsync of a large put (at most 65,536). */
  readonly putBatch?: number;
  /** Called at each crash point (tests kill the process there). */
  readonly hook?: (point: string) => void;
  /** Counters of bytes read and entries hashed (tests assert on them). */
  readonly stats?: HeadMapFileStats;
}

/** Entries appended per write and fsync of a large put (bounds the memory of its probes). */
const PUT_BATCH = 65_536;
const MAX_OFFSET = 2 ** 48 - 2;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return false;
    throw ioError('head map', e);
  }
}

async function readSecret(dir: string): Promise<Uint8Array> {
  const path = join(dir, 'secret');
  let secret: Uint8Array;
  try {
    await mkdir(dir, { recursive: true });
    if (!(await exists(path))) {
      await writeFileAtomic(path, crypto.getRandomValues(new Uint8Array(32)));
      await chmod(path, 0o600);
    }
    secret = new Uint8Array(await readFile(path));
  } catch (e) {
    throw ioError('head map secret', e);
  }
  if (secret.length !== 32)
    throw new MedanchorError(
      'STORE_CORRUPT',
      "the head map's secret file is not 32 bytes: restore it from a backup",
    );
  return secret;
}

function sameHash(hashes: Uint8Array, a: number, b: number): boolean {
  for (let i = 0; i < 32; i++) if (hashes[a + i] !== hashes[b + i]) return false;
  return true;
}

/** A put's entries (packed as `putEntries` packs them) and which of them to store. */
interface Batch {
  readonly hashes: Uint8Array;
  readonly bytes: Uint8Array;
  readonly ids: number[];
}

/** Recently read or written entries: two generations, the older dropped when the newer fills. */
class EntryCache {
  private young = new HashKeyedMap();
  private old = new HashKeyedMap();
  constructor(private readonly limit: number) {}

  get(h: Uint8Array): Uint8Array | undefined {
    const e = this.young.get(h);
    if (e !== undefined) return e;
    const o = this.old.get(h);
    return o === undefined ? undefined : this.set(h, o);
  }

  set(h: Uint8Array, e: Uint8Array): Uint8Array {
    this.add(h, 0, e, 0, e.length);
    return this.young.get(h)!;
  }

  add(h: Uint8Array, hAt: number, e: Uint8Array, at: number, len: number): void {
    if (this.young.size >= this.limit) {
      this.old = this.young;
      this.young = new HashKeyedMap();
    }
    this.young.setAt(h, hAt, e, at, len);
  }

  has(h: Uint8Array, hAt: number): boolean {
    return this.young.has(h, hAt) || this.old.has(h, hAt);
  }
}

/**
 * Opens the head map's files in `dir` (see `openFileHeadMapStore`), with `tuning` for
 * tests and benchmarks.
 */
export async function openHeadMapFiles(
  dir: string,
  tuning: HeadMapFileTuning = {},
): Promise<HeadMapStore & { readonly size: number }> {
  const secret = await readSecret(dir);
  const stats = tuning.stats ?? { bytesRead: 0, entriesHashed: 0, rebuilds: 0 };
  const hook = tuning.hook;
  const checkpointBytes = tuning.checkpointBytes ?? 1 << 20;
  const initialBits = tuning.initialBits ?? 12;
  const cache = new EntryCache(tuning.cacheEntries ?? 65_536);
  const putBatch = Math.min(PUT_BATCH, tuning.putBatch ?? PUT_BATCH);
  const binPath = join(dir, 'nodes.bin');

  let bin: FileHandle;
  try {
    const created = !(await exists(binPath));
    bin = await open(binPath, created ? 'w+' : 'r+');
    if (created) await syncDir(dir);
  } catch (e) {
    throw ioError('head map nodes', e);
  }
  // Where nodes.bin's complete entries end and the next append goes (while opening: the
  // file's length, until a torn tail is cut).
  let end = 0;
  let ix: OpenIndex | undefined;
  // Bumped whenever the table is replaced, so slot positions found before are found again.
  let generation = 0;
  // The table may lack slots of entries below `end` (a slot write failed): rebuild first.
  let stale = false;
  // One rebuild for a hash the index does not know, per open: a damaged slot looks free.
  let rescanned = false;

  const entryBuf = new Uint8Array(66);
  const sum = new Uint8Array(32);
  let found: Uint8Array = entryBuf;
  const check = (offset: number, hash: Uint8Array): boolean => {
    const n = Math.min(66, end - offset);
    if (n < 49 || !readFully(bin.fd, entryBuf, n, offset, stats))
      throw new IndexDamaged('a slot points past the end of nodes.bin');
    const len = entryBuf[0]!;
    if (!isEntryLength(len) || 1 + len > n)
      throw new IndexDamaged('a slot points at no entry of nodes.bin');
    const e = entryBuf.subarray(1, 1 + len);
    hashEntry(e, sum);
    stats.entriesHashed++;
    for (let j = 0; j < 6; j++)
      if (sum[j] !== hash[j]) throw new IndexDamaged('a slot names another entry');
    for (let j = 6; j < 32; j++) if (sum[j] !== hash[j]) return false;
    found = e;
    return true;
  };

  const table = (): OpenIndex => ix!;

  // Builds nodes.idx again from nodes.bin below `upTo`; returns where its entries end.
  const rebuild = (upTo: number): number => {
    const scratch = join(dir, 'nodes.idx.scan');
    const fd = openSync(scratch, 'w+');
    try {
      const w = new SlotWriter(fd);
      const valid = scanEntries(bin.fd, 0, upTo, (h, offset) => w.add(h, offset), stats);
      w.flush();
      hook?.('scan:written');
      const next = buildIndex(
        dir,
        { fd, base: 0, records: w.records, expected: w.records },
        bitsFor(w.records, initialBits),
        valid,
        stats,
        hook,
      );
      if (ix !== undefined) closeSync(ix.fd);
      ix = next;
      generation++;
      stats.rebuilds++;
      return valid;
    } finally {
      closeSync(fd);
      removeIfThere(scratch);
    }
  };

  // A larger table holding the current one's slots; its header covers `covered`.
  const grow = (need: number, covered: number): void => {
    const old = table();
    const bits = bitsFor(need, old.bits + 1);
    const next = buildIndex(
      dir,
      { fd: old.fd, base: HEADER_BYTES, records: slotCount(old.bits), expected: old.count },
      bits,
      covered,
      stats,
      hook,
    );
    closeSync(old.fd);
    ix = next;
    generation++;
  };

  // Where the entry whose hash is at `hash[hAt ..]` is: its offset, or -1 - the free slot for it.
  const probeRepairing = (
    hash: Uint8Array,
    claimedUpTo = -1,
    reader?: BlockReader,
    hAt = 0,
  ): number => {
    try {
      return probe(table(), hash, check, stats, claimedUpTo, reader, hAt);
    } catch (e) {
      if (!(e instanceof IndexDamaged)) throw e;
    }
    rebuild(end);
    rescanned = true;
    return probe(table(), hash, check, stats, claimedUpTo, undefined, hAt);
  };

  // Adds slots for the entries of nodes.bin from the header's `covered` up to `upTo`.
  const replay = (upTo: number): number => {
    let first = true;
    return scanEntries(
      bin.fd,
      table().covered,
      upTo,
      (h, offset) => {
        // A slot naming this very offset is this entry's (its 6 bytes match, and the entry
        // was just hashed): no need to read it again.
        const own = (at: number, hash: Uint8Array) => at === offset || check(at, hash);
        let r = probe(table(), h, own, stats);
        if (r >= 0) {
          // Its own slot, written after the header: not in the header's count yet.
          if (r === offset) table().count++;
          return;
        }
        while (r === -1 - slotCount(table().bits) || !fits(table().count + 1, table().bits)) {
          grow(table().count + 1, offset); // every entry before this one has its slot
          r = probe(table(), h, own, stats);
        }
        writeSlot(table(), -1 - r, h, offset);
        table().count++;
        if (first) hook?.('open:replay');
        first = false;
      },
      stats,
    );
  };

  try {
    const size = (await bin.stat()).size;
    end = size;
    removeIfThere(join(dir, 'nodes.idx.new'));
    removeIfThere(join(dir, 'nodes.idx.scan'));
    ix = openIndex(join(dir, 'nodes.idx'), size, stats);
    let valid: number | undefined;
    if (ix !== undefined) {
      try {
        valid = replay(size);
      } catch (e) {
        if (!(e instanceof IndexDamaged)) throw e;
        closeSync(ix.fd);
        ix = undefined;
      }
    }
    // No index yet (a directory from before it), or a damaged one: built from nodes.bin.
    valid ??= rebuild(size);
    end = valid;
    if (end < size) {
      hook?.('open:cut');
      await bin.truncate(end);
      await bin.datasync();
    }
    if (table().covered !== end) writeHeader(table(), end, hook);
  } catch (e) {
    if (ix !== undefined) closeSync(ix.fd);
    await bin.close().catch(() => {});
    throw ioError('head map nodes', e);
  }

  let closed = false;
  let lane: Promise<unknown> = Promise.resolve();
  const closedError = () =>
    new MedanchorError('STORE_CLOSED', 'the head map store is closed: open it again');

  const repairIfStale = () => {
    if (!stale) return;
    rebuild(end);
    stale = false;
  };

  // The entry whose hash is `h`, checked against it (or from the cache), else undefined.
  const read = (h: Uint8Array): Uint8Array | undefined => {
    if (closed) throw closedError();
    if (!(h instanceof Uint8Array) || h.length !== 32) return undefined; // no entry's hash
    const hit = cache.get(h);
    if (hit !== undefined) return hit;
    let at: number;
    try {
      repairIfStale();
      at = probeRepairing(h);
      if (at < 0 && !rescanned) {
        rescanned = true;
        rebuild(end);
        at = probe(table(), h, check, stats);
      }
    } catch (e) {
      throw e instanceof IndexDamaged
        ? new MedanchorError(
            'STORE_CORRUPT',
            "the head map's nodes.bin changed while it was read: restore the directory from a backup",
          )
        : ioError('head map index', e);
    }
    return at < 0 ? undefined : cache.set(h, found);
  };

  // Finds a free slot for each entry of `b` not stored yet; drops from `b.ids` those stored
  // and those given twice. The entries are probed in order of home, so dense puts read each
  // block of slots once and a batch's own slots need no set (see `probe`).
  const place = (b: Batch): number[] => {
    const { hashes, ids } = b;
    repairIfStale();
    if (!fits(table().count + ids.length, table().bits)) grow(table().count + ids.length, end);
    const order = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const h = 32 * ids[i]!;
      order[i] =
        (((hashes[h]! << 24) | (hashes[h + 1]! << 16) | (hashes[h + 2]! << 8) | hashes[h + 3]!) >>>
          0) *
          2 ** 17 +
        i;
    }
    order.sort();
    for (;;) {
      const gen = generation;
      const at = new Float64Array(ids.length).fill(-1);
      // Blocks pay when a batch is dense (several entries a block); else one window each.
      const reader =
        ids.length * BLOCK_SLOTS >= 4 * slotCount(table().bits) ? new BlockReader() : undefined;
      const full = -1 - slotCount(table().bits);
      let claimed = -1;
      let before = -1;
      let beforeTop = -1;
      let grown = false;
      for (const key of order) {
        const i = key % 2 ** 17;
        const h = 32 * ids[i]!;
        // Given twice: the same first four bytes (sorted next to each other), then the rest.
        const top = Math.floor(key / 2 ** 17);
        if (top === beforeTop && sameHash(hashes, before, h)) continue;
        before = h;
        beforeTop = top;
        const r = probeRepairing(hashes, claimed, reader, h);
        if (gen !== generation) break; // rebuilt meanwhile: start again
        if (r >= 0) continue; // stored already
        if (r === full) {
          grown = true;
          break;
        }
        claimed = -1 - r;
        at[i] = claimed;
      }
      if (grown) grow(table().count + ids.length, end);
      if (grown || gen !== generation) continue;
      const positions: number[] = [];
      let kept = 0;
      for (let i = 0; i < ids.length; i++) {
        if (at[i]! < 0) continue;
        positions.push(at[i]!);
        ids[kept++] = ids[i]!;
      }
      ids.length = kept;
      return positions;
    }
  };

  // Appends one batch of new entries durably, then their slots.
  const append = async (b: Batch): Promise<void> => {
    let positions: number[];
    try {
      positions = place(b);
    } catch (e) {
      throw ioError('head map index', e);
    }
    const { hashes, bytes, ids } = b;
    if (ids.length === 0) return;
    const out = new Uint8Array(ids.length * 66);
    const offsets: number[] = [];
    let at = 0;
    for (const id of ids) {
      // Packed as nodes.bin records them: the length, then the entry.
      const len = 1 + bytes[66 * id]!;
      offsets.push(end + at);
      out.set(bytes.subarray(66 * id, 66 * id + len), at);
      at += len;
    }
    if (end + at > MAX_OFFSET)
      throw new MedanchorError('STORE_FULL', "the head map's nodes.bin reached its largest size");
    const gen = generation;
    try {
      hook?.('put:append');
      await writeAll(bin, out.subarray(0, at), end);
      hook?.('put:appended');
      await bin.datasync();
    } catch (e) {
      // What was written may be torn; it is cut on the next open, and rewritten over here.
      throw ioError('head map nodes', e);
    }
    hook?.('put:synced');
    end += at;
    try {
      if (gen !== generation) {
        // A read rebuilt the table while nodes.bin was written: the positions found are
        // stale, and a rebuild that reads the new entries too is simplest (and rare).
        rebuild(end);
      } else {
        // In two halves, so a crash test can stop between them.
        const half = ids.length >> 1;
        const slots = (from: number, to: number) =>
          writeSlots(
            table(),
            positions.slice(from, to),
            hashes,
            ids.slice(from, to),
            offsets.slice(from, to),
            stats,
          );
        slots(0, half);
        if (half > 0) hook?.('put:slots-half');
        slots(half, ids.length);
        table().count += ids.length;
      }
      hook?.('put:slots');
      if (end - table().covered >= checkpointBytes) writeHeader(table(), end, hook);
    } catch (e) {
      stale = true;
      throw ioError('head map index', e);
    }
    for (const id of ids) cache.add(hashes, 32 * id, bytes, 66 * id + 1, bytes[66 * id]!);
  };

  // Stores a packed put (see `putEntries`): the entries not in the cache, in batches.
  const putPacked = (bytes: Uint8Array, hashes: Uint8Array, count: number): Promise<void> => {
    const run = lane.then(async () => {
      if (closed) throw closedError();
      const ids: number[] = [];
      for (let i = 0; i < count; i++) if (!cache.has(hashes, 32 * i)) ids.push(i);
      // Room for the whole put at once: one growth, not one per batch.
      try {
        repairIfStale();
        if (!fits(table().count + ids.length, table().bits)) grow(table().count + ids.length, end);
      } catch (e) {
        throw ioError('head map index', e);
      }
      for (let from = 0; from < ids.length; from += putBatch)
        await append({ hashes, bytes, ids: ids.slice(from, from + putBatch) });
    });
    lane = run.catch(() => {});
    return run;
  };

  const store: HeadMapStore & { readonly size: number } = {
    secret,
    get size() {
      return table().count;
    },
    async get(hash) {
      return read(hash)?.slice();
    },
    async getMany(hashes) {
      return hashes.map((h) => read(h)?.slice());
    },
    async put(list, given) {
      if (closed) throw closedError();
      for (const e of list)
        if (!(e instanceof Uint8Array) || !isEntryLength(e.length))
          throw new MedanchorError('INVALID_ARGUMENT', 'a head-map entry is 48 or 65 bytes');
      // Hashes the map's update computed are used as given: every read checks the entry
      // against its hash, and a rebuild keys entries by their own hash.
      const sums = given === undefined ? hashEntries(list) : undefined;
      const bytes = new Uint8Array(66 * list.length);
      const hashes = new Uint8Array(32 * list.length);
      list.forEach((e, i) => {
        bytes[66 * i] = e.length;
        bytes.set(e, 66 * i + 1);
        hashes.set(given?.[i] ?? sums!.subarray(32 * i, 32 * i + 32), 32 * i);
      });
      return putPacked(bytes, hashes, list.length);
    },
    async close() {
      if (closed) return;
      closed = true;
      await lane;
      try {
        if (!stale && table().covered !== end) writeHeader(table(), end, hook);
      } catch (e) {
        throw ioError('head map index', e);
      } finally {
        closeSync(table().fd);
        await bin.close();
      }
    },
  };
  // Entries come out of this store checked against their hash (or as the update hashed
  // them when put): the map reads them in place, without hashing them again.
  localEntries.set(store, read);
  packedPuts.set(store, putPacked);
  return store;
}

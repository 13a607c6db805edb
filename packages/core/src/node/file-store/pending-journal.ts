import { mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FileJournal } from '../journal-file.js';
import { ioError, syncDir } from './files.js';

/** Start a new journal segment once the current one passes this many bytes. */
const SEGMENT_BYTES = 1 << 20;

/** Most bytes of adds coalesced into one journal frame. */
const MAX_GROUP_BYTES = 16 << 20;

const segmentName = (firstId: number) => `${String(firstId).padStart(16, '0')}.jrnl`;

interface Waiter {
  entries: Uint8Array[];
  firstId: number;
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * The pending journal: acknowledged records not sequenced yet, in segment files
 * `pending/<first id, 16 digits>.jrnl` (each a FileJournal). Appends wait in a queue
 * and are written as one frame with one fdatasync per group (group commit). A new
 * segment starts once the current one is large; whole segments whose ids are all
 * sequenced are deleted, so the journal holds about the pending backlog, not history.
 */
export class PendingJournal {
  private readonly dir: string;
  private segments: number[] = []; // first ids, ascending; the last is being appended to
  private current: FileJournal | undefined;
  private currentBytes = 0;
  private queue: Waiter[] = [];
  private currentMaxId = 0; // largest id appended to the current segment (0: none)
  private flushing: Promise<void> | undefined;
  /** fdatasync calls made (one per group). */
  syncs = 0;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Opens the journal in `dir`, deleting segments whose ids are all below
   * `pendingBelow`, and returns the entries of the others (torn tail repaired).
   */
  static async open(
    dir: string,
    pendingBelow: number,
  ): Promise<{ journal: PendingJournal; entries: Uint8Array[] }> {
    const j = new PendingJournal(dir);
    const entries: Uint8Array[] = [];
    try {
      await mkdir(dir, { recursive: true });
      const names = (await readdir(dir)).filter((n) => /^\d{16}\.jrnl$/.test(n)).sort();
      const firsts = names.map((n) => Number(n.slice(0, 16)));
      for (let i = 0; i < firsts.length; i++) {
        const next = firsts[i + 1];
        if (next !== undefined && next <= pendingBelow) {
          await unlink(join(dir, names[i]!));
          continue;
        }
        const fj = new FileJournal(join(dir, names[i]!));
        entries.push(...(await fj.open()));
        j.segments.push(firsts[i]!);
        if (next === undefined) {
          j.current = fj;
          // Start appends in a fresh segment, so this one can go once sequenced.
          j.currentBytes = (fj.recovery?.entries ?? 0) > 0 ? SEGMENT_BYTES : 0;
        } else {
          await fj.close();
        }
      }
    } catch (e) {
      throw ioError('pending journal', e);
    }
    return { journal: j, entries };
  }

  /** Appends the entries (ids from `firstId`) durably; concurrent calls share one sync. */
  append(entries: Uint8Array[], firstId: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let bytes = 0;
      for (const e of entries) bytes += e.length + 4;
      this.queue.push({ entries, firstId, bytes, resolve, reject });
      if (this.flushing === undefined) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      // Coalesce waiting adds into one frame, up to MAX_GROUP_BYTES (a frame holds at
      // most 64 MiB; one oversized add still goes alone and gets the journal's error).
      let take = 0;
      let bytes = 0;
      while (
        take < this.queue.length &&
        (take === 0 || bytes + this.queue[take]!.bytes <= MAX_GROUP_BYTES)
      ) {
        bytes += this.queue[take]!.bytes;
        take++;
      }
      const group = this.queue.splice(0, take);
      try {
        if (this.current === undefined || this.currentBytes >= SEGMENT_BYTES) {
          await this.rotate(group[0]!.firstId);
        }
        const all = group.flatMap((w) => w.entries);
        await this.current!.append(all);
        this.syncs++;
        for (const w of group) {
          this.currentBytes += w.bytes;
          this.currentMaxId = Math.max(this.currentMaxId, w.firstId + w.entries.length - 1);
        }
        for (const w of group) w.resolve();
      } catch (e) {
        const err = ioError('pending journal', e);
        for (const w of group) w.reject(err);
      }
    }
    this.flushing = undefined;
  }

  private async rotate(firstId: number): Promise<void> {
    const fj = new FileJournal(join(this.dir, segmentName(firstId)));
    await fj.open();
    await syncDir(this.dir);
    const old = this.current;
    this.current = fj;
    this.currentBytes = 0;
    this.currentMaxId = 0;
    if (this.segments[this.segments.length - 1] === Number.POSITIVE_INFINITY) this.segments.pop();
    this.segments.push(firstId);
    await old?.close();
  }

  /**
   * Deletes whole segments every id of which is below `pendingBelow` (never the one
   * being appended to: it rotates out once full).
   */
  async compact(pendingBelow: number): Promise<void> {
    // Once every id of the segment being appended to is sequenced (and no append is
    // under way), it goes too: the next append starts a new one. Keeps open reads short.
    if (
      this.flushing === undefined &&
      this.current !== undefined &&
      this.currentMaxId > 0 &&
      this.currentMaxId < pendingBelow
    ) {
      const cur = this.current;
      this.current = undefined;
      this.currentBytes = 0;
      this.currentMaxId = 0;
      this.segments.push(Number.POSITIVE_INFINITY); // stands for "no segment yet"
      await cur.close();
    }
    while (
      this.segments.length > 1 &&
      (this.segments[1]! <= pendingBelow || this.segments[1] === Number.POSITIVE_INFINITY)
    ) {
      const first = this.segments.shift()!;
      await unlink(join(this.dir, segmentName(first))).catch((e) => {
        if ((e as { code?: string }).code !== 'ENOENT') throw ioError('pending journal', e);
      });
    }
  }

  /**
   * Erasure: rewrites every segment holding an entry for which `erase` returns a
   * replacement, with that replacement instead (tmp file, fsync, rename), so the old
   * bytes are in no journal file afterwards. The segment being appended to is retired
   * first (the next append starts a new one), so no append races the rewrite.
   * @returns the number of entries replaced.
   */
  async scrub(erase: (entry: Uint8Array) => Uint8Array | undefined): Promise<number> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.current !== undefined) {
      // It stays in the list as an ordinary segment (it may hold pending records): the
      // next append rotates to a new one after it, and compaction deletes it only once
      // that next segment's first id shows all of its ids are sequenced.
      const cur = this.current;
      this.current = undefined;
      this.currentBytes = 0;
      this.currentMaxId = 0;
      await cur.close();
    }
    let replaced = 0;
    for (const first of this.segments.filter((f) => f !== Number.POSITIVE_INFINITY)) {
      replaced += await rewriteSegment(join(this.dir, segmentName(first)), erase);
    }
    return replaced;
  }

  /** Number of segment files. */
  get segmentCount(): number {
    return this.segments.filter((f) => f !== Number.POSITIVE_INFINITY).length;
  }

  /** Waits for queued appends, then closes the segment. */
  async close(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    await this.current?.close();
    this.current = undefined;
  }
}

// One segment with some entries replaced, written beside it and renamed over it.
async function rewriteSegment(
  path: string,
  erase: (entry: Uint8Array) => Uint8Array | undefined,
): Promise<number> {
  const old = new FileJournal(path);
  let entries: Uint8Array[];
  try {
    entries = await old.open();
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return 0;
    throw e;
  } finally {
    await old.close();
  }
  let replaced = 0;
  const next = entries.map((e) => {
    const r = erase(e);
    if (r === undefined) return e;
    replaced++;
    return r;
  });
  if (replaced === 0) return 0;
  const tmp = `${path}.scrub`;
  await rm(tmp, { force: true });
  const fj = new FileJournal(tmp);
  await fj.open();
  await fj.append(next);
  await fj.close();
  await rename(tmp, path);
  await syncDir(dirname(path));
  return replaced;
}

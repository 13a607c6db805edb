import { createHash } from 'node:crypto';
import { type FileHandle, open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Journal } from '../batch/journal.js';
import { MedanchorError } from '../errors.js';

// File layout (docs/spec/commitment.md, "Journal file"):
//   header  "MDAJRNL1" (8 bytes)
//   frame*  u32 BE payload length | u32 BE check | payload
//           payload = u32 BE entry count | (u32 BE entry length | entry bytes)*
//           check   = first 4 bytes of sha256(length field || payload)
// One frame per append call, written with one write and made durable with one
// fdatasync: a frame is the unit of group commit, complete or absent after a crash.

const MAGIC = new TextEncoder().encode('MDAJRNL1');
const FRAME_HEADER = 8;
/** Largest frame payload written or accepted (the batcher writes far smaller groups). */
const MAX_FRAME = 64 * 1024 * 1024;

/** Options of {@link FileJournal}. */
export interface FileJournalOptions {
  /** Refuse appends that would grow the file beyond this many bytes (`JOURNAL_FULL`). */
  maxBytes?: number;
}

/** What `open()` found and did. */
export interface FileJournalRecovery {
  /** Entries read. */
  readonly entries: number;
  /** Bytes of an incomplete last frame cut off (0 when the file ended cleanly). */
  readonly truncatedBytes: number;
  /** True when the file did not exist and was created. */
  readonly created: boolean;
}

function frameLength(buf: Uint8Array, off: number): number {
  if (off + FRAME_HEADER > buf.length) return -1;
  const view = new DataView(buf.buffer, buf.byteOffset + off, FRAME_HEADER);
  const len = view.getUint32(0);
  if (len < 4 || len > MAX_FRAME || off + FRAME_HEADER + len > buf.length) return -1;
  const check = createHash('sha256')
    .update(buf.subarray(off, off + 4))
    .update(buf.subarray(off + FRAME_HEADER, off + FRAME_HEADER + len))
    .digest();
  if (check.readUInt32BE(0) !== view.getUint32(4)) return -1;
  return FRAME_HEADER + len;
}

function corrupt(path: string, why: string, offset: number): MedanchorError {
  return new MedanchorError(
    'JOURNAL_CORRUPT',
    `journal ${basename(path)} is damaged (${why}): acknowledged entries may be lost; restore it from a backup`,
    { details: { offset } },
  );
}

function frameEntries(path: string, payload: Uint8Array, offset: number): Uint8Array[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = view.getUint32(0);
  const out: Uint8Array[] = [];
  let p = 4;
  for (let i = 0; i < count; i++) {
    if (p + 4 > payload.length)
      throw corrupt(path, 'a frame lists more entries than it holds', offset);
    const len = view.getUint32(p);
    p += 4;
    if (len === 0 || p + len > payload.length) {
      throw corrupt(path, 'a frame entry overruns its frame', offset);
    }
    out.push(payload.slice(p, p + len));
    p += len;
  }
  if (p !== payload.length) throw corrupt(path, 'a frame has bytes after its entries', offset);
  return out;
}

function writeError(path: string, e: unknown): MedanchorError {
  const code = (e as { code?: string } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    return new MedanchorError(
      'JOURNAL_FULL',
      `no space left for journal ${basename(path)}: free disk space or move the journal, then retry`,
      { cause: e, details: { errno: code } },
    );
  }
  return new MedanchorError(
    'JOURNAL_WRITE_FAILED',
    `writing journal ${basename(path)} failed${code ? ` (${code})` : ''}: check the disk, then retry`,
    { cause: e, details: { errno: code ?? null } },
  );
}

/**
 * An append-only journal in one file, made durable with fdatasync. Each `append` is
 * one checksummed frame written with one write and one fdatasync, so concurrent
 * records batched by the caller cost one sync. On `open`, an incomplete or damaged
 * last frame (a crash mid-write) is cut off; damage followed by a valid frame is
 * reported as `JOURNAL_CORRUPT`, never silently dropped.
 *
 * @example
 * ```ts
 * const batcher = await openBatcher({ origin, journal: new FileJournal('/var/lib/app/ledger.journal') });
 * ```
 */
export class FileJournal implements Journal {
  /** The journal's path. */
  readonly path: string;
  /** fdatasync calls made by appends (one per append): for monitoring and tests. */
  syncs = 0;
  /** What the last `open()` found, once it ran. */
  recovery: FileJournalRecovery | undefined;
  private readonly maxBytes: number;
  private fh: FileHandle | undefined;
  private size = 0;
  private broken: MedanchorError | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(path: string, options: FileJournalOptions = {}) {
    this.path = path;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  async open(): Promise<Uint8Array[]> {
    if (this.fh !== undefined) {
      throw new MedanchorError('JOURNAL_OPEN', 'this journal is already open: open it once');
    }
    let buf: Uint8Array;
    let created = false;
    try {
      buf = await readFile(this.path);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw writeError(this.path, e);
      await this.create();
      buf = MAGIC;
      created = true;
    }
    if (buf.length < MAGIC.length) {
      // Only a crash while creating leaves a short file; creation goes through a rename,
      // so this is an outside truncation unless the bytes are a prefix of the header.
      if (!MAGIC.subarray(0, buf.length).every((b, i) => b === buf[i])) {
        throw corrupt(this.path, 'it does not start with the journal header', 0);
      }
      await this.create();
      buf = MAGIC;
    }
    if (!MAGIC.every((b, i) => b === buf[i])) {
      throw corrupt(this.path, 'it does not start with the journal header', 0);
    }
    const entries: Uint8Array[] = [];
    let off = MAGIC.length;
    while (off < buf.length) {
      const n = frameLength(buf, off);
      if (n < 0) break;
      entries.push(...frameEntries(this.path, buf.subarray(off + FRAME_HEADER, off + n), off));
      off += n;
    }
    const truncatedBytes = buf.length - off;
    if (truncatedBytes > 0) {
      // A frame is written only after the previous one is durable, so a valid frame
      // after the bad one means acknowledged data was damaged, not a torn write.
      for (let p = off + 1; p + FRAME_HEADER <= buf.length; p++) {
        if (frameLength(buf, p) > 0)
          throw corrupt(this.path, 'a bad frame is followed by valid ones', off);
      }
    }
    try {
      this.fh = await open(this.path, 'r+');
      if (truncatedBytes > 0) {
        await this.fh.truncate(off);
        await this.fh.datasync();
      }
    } catch (e) {
      await this.fh?.close().catch(() => {});
      this.fh = undefined;
      throw writeError(this.path, e);
    }
    this.size = off;
    this.recovery = { entries: entries.length, truncatedBytes, created };
    return entries;
  }

  /** Writes the header to a temporary file and renames it into place, durably. */
  private async create(): Promise<void> {
    const tmp = join(dirname(this.path), `.${basename(this.path)}.new`);
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(MAGIC);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
      await syncDir(dirname(this.path));
    } catch (e) {
      throw writeError(this.path, e);
    }
  }

  append(entries: readonly Uint8Array[]): Promise<void> {
    const run = this.tail.then(() => this.appendNow(entries));
    this.tail = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  private async appendNow(entries: readonly Uint8Array[]): Promise<void> {
    if (this.broken !== undefined) throw this.broken;
    const fh = this.fh;
    if (fh === undefined) {
      throw new MedanchorError('JOURNAL_NOT_OPEN', 'open() the journal before appending');
    }
    if (entries.length === 0) return;
    let payloadLen = 4;
    for (const e of entries) {
      if (!(e instanceof Uint8Array) || e.length === 0) {
        throw new MedanchorError('INVALID_TYPE', 'journal entries must be non-empty Uint8Arrays');
      }
      payloadLen += 4 + e.length;
    }
    if (payloadLen > MAX_FRAME) {
      throw new MedanchorError(
        'JOURNAL_ENTRY_TOO_LARGE',
        `one append may hold at most ${MAX_FRAME} bytes: append in smaller groups`,
        { details: { bytes: payloadLen } },
      );
    }
    const frame = new Uint8Array(FRAME_HEADER + payloadLen);
    const view = new DataView(frame.buffer);
    view.setUint32(0, payloadLen);
    view.setUint32(FRAME_HEADER, entries.length);
    let p = FRAME_HEADER + 4;
    for (const e of entries) {
      view.setUint32(p, e.length);
      frame.set(e, p + 4);
      p += 4 + e.length;
    }
    const check = createHash('sha256')
      .update(frame.subarray(0, 4))
      .update(frame.subarray(FRAME_HEADER))
      .digest();
    frame.set(check.subarray(0, 4), 4);
    if (this.size + frame.length > this.maxBytes) {
      throw new MedanchorError(
        'JOURNAL_FULL',
        `journal ${basename(this.path)} would exceed maxBytes (${this.maxBytes}): seal, archive it and start a new journal, or raise maxBytes`,
        { details: { size: this.size, maxBytes: this.maxBytes } },
      );
    }
    try {
      let written = 0;
      while (written < frame.length) {
        const r = await fh.write(frame, written, frame.length - written, this.size + written);
        written += r.bytesWritten;
      }
      await fh.datasync();
      this.syncs++;
    } catch (e) {
      // Cut the partial frame so the next append does not land after garbage.
      try {
        await fh.truncate(this.size);
        await fh.datasync();
      } catch (e2) {
        this.broken = new MedanchorError(
          'JOURNAL_BROKEN',
          `journal ${basename(this.path)} could not be repaired after a failed write: close it and reopen (recovery cuts the partial frame)`,
          { cause: e2 },
        );
      }
      throw writeError(this.path, e);
    }
    this.size += frame.length;
  }

  async close(): Promise<void> {
    await this.tail;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }
}

/** fsync a directory so a rename in it is durable (no-op where directories cannot be opened). */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  } finally {
    await fh?.close();
  }
}

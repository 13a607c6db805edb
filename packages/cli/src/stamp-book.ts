import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { StampEntry } from './workspace.js';

/**
 * One stamp as `stamps.jsonl` keeps it: the file and its receipt are relative to the
 * data directory's parent (the project folder), so a project moved or restored
 * elsewhere keeps working. Files outside that folder keep absolute paths.
 */
export interface StampLine {
  /** The idempotency key the record was added with: `stamp:<path>@<digest>`. */
  key: string;
  /** The stamped file. */
  path: string;
  /** SHA-256 of its content at stamping, hex. */
  digest: string;
  /** Where its receipt is written. */
  receipt: string;
  /** Its leaf, once sequenced. */
  leaf?: number;
  /**
   * The record id it was added under, when not `path`: a consent revocation is stamped as
   * the next version of its grant's record, so the head map orders it after the grant.
   */
  record?: string;
  /** A signed consent grant or revocation, by the grant's hash (hex), as stamp read it. */
  consent?: { kind: 'grant' | 'revocation'; grant: string };
}

/** The record id a stamp was added under: its file's path unless it names another. */
export const recordOf = (line: StampLine): string => line.record ?? line.path;

/** The key a stamp of `path` (relative form) with `digest` (hex) is added under. */
export const stampKey = (path: string, digest: string) => `stamp:${path}@${digest}`;

/** The stamps of a data directory, by key, with the file's paths made absolute. */
export class StampBook {
  /** The project folder paths are relative to (the data directory's parent). */
  readonly base: string;
  private readonly file: string;
  private readonly byKey = new Map<string, StampLine>();
  private lines = 0;

  /**
   * Reads `stamps.jsonl`; a line torn by a crash is skipped, and with `repair` (only
   * for the one process that holds the data directory) cut off so the next append
   * starts a clean line.
   */
  constructor(dataDir: string, options: { repair?: boolean } = {}) {
    this.base = dirname(dataDir);
    this.file = join(dataDir, 'stamps.jsonl');
    if (!existsSync(this.file)) return;
    const text = readFileSync(this.file, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (options.repair === true && end < text.length)
      truncateSync(this.file, Buffer.byteLength(text.slice(0, end)));
    for (const line of text.slice(0, end).split('\n')) {
      if (line.trim() === '') continue;
      this.lines++;
      let o: Partial<StampLine>;
      try {
        o = JSON.parse(line) as Partial<StampLine>;
      } catch {
        continue; // torn by a crash: the record is in the store under its key
      }
      if (typeof o.key !== 'string' || typeof o.path !== 'string') continue;
      const old = this.byKey.get(o.key);
      this.byKey.set(o.key, { ...old, ...(o as StampLine) });
    }
  }

  /** The relative form of an absolute file path (absolute when outside the project). */
  relative(abs: string): string {
    const rel = relative(this.base, abs);
    return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  }

  /** The absolute path of a stored path. */
  absolute(path: string): string {
    return resolve(this.base, path);
  }

  /** Every stamp. */
  all(): StampLine[] {
    return [...this.byKey.values()];
  }

  /** The stamp added under `key`. */
  get(key: string): StampLine | undefined {
    return this.byKey.get(key);
  }

  /** How many different contents of this file were stamped before. */
  versionsOf(path: string): number {
    let n = 0;
    for (const s of this.byKey.values()) if (s.path === path) n++;
    return n;
  }

  /** Stamps by leaf with absolute paths, in the shape receipt writers take. */
  byLeaf(): Map<number, StampEntry & { receipt: string }> {
    const out = new Map<number, StampEntry & { receipt: string }>();
    for (const s of this.byKey.values()) {
      if (s.leaf === undefined) continue;
      out.set(s.leaf, {
        leaf: s.leaf,
        path: this.absolute(s.path),
        digest: s.digest,
        receipt: this.absolute(s.receipt),
      });
    }
    return out;
  }

  /** Records stamps durably (appended and synced) before the command reports them. */
  record(lines: readonly StampLine[]): void {
    if (lines.length === 0) return;
    for (const l of lines) this.byKey.set(l.key, { ...this.byKey.get(l.key), ...l });
    this.lines += lines.length;
    appendFileSync(this.file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  }

  /**
   * Erasure: drops every stamp of the record `path` (relative form: the file's own stamps
   * and those added under its record id) and rewrites the file at once, atomically, so no
   * line of theirs is left in it. Returns the dropped stamps.
   */
  remove(path: string): StampLine[] {
    const gone = this.all().filter((l) => recordOf(l) === path);
    if (gone.length === 0) return [];
    for (const l of gone) this.byKey.delete(l.key);
    this.compact();
    return gone;
  }

  /** True when the file holds more lines than stamps (superseded or torn ones). */
  get needsCompaction(): boolean {
    return this.lines > this.byKey.size;
  }

  /**
   * Rewrites `stamps.jsonl` with one line per stamp, atomically (temporary file, fsync,
   * rename): a crash leaves the old file or the new one.
   */
  compact(): void {
    const temp = `${this.file}.compact`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(
        fd,
        this.all()
          .map((l) => `${JSON.stringify(l)}\n`)
          .join(''),
      );
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
    this.lines = this.byKey.size;
  }
}

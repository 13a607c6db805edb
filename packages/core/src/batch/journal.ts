import { MedanchorError } from '../errors.js';

/**
 * Durable, append-only storage of opaque entries: what makes a batcher survive a
 * crash. The batcher writes one group of entries per call and acknowledges the
 * records of the group only after `append` resolves.
 *
 * Implementations: {@link MemoryJournal} (browsers and tests; durable only for the
 * life of the object) and `FileJournal` from `@medanchor/core/node` (fsync'd file).
 */
export interface Journal {
  /**
   * Reads every complete entry in append order, repairing a torn tail. Called once,
   * before the first `append`.
   * @throws {@link MedanchorError} `JOURNAL_CORRUPT` when data before the tail is damaged.
   */
  open(): Promise<Uint8Array[]>;
  /**
   * Appends `entries` (each non-empty) as one group and resolves once all of them are
   * durable. If it rejects, the caller must not acknowledge the group; the journal
   * stays appendable (a crash may still leave part of an unacknowledged group behind).
   * @throws {@link MedanchorError} `JOURNAL_FULL` when there is no room for the group.
   */
  append(entries: readonly Uint8Array[]): Promise<void>;
  /** Releases the underlying resources. */
  close(): Promise<void>;
}

/** Options of {@link MemoryJournal}. */
export interface MemoryJournalOptions {
  /** Refuse appends beyond this many entries with `JOURNAL_FULL` (default: no limit). */
  maxEntries?: number;
}

/**
 * A journal in memory. Reopening the same object (a new batcher over it) sees every
 * entry appended before, which is how tests simulate a restart without files.
 */
export class MemoryJournal implements Journal {
  /** Durable writes made (one per `append` call). */
  writes = 0;
  private readonly entries: Uint8Array[] = [];
  private readonly maxEntries: number;

  constructor(options: MemoryJournalOptions = {}) {
    this.maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
  }

  /** Number of entries held. */
  get length(): number {
    return this.entries.length;
  }

  async open(): Promise<Uint8Array[]> {
    return this.entries.map((e) => e.slice());
  }

  async append(entries: readonly Uint8Array[]): Promise<void> {
    if (this.entries.length + entries.length > this.maxEntries) {
      throw new MedanchorError(
        'JOURNAL_FULL',
        `the journal holds at most ${this.maxEntries} entries: seal and start a new journal, or raise maxEntries`,
        { details: { maxEntries: this.maxEntries } },
      );
    }
    for (const e of entries) {
      if (!(e instanceof Uint8Array) || e.length === 0) {
        throw new MedanchorError('INVALID_TYPE', 'journal entries must be non-empty Uint8Arrays');
      }
    }
    for (const e of entries) this.entries.push(e.slice());
    this.writes++;
  }

  async close(): Promise<void> {}
}

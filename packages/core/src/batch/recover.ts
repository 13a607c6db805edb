import { computeCommitment, type RecordCommitment } from '../commitment/index.js';
import { MedanchorError } from '../errors.js';
import { EMPTY_ROOT } from '../merkle/index.js';
import type { BatchJournalEntry } from './journal-entry.js';

/** What a batcher journal says, replayed. */
export interface RecoveredJournal {
  /** Every record in journal order: record k is log leaf k. */
  readonly records: RecordCommitment[];
  /** Log size at the last seal (0 if none). */
  readonly sealedSize: number;
  /** Root at the last seal. */
  readonly sealedRoot: Uint8Array;
  /** Log size before the last seal: the last sealed batch is `[previousSealedSize, sealedSize)`. */
  readonly previousSealedSize: number;
}

/**
 * Replays decoded journal entries: checks the origin entry and that seals only grow
 * and never cover records that are not in the journal.
 * @throws {@link MedanchorError} `JOURNAL_ORIGIN_MISMATCH` or `JOURNAL_CORRUPT`.
 */
export function recoverJournal(
  entries: readonly BatchJournalEntry[],
  origin: string,
): RecoveredJournal {
  const first = entries[0];
  if (first?.kind !== 'origin') {
    throw new MedanchorError(
      'JOURNAL_CORRUPT',
      'the journal does not start with its origin entry: it is not a batcher journal; restore it from a backup',
    );
  }
  if (first.origin !== origin) {
    throw new MedanchorError(
      'JOURNAL_ORIGIN_MISMATCH',
      'this journal belongs to another log origin: open it with its own origin or use a new journal',
      { details: { expected: origin } },
    );
  }
  const records: RecordCommitment[] = [];
  let sealedSize = 0;
  let sealedRoot = EMPTY_ROOT;
  let previousSealedSize = 0;
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.kind === 'record') {
      records.push({
        salt: e.salt,
        digest: e.digest,
        commitment: computeCommitment(e.salt, e.digest),
      });
    } else if (e.kind === 'seal') {
      if (e.size < sealedSize || e.size > records.length) {
        throw new MedanchorError(
          'JOURNAL_CORRUPT',
          `journal entry ${i} seals ${e.size} records but ${records.length} were journaled (last seal ${sealedSize}): restore the journal from a backup`,
          { details: { entry: i } },
        );
      }
      previousSealedSize = sealedSize;
      sealedSize = e.size;
      sealedRoot = e.root;
    } else {
      throw new MedanchorError('JOURNAL_CORRUPT', `journal entry ${i} is a second origin entry`, {
        details: { entry: i },
      });
    }
  }
  return { records, sealedSize, sealedRoot, previousSealedSize };
}

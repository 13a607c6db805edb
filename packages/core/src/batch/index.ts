export {
  type AcceptedRecord,
  type Batcher,
  type BatcherOptions,
  openBatcher,
  type SealedBatch,
} from './batcher.js';
export { type Journal, MemoryJournal, type MemoryJournalOptions } from './journal.js';
export {
  type BatchJournalEntry,
  decodeJournalEntry,
  encodeJournalEntry,
  type OriginEntry,
  type RecordEntry,
  type SealEntry,
} from './journal-entry.js';
export {
  type BatchPolicy,
  DEFAULT_MAX_RECORDS,
  type ResolvedBatchPolicy,
  resolveBatchPolicy,
} from './policy.js';
export { type RecoveredJournal, recoverJournal } from './recover.js';

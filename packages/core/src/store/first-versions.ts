// The argument check every store's firstVersions makes (memory, file, PostgreSQL).
import { MedanchorError } from '../errors.js';

/**
 * Throws `INVALID_ARGUMENT` unless `recordIds` is an array of strings: the check every
 * `LedgerStore.firstVersions` makes before it reads anything.
 */
export function checkRecordIds(recordIds: unknown): asserts recordIds is readonly string[] {
  if (!Array.isArray(recordIds) || !recordIds.every((id) => typeof id === 'string'))
    throw new MedanchorError('INVALID_ARGUMENT', 'record ids must be an array of strings');
}

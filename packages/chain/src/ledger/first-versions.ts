// The first leaf of many record ids at once (LedgerStore.firstVersions), with the per-id
// fallback for a store that does not have the batch method (a third-party store).
import { checkRecordIds, type LedgerStore, MedanchorError } from '@medanchor/core';

// Per-id lookups in flight when a store has no batch form (a remote store overlaps them).
const FALLBACK_LOOKUPS = 32;

/**
 * The first leaf index of each record id, in the order given (`undefined` for an id with
 * no sequenced leaf): `store.firstVersions` when the store has it, otherwise
 * `store.versions` per id, a few at a time. Both give the same answer.
 * @throws MedanchorError `INVALID_ARGUMENT` unless `recordIds` is an array of strings; the
 * store's errors.
 */
export async function firstVersionsOf(
  store: LedgerStore,
  recordIds: readonly string[],
): Promise<(number | undefined)[]> {
  checkRecordIds(recordIds);
  if (typeof store.firstVersions === 'function') {
    const out = await store.firstVersions(recordIds);
    if (!Array.isArray(out) || out.length !== recordIds.length)
      throw new MedanchorError(
        'STORE_CORRUPT',
        `the store answered firstVersions with ${Array.isArray(out) ? out.length : 'no'} entries for ${recordIds.length} record ids`,
      );
    return out;
  }
  const out: (number | undefined)[] = new Array(recordIds.length);
  let next = 0;
  const worker = async () => {
    while (next < recordIds.length) {
      const i = next++;
      out[i] = (await store.versions(recordIds[i]!))[0];
    }
  };
  await Promise.all(Array.from({ length: Math.min(FALLBACK_LOOKUPS, recordIds.length) }, worker));
  return out;
}

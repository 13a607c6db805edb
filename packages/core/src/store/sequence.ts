import { MedanchorError } from '../errors.js';
import { HASH_SIZE, leafHashes32 } from '../merkle/hash.js';
import { tilesForAppend } from './tiles.js';
import { TileTree } from './tree.js';
import type {
  IntegrateBatch,
  Lease,
  LedgerStore,
  PendingRecord,
  StoredCheckpoint,
} from './types.js';

/**
 * The {@link IntegrateBatch} that appends `records` to a log of `size` leaves: leaf
 * hashes of their commitments and every tile that changes.
 */
export async function prepareIntegration(
  store: Pick<LedgerStore, 'readTile'>,
  size: number,
  records: readonly PendingRecord[],
): Promise<IntegrateBatch> {
  const packed = new Uint8Array(records.length * HASH_SIZE);
  records.forEach((r, i) => {
    packed.set(r.commitment, i * HASH_SIZE);
  });
  const tiles = await tilesForAppend(
    (l, i, w) => store.readTile(l, i, w),
    size,
    leafHashes32(packed, records.length),
  );
  return { firstIndex: size, leaves: records, tiles };
}

/** What {@link sequencePending} did. */
export interface SequenceResult {
  /** Index of the first leaf it made. */
  readonly firstIndex: number;
  /** Number of leaves it made (0 when nothing was pending). */
  readonly count: number;
}

/**
 * One step of a sequencer: takes up to `limit` pending records, oldest first, and
 * integrates them as the next leaves of the log.
 * @throws {@link MedanchorError} `STORE_LEASE_LOST` or `STORE_CONFLICT` from the store.
 */
export async function sequencePending(
  store: LedgerStore,
  lease: Lease,
  limit: number,
): Promise<SequenceResult> {
  const records = await store.readPending(limit);
  const size = await store.size();
  if (records.length === 0) return { firstIndex: size, count: 0 };
  await store.integrate(lease, await prepareIntegration(store, size, records));
  return { firstIndex: size, count: records.length };
}

/**
 * Seals the log at its current size: computes the root from the tiles and stores the
 * checkpoint. Returns the latest checkpoint unchanged when nothing was added since,
 * and `undefined` while the log is empty.
 * @throws {@link MedanchorError} `STORE_LEASE_LOST` from the store.
 */
export async function sealCheckpoint(
  store: LedgerStore,
  lease: Lease,
  note?: Uint8Array,
): Promise<StoredCheckpoint | undefined> {
  const size = await store.size();
  const latest = await store.latestCheckpoint();
  if (size === 0) return undefined;
  if (latest !== undefined && latest.size === size) return latest;
  const root = await new TileTree((l, i, w) => store.readTile(l, i, w), size).root();
  const cp: StoredCheckpoint = {
    origin: store.origin,
    size,
    root,
    ...(note === undefined ? {} : { note }),
  };
  await store.putCheckpoint(lease, cp);
  return cp;
}

/** A tree reader over a store's tiles at `size` (default the latest checkpoint's size). */
export async function storeTree(store: LedgerStore, size?: number): Promise<TileTree> {
  let n = size;
  if (n === undefined) {
    const cp = await store.latestCheckpoint();
    if (cp === undefined) {
      throw new MedanchorError('STORE_NOT_SEALED', 'the log has no checkpoint yet: seal first');
    }
    n = cp.size;
  }
  return new TileTree((l, i, w) => store.readTile(l, i, w), n);
}

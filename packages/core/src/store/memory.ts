import { equalBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { assertOrigin } from '../receipt/checkpoint.js';
import { checkCheckpoint } from './checkpoints.js';
import { checkRecordIds } from './first-versions.js';
import { checkLeafIndex, forgetInMemory, tombstoneOf } from './forget.js';
import { checkTile, tileWidth } from './tiles.js';
import { treeRoot } from './tree.js';
import {
  type IntegrateBatch,
  LEDGER_STORE_SCHEMA,
  type LeafRecord,
  type Lease,
  type LedgerStore,
  type LoadAnchorsOptions,
  type PendingAck,
  type PendingInput,
  type PendingRecord,
  type StoredAnchor,
  type StoredCheckpoint,
} from './types.js';
import {
  anchorStateJson,
  checkAnchorDigest,
  checkLeaseRequest,
  checkRangeArgs,
  leaseLost,
  preparePending,
  storeClosed,
} from './validate.js';

/** Options of {@link memoryLedgerStore}. */
export interface MemoryLedgerStoreOptions {
  /** The log's name (checkpoint origin). */
  origin: string;
  /** Clock in milliseconds since the epoch, for lease expiry (default `Date.now`). */
  now?: () => number;
}

/**
 * A {@link LedgerStore} in memory: durable for the life of the object. For browsers,
 * tests and short-lived tools. Layout version {@link LEDGER_STORE_SCHEMA}.
 *
 * @example
 * ```ts
 * const store = memoryLedgerStore({ origin: 'clinic.example/ledger' });
 * const [ack] = await store.addPending([{ salt: newSalt(), digest: sha256(bytes), key: 'obs-1@1' }]);
 * ```
 */
export function memoryLedgerStore(options: MemoryLedgerStoreOptions): LedgerStore {
  assertOrigin(options?.origin);
  const origin = options.origin;
  const now = options.now ?? Date.now;
  let closed = false;
  let nextPending = 1;
  const pending = new Map<string, PendingRecord>(); // insertion order = ack order
  const acks = new Map<string, PendingAck>(); // key -> first ack
  const leaves: LeafRecord[] = [];
  const byKey = new Map<string, number>();
  const byRecord = new Map<string, number[]>();
  const tiles = new Map<string, Uint8Array>();
  const checkpoints: StoredCheckpoint[] = [];
  const anchors = new Map<string, { json: string; final: boolean }>();
  let lease: { owner: string; token: number; expiresAt: number; released: boolean } | undefined;
  let lastToken = 0;

  const open = () => {
    if (closed) throw storeClosed();
  };
  const fenced = (l: Lease) => {
    open();
    if (lease === undefined || lease.released || l?.token !== lease.token) throw leaseLost(l);
  };
  const readTile = async (level: number, index: number, width: number) => {
    open();
    const have = tileWidth(leaves.length, level, index);
    const t = tiles.get(`${level}/${index}`);
    if (!Number.isSafeInteger(width) || width < 1 || width > have || t === undefined) {
      throw new MedanchorError(
        'STORE_RANGE',
        `tile ${level}/${index} has ${have} hashes at size ${leaves.length}, not ${width}`,
      );
    }
    return t.slice(0, width * 32);
  };

  const store: LedgerStore = {
    origin,
    async addPending(items: readonly PendingInput[]) {
      open();
      const prepared = preparePending(items);
      return prepared.map((p) => {
        const first = p.key === undefined ? undefined : acks.get(p.key);
        if (first !== undefined) return { ...first, duplicateOf: first };
        const pendingId = String(nextPending++);
        pending.set(pendingId, { pendingId, ...p });
        const ack: PendingAck = { pendingId, commitment: p.commitment.slice() };
        if (p.key !== undefined) acks.set(p.key, ack);
        return ack;
      });
    },
    async pendingCount() {
      open();
      return pending.size;
    },
    async readPending(limit: number) {
      open();
      checkRangeArgs(0, limit);
      const out: PendingRecord[] = [];
      for (const p of pending.values()) {
        if (out.length >= limit) break;
        out.push(p);
      }
      return out;
    },
    async acquireLease(owner: string, ttlMs: number) {
      open();
      checkLeaseRequest(owner, ttlMs);
      const t = now();
      const live = lease !== undefined && !lease.released && lease.expiresAt > t;
      if (live && lease!.owner !== owner) return undefined;
      if (live) {
        lease!.expiresAt = t + ttlMs;
      } else {
        lease = { owner, token: ++lastToken, expiresAt: t + ttlMs, released: false };
      }
      return { owner, token: lease!.token, expiresAt: lease!.expiresAt };
    },
    async renewLease(l: Lease, ttlMs: number) {
      fenced(l);
      checkLeaseRequest(l.owner, ttlMs);
      lease!.expiresAt = now() + ttlMs;
      return { owner: lease!.owner, token: lease!.token, expiresAt: lease!.expiresAt };
    },
    async releaseLease(l: Lease) {
      open();
      if (lease !== undefined && l?.token === lease.token) lease.released = true;
    },
    async integrate(l: Lease, batch: IntegrateBatch) {
      fenced(l);
      if (batch.firstIndex !== leaves.length) {
        throw new MedanchorError(
          'STORE_CONFLICT',
          `integrate starts at leaf ${batch.firstIndex} but the log has ${leaves.length}: another sequencer moved on; read the size again`,
          { details: { firstIndex: batch.firstIndex, size: leaves.length } },
        );
      }
      for (const p of batch.leaves) {
        if (!pending.has(p.pendingId)) {
          throw new MedanchorError(
            'STORE_CONFLICT',
            `pending record ${p.pendingId} is not pending (already sequenced?)`,
          );
        }
      }
      for (const t of batch.tiles) checkTile(t);
      // Checked: now apply, nothing below throws.
      for (const p of batch.leaves) {
        const stored = pending.get(p.pendingId)!;
        pending.delete(p.pendingId);
        const index = leaves.length;
        leaves.push({ ...stored, index });
        if (stored.key !== undefined) byKey.set(stored.key, index);
        if (stored.recordId !== undefined) {
          const list = byRecord.get(stored.recordId) ?? [];
          list.push(index);
          byRecord.set(stored.recordId, list);
        }
      }
      for (const t of batch.tiles) tiles.set(`${t.level}/${t.index}`, t.hashes.slice());
    },
    async size() {
      open();
      return leaves.length;
    },
    readTile,
    async readLeaves(start: number, count: number) {
      open();
      checkRangeArgs(start, count);
      if (start + count > leaves.length) {
        throw new MedanchorError(
          'STORE_RANGE',
          `leaves [${start}, ${start + count}) pass the log size ${leaves.length}`,
        );
      }
      return leaves.slice(start, start + count);
    },
    async leafByKey(key: string) {
      open();
      const i = byKey.get(key);
      return i === undefined ? undefined : leaves[i];
    },
    async versions(recordId: string) {
      open();
      return [...(byRecord.get(recordId) ?? [])];
    },
    async firstVersions(recordIds: readonly string[]) {
      open();
      checkRecordIds(recordIds);
      return recordIds.map((id) => byRecord.get(id)?.[0]);
    },
    async putCheckpoint(l: Lease, cp: StoredCheckpoint) {
      fenced(l);
      const latest = checkpoints[checkpoints.length - 1];
      if (checkCheckpoint(origin, cp, latest, leaves.length) === 'same') return;
      const root = await treeRoot(readTile, cp.size);
      if (!equalBytes(root, cp.root)) {
        throw new MedanchorError(
          'STORE_CONFLICT',
          `the checkpoint root is not the log's root at size ${cp.size}`,
        );
      }
      fenced(l);
      checkpoints.push({
        origin,
        size: cp.size,
        root: cp.root.slice(),
        ...(cp.note === undefined ? {} : { note: cp.note.slice() }),
      });
    },
    async latestCheckpoint() {
      open();
      return checkpoints[checkpoints.length - 1];
    },
    async checkpointCovering(leafIndex: number) {
      open();
      // Sizes increase: binary search for the first size > leafIndex.
      let lo = 0;
      let hi = checkpoints.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (checkpoints[mid]!.size > leafIndex) hi = mid;
        else lo = mid + 1;
      }
      return checkpoints[lo];
    },
    async loadAnchors(filter: LoadAnchorsOptions = {}) {
      open();
      const out: StoredAnchor[] = [];
      for (const [digest, a] of anchors) {
        if (filter.final !== undefined && a.final !== filter.final) continue;
        out.push({ digest, state: JSON.parse(a.json), final: a.final });
      }
      return out;
    },
    async loadAnchor(digest: string) {
      open();
      checkAnchorDigest(digest);
      const a = anchors.get(digest);
      return a === undefined ? undefined : { digest, state: JSON.parse(a.json), final: a.final };
    },
    async saveAnchor(l: Lease, digest: string, state: unknown, final: boolean) {
      fenced(l);
      checkAnchorDigest(digest);
      const json = anchorStateJson(state);
      anchors.set(digest, { json, final: final === true });
    },
    async forget(recordId: string, at: number) {
      open();
      return forgetInMemory({ pending, leaves, byKey, byRecord, acks }, recordId, at);
    },
    async tombstone(index: number) {
      open();
      checkLeafIndex(index);
      const leaf = leaves[index];
      return leaf === undefined ? undefined : tombstoneOf(leaf);
    },
    async close() {
      closed = true;
    },
  };
  void LEDGER_STORE_SCHEMA;
  return store;
}

import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { equalBytes } from '../../bytes.js';
import { MedanchorError } from '../../errors.js';
import { HASH_SIZE } from '../../merkle/hash.js';
import { assertOrigin } from '../../receipt/checkpoint.js';
import { checkCheckpoint } from '../../store/checkpoints.js';
import { checkRecordIds } from '../../store/first-versions.js';
import {
  checkForgetArgs,
  checkLeafIndex,
  forgetPendingError,
  forgottenLeaf,
  pendingHasRecord,
} from '../../store/forget.js';
import { checkTile, tileWidth } from '../../store/tiles.js';
import { treeRoot } from '../../store/tree.js';
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
  type StoredCheckpoint,
  TILE_WIDTH,
  type Tombstone,
} from '../../store/types.js';
import {
  anchorStateJson,
  checkAnchorDigest,
  checkLeaseRequest,
  checkRangeArgs,
  leaseLost,
  preparePending,
  storeClosed,
} from '../../store/validate.js';
import { AnchorFiles } from './anchors-file.js';
import { ioError, readAt, writeAll, writeFileAtomic } from './files.js';
import {
  type FileForgetAccess,
  FORGOTTEN_META_LENGTH,
  forgetLeaves,
  rawLeafAt,
  recoverForget,
} from './forget.js';
import { indexHash, KeyIndex, KIND_KEY, KIND_RECORD, packEntries } from './key-index.js';
import {
  CHECKPOINT_RECORD_BYTES,
  checkHeadFields,
  commitmentOf,
  decodeLeafRecord,
  decodeMeta,
  decodePendingEntry,
  emptyHead,
  encodeHead,
  encodeLeafRecord,
  encodeMeta,
  encodePendingEntry,
  HEAD_FILE,
  type Head,
  LEAF_RECORD_BYTES,
  parseHead,
} from './layout.js';
import { takeLock } from './lock.js';
import { PendingJournal } from './pending-journal.js';
import { type RecentLeaves, recentLeaves } from './recent-leaves.js';

/** Options of {@link openFileLedgerStore}. */
export interface FileLedgerStoreOptions {
  /** The log's name. A new store takes it; an existing one must have been made with it. */
  origin: string;
  /** Clock in milliseconds since the epoch, for lease expiry (default `Date.now`). */
  now?: () => number;
}

/** Counters of a file store, for monitoring and tests. */
export interface FileLedgerStoreStats {
  /** Pending journal segment files. */
  readonly journalSegments: number;
  /** fdatasync calls of the pending journal (one per group of adds). */
  readonly journalSyncs: number;
  /** Index segment files. */
  readonly indexSegments: number;
  /** Records read from the pending journal when the store was opened. */
  readonly pendingReadAtOpen: number;
}

/** The file ledger store: a {@link LedgerStore} in a directory, plus its counters. */
export interface FileLedgerStore extends LedgerStore {
  /** The store's directory. */
  readonly dir: string;
  /** Current counters. */
  stats(): FileLedgerStoreStats;
}

async function openRw(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
    return open(path, 'w+');
  }
}

async function readHead(dir: string): Promise<Head | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(dir, HEAD_FILE));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw ioError('head', e);
  }
  return parseHead(bytes);
}

function checkHead(head: Head, origin: string): void {
  if (head.schema !== LEDGER_STORE_SCHEMA) {
    throw new MedanchorError(
      'STORE_SCHEMA_UNKNOWN',
      `the ledger store was written with layout version ${head.schema}; this release reads version ${LEDGER_STORE_SCHEMA}: use a release that knows it`,
      { details: { schema: head.schema, known: LEDGER_STORE_SCHEMA } },
    );
  }
  checkHeadFields(head);
  if (head.origin !== origin) {
    throw new MedanchorError(
      'STORE_ORIGIN_MISMATCH',
      `the ledger store holds log "${head.origin}", not "${origin}": open it with its own origin or choose another directory`,
    );
  }
}

/**
 * Opens (creating if needed) the file ledger store in `dir`: the embedded
 * {@link LedgerStore} for one machine. Layout: docs/spec/storage.md.
 *
 * Opening is bounded, whatever the history: it reads the head, the latest checkpoint,
 * the anchors that are not final and the unsequenced tail of the pending journal;
 * leaves, tiles and the key index are read on demand. One process at a time holds the
 * store (a lock file; a lock left by a killed process is taken over); within it, any
 * number of concurrent `addPending` calls share one fdatasync per group.
 *
 * Crash safety: an add resolves only once its journal frame is synced; `integrate`
 * writes leaves, tiles and index first and the head (the size pointer) last, atomically,
 * so a crash at any point leaves the store at the state before or after it.
 *
 * @throws MedanchorError `STORE_ORIGIN_MISMATCH` (another origin),
 * `STORE_SCHEMA_UNKNOWN` (another layout version), `STORE_CORRUPT`, `STORE_LOCKED`
 * (held by a live process), `STORE_IO`. Nothing is written when opening is refused.
 *
 * @example
 * ```ts
 * const store = await openFileLedgerStore('/var/lib/medanchor/ledger', { origin: 'clinic.example/ledger' });
 * ```
 */
export async function openFileLedgerStore(
  dir: string,
  options: FileLedgerStoreOptions,
): Promise<FileLedgerStore> {
  assertOrigin(options?.origin);
  const origin = options.origin;
  const first = await readHead(dir);
  if (first !== undefined) checkHead(first, origin);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError('directory', e);
  }
  const unlock = await takeLock(join(dir, 'lock'));
  try {
    let head = await readHead(dir);
    if (head === undefined) {
      head = emptyHead(origin, LEDGER_STORE_SCHEMA);
      await writeFileAtomic(join(dir, HEAD_FILE), encodeHead(head));
    }
    checkHead(head, origin);
    return await FileStore.open(dir, head, unlock, options.now ?? Date.now);
  } catch (e) {
    await unlock();
    throw ioError('open', e);
  }
}

interface KeyAck {
  ack: PendingAck;
  durable: Promise<void>;
}

class FileStore implements FileLedgerStore {
  readonly origin: string;
  readonly dir: string;
  private head: Head;
  private readonly now: () => number;
  private readonly unlock: () => Promise<void>;
  private closed = false;
  private leaves!: FileHandle;
  private meta!: FileHandle;
  private cps!: FileHandle;
  private notes!: FileHandle;
  private readonly tiles: Promise<FileHandle>[] = [];
  private journal!: PendingJournal;
  private index!: KeyIndex;
  private anchors!: AnchorFiles;
  private recent = recentLeaves(); // replaced when it may be stale (a forget)
  private latest: StoredCheckpoint | undefined;
  private readonly pending = new Map<number, PendingRecord>();
  private readonly keyAcks = new Map<string, KeyAck>();
  private readonly inflight = new Map<number, number>(); // first id -> count
  private nextId = 1;
  private gen = 0; // bumped when sequenced keys move from keyAcks to the index
  private chain: Promise<unknown> = Promise.resolve();
  private lease: { owner: string; token: number; expiresAt: number; released: boolean } | undefined;
  private pendingReadAtOpen = 0;

  private constructor(dir: string, head: Head, unlock: () => Promise<void>, now: () => number) {
    this.dir = dir;
    this.origin = head.origin;
    this.head = head;
    this.unlock = unlock;
    this.now = now;
  }

  static async open(
    dir: string,
    head: Head,
    unlock: () => Promise<void>,
    now: () => number,
  ): Promise<FileStore> {
    const s = new FileStore(dir, head, unlock, now);
    try {
      s.leaves = await openRw(join(dir, 'leaves.bin'));
      s.meta = await openRw(join(dir, 'leafmeta.bin'));
      s.cps = await openRw(join(dir, 'checkpoints.bin'));
      s.notes = await openRw(join(dir, 'notes.bin'));
      await mkdir(join(dir, 'tiles'), { recursive: true });
      if (head.checkpoints > 0) s.latest = await s.readCheckpoint(head.checkpoints - 1);
      const { journal, entries } = await PendingJournal.open(
        join(dir, 'pending'),
        head.pendingBelow,
      );
      s.journal = journal;
      const done = new Set(head.pendingDone);
      let maxId = 0;
      for (const bytes of entries) {
        const e = decodePendingEntry(bytes);
        maxId = Math.max(maxId, e.id);
        if (e.id < head.pendingBelow || done.has(e.id)) continue;
        const rec: PendingRecord = {
          pendingId: String(e.id),
          salt: e.salt,
          digest: e.digest,
          commitment: commitmentOf(e.salt, e.digest),
          ...e.meta,
        };
        s.pending.set(e.id, rec);
        s.pendingReadAtOpen++;
        if (rec.key !== undefined) {
          s.keyAcks.set(rec.key, {
            ack: { pendingId: rec.pendingId, commitment: rec.commitment },
            durable: Promise.resolve(),
          });
        }
      }
      s.nextId = Math.max(head.pendingBelow, maxId + 1);
      s.index = await KeyIndex.open(join(dir, 'index'), head.index);
      s.anchors = await AnchorFiles.open(join(dir, 'anchors'));
      await recoverForget(s.forgetAccess()); // a forget a crash interrupted is finished first
    } catch (e) {
      await s.closeFiles();
      throw e;
    }
    return s;
  }

  stats(): FileLedgerStoreStats {
    return {
      journalSegments: this.journal.segmentCount,
      journalSyncs: this.journal.syncs,
      indexSegments: this.index.refs.length,
      pendingReadAtOpen: this.pendingReadAtOpen,
    };
  }

  private check(): void {
    if (this.closed) throw storeClosed();
  }

  // Runs head-changing work one at a time.
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      this.check();
      return fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private fenced(l: Lease): void {
    this.check();
    const cur = this.lease;
    if (cur === undefined || cur.released || l?.token !== cur.token) throw leaseLost(l);
  }

  private async writeHead(next: Head): Promise<void> {
    await writeFileAtomic(join(this.dir, HEAD_FILE), encodeHead(next));
    this.head = next;
  }

  // --- writers -------------------------------------------------------------------

  async addPending(items: readonly PendingInput[]): Promise<PendingAck[]> {
    this.check();
    const prepared = preparePending(items);
    // Keys not pending here may be sequenced: look them up in the index, again if an
    // integrate moved keys from memory to the index meanwhile.
    const sequenced = new Map<string, PendingAck>();
    for (;;) {
      const gen = this.gen;
      sequenced.clear();
      const keys = [...new Set(prepared.map((p) => p.key))].filter(
        (k): k is string => k !== undefined && !this.keyAcks.has(k),
      );
      for (const k of keys) {
        const [leaf] = await this.leavesWith(KIND_KEY, 'key', k);
        if (leaf !== undefined) {
          sequenced.set(k, { pendingId: leaf.pendingId, commitment: leaf.commitment });
        }
      }
      if (gen === this.gen) break;
    }
    this.check();
    // From here to the journal append nothing awaits: ids and keys are taken at once.
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const durable = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    durable.catch(() => undefined); // observed below; no unhandled rejection meanwhile
    const out: ({ fresh: PendingAck } | { seen: KeyAck })[] = [];
    const entries: Uint8Array[] = [];
    const fresh: PendingRecord[] = [];
    const firstId = this.nextId;
    const mine: string[] = [];
    for (const p of prepared) {
      if (p.key !== undefined) {
        const seen =
          this.keyAcks.get(p.key) ??
          (sequenced.has(p.key)
            ? { ack: sequenced.get(p.key)!, durable: Promise.resolve() }
            : undefined);
        if (seen !== undefined) {
          out.push({ seen });
          continue;
        }
      }
      const id = this.nextId++;
      const rec: PendingRecord = { pendingId: String(id), ...p };
      const ack: PendingAck = { pendingId: rec.pendingId, commitment: p.commitment.slice() };
      entries.push(encodePendingEntry(id, p));
      fresh.push(rec);
      if (p.key !== undefined) {
        this.keyAcks.set(p.key, { ack, durable });
        mine.push(p.key);
      }
      out.push({ fresh: ack });
    }
    if (entries.length > 0) {
      this.inflight.set(firstId, entries.length);
      try {
        await this.journal.append(entries, firstId);
      } catch (e) {
        for (const k of mine) this.keyAcks.delete(k);
        settle.reject(e);
        throw e;
      } finally {
        this.inflight.delete(firstId);
      }
      for (const r of fresh) this.pending.set(Number(r.pendingId), r);
    }
    settle.resolve();
    const acks: PendingAck[] = [];
    for (const o of out) {
      if ('fresh' in o) {
        acks.push(o.fresh);
      } else {
        await o.seen.durable;
        acks.push({ ...o.seen.ack, duplicateOf: o.seen.ack });
      }
    }
    return acks;
  }

  async pendingCount(): Promise<number> {
    this.check();
    return this.pending.size;
  }

  async readPending(limit: number): Promise<PendingRecord[]> {
    this.check();
    checkRangeArgs(0, limit);
    const out: PendingRecord[] = [];
    for (const p of this.pending.values()) {
      if (out.length >= limit) break;
      out.push(p);
    }
    return out;
  }

  // --- lease ---------------------------------------------------------------------

  acquireLease(owner: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseRequest(owner, ttlMs);
    return this.exclusive(async () => {
      const t = this.now();
      const cur = this.lease;
      const live = cur !== undefined && !cur.released && cur.expiresAt > t;
      if (live && cur.owner !== owner) return undefined;
      if (live) {
        cur.expiresAt = t + ttlMs;
        return { owner, token: cur.token, expiresAt: cur.expiresAt };
      }
      const token = this.head.leaseToken + 1;
      // The token is durable before anyone can use it: a restart never hands it out again.
      await this.writeHead({ ...this.head, leaseToken: token });
      this.lease = { owner, token, expiresAt: t + ttlMs, released: false };
      return { owner, token, expiresAt: t + ttlMs };
    });
  }

  async renewLease(l: Lease, ttlMs: number): Promise<Lease> {
    this.fenced(l);
    checkLeaseRequest(l.owner, ttlMs);
    const cur = this.lease!;
    cur.expiresAt = this.now() + ttlMs;
    return { owner: cur.owner, token: cur.token, expiresAt: cur.expiresAt };
  }

  async releaseLease(l: Lease): Promise<void> {
    this.check();
    if (this.lease !== undefined && l?.token === this.lease.token) this.lease.released = true;
  }

  // --- sequencing ----------------------------------------------------------------

  integrate(l: Lease, batch: IntegrateBatch): Promise<void> {
    return this.exclusive(async () => {
      this.fenced(l);
      const size = this.head.size;
      if (batch?.firstIndex !== size) {
        throw new MedanchorError(
          'STORE_CONFLICT',
          `integrate starts at leaf ${batch?.firstIndex} but the log has ${size}: read the size again`,
          { details: { firstIndex: String(batch?.firstIndex), size } },
        );
      }
      const ids: number[] = [];
      const seen = new Set<number>();
      for (const p of batch.leaves) {
        const id = Number(p?.pendingId);
        if (!this.pending.has(id) || seen.has(id)) {
          throw new MedanchorError(
            'STORE_CONFLICT',
            `pending record ${String(p?.pendingId)} is not pending (already sequenced?)`,
          );
        }
        ids.push(id);
        seen.add(id);
      }
      const newSize = size + ids.length;
      for (const t of batch.tiles) {
        checkTile(t);
        if (t.hashes.length / HASH_SIZE !== tileWidth(newSize, t.level, t.index)) {
          throw new MedanchorError(
            'INVALID_ARGUMENT',
            `tile ${t.level}/${t.index} must hold its full contents at the new size ${newSize}`,
          );
        }
      }
      if (ids.length === 0) return;
      const records = ids.map((id) => this.pending.get(id)!);
      let hashes: (Uint8Array | undefined)[];
      try {
        hashes = await this.writeBatch(size, records, batch);
      } catch (e) {
        this.recent = recentLeaves(); // the head may have moved past what it holds
        throw ioError('integrate', e);
      }
      this.recent.add(size, records, hashes);
      this.afterIntegrate(ids, records);
      await this.compact().catch(() => undefined); // best effort: retried after the next batch
    });
  }

  // Leaves, meta, tiles and index first (each synced), the head last: a crash before
  // the head leaves bytes past the old size that the next integrate overwrites. Returns
  // each record's record-id index hash.
  private async writeBatch(size: number, records: PendingRecord[], batch: IntegrateBatch) {
    const leafBytes = new Uint8Array(records.length * LEAF_RECORD_BYTES);
    const metas: Uint8Array[] = [];
    const entries: { hash: Uint8Array; leaf: number }[] = [];
    const hashes: (Uint8Array | undefined)[] = new Array(records.length);
    let metaAt = this.head.metaBytes;
    records.forEach((r, i) => {
      const m = encodeMeta(r);
      encodeLeafRecord(
        leafBytes,
        i * LEAF_RECORD_BYTES,
        r.salt,
        r.digest,
        Number(r.pendingId),
        m.length > 0 ? metaAt : 0,
        m.length,
      );
      metas.push(m);
      metaAt += m.length;
      if (r.key !== undefined) entries.push({ hash: indexHash(KIND_KEY, r.key), leaf: size + i });
      if (r.recordId !== undefined) {
        hashes[i] = indexHash(KIND_RECORD, r.recordId);
        entries.push({ hash: hashes[i]!, leaf: size + i });
      }
    });
    const metaBytes = new Uint8Array(metaAt - this.head.metaBytes);
    let o = 0;
    for (const m of metas) {
      metaBytes.set(m, o);
      o += m.length;
    }
    await writeAll(this.leaves, leafBytes, size * LEAF_RECORD_BYTES);
    if (metaBytes.length > 0) await writeAll(this.meta, metaBytes, this.head.metaBytes);
    const touched = new Set<FileHandle>([this.leaves]);
    if (metaBytes.length > 0) touched.add(this.meta);
    for (const t of batch.tiles) {
      const fh = await this.tileFile(t.level);
      await writeAll(fh, t.hashes, t.index * TILE_WIDTH * HASH_SIZE);
      touched.add(fh);
    }
    await Promise.all([...touched].map((fh) => fh.datasync()));
    let index = this.index.refs;
    if (entries.length > 0) {
      index = await this.index.write(size, size + records.length, packEntries(entries));
    }
    // Every id below `below` is no longer pending: the smallest id still pending or
    // still being written bounds it.
    const taken = new Set(records.map((r) => Number(r.pendingId)));
    let below = this.nextId;
    for (const id of this.pending.keys()) {
      if (!taken.has(id)) {
        below = Math.min(below, id);
        break; // the map is in id order
      }
    }
    for (const id of this.inflight.keys()) below = Math.min(below, id);
    const doneSet = new Set([...this.head.pendingDone, ...records.map((r) => Number(r.pendingId))]);
    await this.writeHead({
      ...this.head,
      size: size + records.length,
      metaBytes: metaAt,
      pendingBelow: below,
      pendingDone: [...doneSet].filter((id) => id >= below).sort((a, b) => a - b),
      index,
    });
    await this.index.adopt(index);
    return hashes;
  }

  private afterIntegrate(ids: number[], records: PendingRecord[]): void {
    this.gen++;
    for (const id of ids) this.pending.delete(id);
    for (const r of records) if (r.key !== undefined) this.keyAcks.delete(r.key);
  }

  private async compact(): Promise<void> {
    await this.journal.compact(this.head.pendingBelow);
    for (;;) {
      const plan = await this.index.planMerge();
      if (plan === undefined) return;
      await this.writeHead({ ...this.head, index: plan });
      await this.index.adopt(plan);
    }
  }

  // One handle per level, also when concurrent reads ask for it at once.
  private tileFile(level: number): Promise<FileHandle> {
    let fh = this.tiles[level];
    if (fh === undefined) {
      fh = openRw(join(this.dir, 'tiles', `${level}.bin`));
      fh.catch(() => undefined);
      this.tiles[level] = fh;
    }
    return fh;
  }

  // --- reads ---------------------------------------------------------------------

  async size(): Promise<number> {
    this.check();
    return this.head.size;
  }

  readTile = async (level: number, index: number, width: number): Promise<Uint8Array> => {
    this.check();
    const size = this.head.size;
    const have =
      Number.isSafeInteger(level) && level >= 0 && Number.isSafeInteger(index) && index >= 0
        ? tileWidth(size, level, index)
        : 0;
    if (!Number.isSafeInteger(width) || width < 1 || width > have) {
      throw new MedanchorError(
        'STORE_RANGE',
        `tile ${level}/${index} has ${have} hashes at size ${size}, not ${width}`,
      );
    }
    try {
      return readAt(
        await this.tileFile(level),
        index * TILE_WIDTH * HASH_SIZE,
        width * HASH_SIZE,
        'tile',
      );
    } catch (e) {
      throw ioError('tile', e);
    }
  };

  async readLeaves(start: number, count: number): Promise<LeafRecord[]> {
    this.check();
    checkRangeArgs(start, count);
    if (start + count > this.head.size) {
      throw new MedanchorError(
        'STORE_RANGE',
        `leaves [${start}, ${start + count}) pass the log size ${this.head.size}`,
      );
    }
    if (count === 0) return [];
    // What the last integrates wrote is still in memory (a seal reads it back at once).
    const kept = this.recent.leaves(start, count);
    if (kept !== undefined) return kept;
    const bytes = readAt(
      this.leaves,
      start * LEAF_RECORD_BYTES,
      count * LEAF_RECORD_BYTES,
      'leaves',
    );
    const recs = Array.from({ length: count }, (_, i) =>
      decodeLeafRecord(bytes, i * LEAF_RECORD_BYTES),
    );
    // A forgotten record keeps its commitment where the digest was, its time as the offset.
    const live = (r: (typeof recs)[number]) => r.metaLength !== FORGOTTEN_META_LENGTH;
    let metaBase = Number.POSITIVE_INFINITY;
    let metaEnd = 0;
    for (const r of recs) {
      if (r.metaLength === 0 || !live(r)) continue;
      metaBase = Math.min(metaBase, r.metaOffset);
      metaEnd = Math.max(metaEnd, r.metaOffset + r.metaLength);
    }
    const metaBytes: Uint8Array =
      metaEnd > 0
        ? readAt(this.meta, metaBase, metaEnd - metaBase, 'leaf meta')
        : new Uint8Array(0);
    return recs.map((r, i) => {
      if (!live(r)) return forgottenLeaf(start + i, String(r.pendingId), r.digest, r.metaOffset);
      return {
        index: start + i,
        pendingId: String(r.pendingId),
        salt: r.salt,
        digest: r.digest,
        commitment: commitmentOf(r.salt, r.digest),
        ...(r.metaLength > 0
          ? decodeMeta(
              metaBytes.subarray(r.metaOffset - metaBase, r.metaOffset - metaBase + r.metaLength),
            )
          : {}),
      };
    });
  }

  // The leaves whose `field` is `text`, ascending, found through the index by its hash.
  private async leavesWith(
    kind: number,
    field: 'key' | 'recordId',
    text: string,
  ): Promise<LeafRecord[]> {
    const out: LeafRecord[] = [];
    for (const i of (await this.index.lookupMany([indexHash(kind, text)]))[0]!) {
      const [leaf] = i < this.head.size ? await this.readLeaves(i, 1) : [];
      if (leaf?.[field] === text) out.push(leaf);
    }
    return out;
  }

  async leafByKey(key: string): Promise<LeafRecord | undefined> {
    this.check();
    if (typeof key !== 'string') return undefined;
    return (await this.leavesWith(KIND_KEY, 'key', key))[0];
  }

  async versions(recordId: string): Promise<number[]> {
    this.check();
    if (typeof recordId !== 'string') return [];
    return (await this.leavesWith(KIND_RECORD, 'recordId', recordId)).map((l) => l.index);
  }

  async firstVersions(recordIds: readonly string[]): Promise<(number | undefined)[]> {
    this.check();
    checkRecordIds(recordIds);
    // A forget meanwhile may have erased a leaf the kept leaves named: asked again, the
    // files answer alone (a forget drops them).
    for (;;) {
      const recent = this.recent;
      const out = await this.firstVersionsFrom(recordIds, recent);
      if (recent === this.recent) return out;
    }
  }

  // An id's first leaf among the kept leaves of the last integrates is taken from memory
  // and only the index segments below them are searched (a seal's new records have no
  // earlier leaf, so mostly none is read).
  private async firstVersionsFrom(
    recordIds: readonly string[],
    recent: RecentLeaves,
  ): Promise<(number | undefined)[]> {
    const size = this.head.size;
    // Only while it holds the log's last leaves: else a leaf between would be missed.
    const cut = recent.cut(size);
    const hits = recordIds.map((id) => (cut < size ? recent.first(id) : undefined));
    const found = await this.index.lookupMany(
      recordIds.map((id, i) => hits[i]?.hash ?? indexHash(KIND_RECORD, id)),
      cut,
    );
    // Each id's candidates below `cut`, ascending, checked against the leaf's record id
    // (the index keys by a 16-byte hash): the first that is the id's own is its first
    // version; without one, its first among the kept leaves, if any.
    return hits.map((h, i) => {
      for (const leaf of found[i]!) if (this.recordIdAt(leaf) === recordIds[i]) return leaf;
      return h?.index;
    });
  }

  // The record id of a leaf (undefined when it has none or was forgotten), from its meta
  // bytes alone: no salt copies, no commitment hashing.
  private recordIdAt(i: number): string | undefined {
    const view = new DataView(readAt(this.leaves, i * LEAF_RECORD_BYTES + 72, 12, 'leaves').buffer);
    const length = view.getUint32(8);
    return length === 0 || length === FORGOTTEN_META_LENGTH
      ? undefined
      : decodeMeta(readAt(this.meta, Number(view.getBigUint64(0)), length, 'leaf meta')).recordId;
  }

  // --- checkpoints ---------------------------------------------------------------

  putCheckpoint(l: Lease, cp: StoredCheckpoint): Promise<void> {
    return this.exclusive(async () => {
      this.fenced(l);
      if (checkCheckpoint(this.origin, cp, this.latest, this.head.size) === 'same') return;
      const root = await treeRoot(this.readTile, cp.size);
      if (!equalBytes(root, cp.root)) {
        throw new MedanchorError(
          'STORE_CONFLICT',
          `the checkpoint root is not the log's root at size ${cp.size}`,
        );
      }
      const n = this.head.checkpoints;
      const note = cp.note ?? new Uint8Array(0);
      const rec = new Uint8Array(CHECKPOINT_RECORD_BYTES);
      const view = new DataView(rec.buffer);
      view.setBigUint64(0, BigInt(cp.size));
      rec.set(cp.root, 8);
      view.setBigUint64(40, BigInt(this.head.notesBytes));
      view.setUint32(48, cp.note === undefined ? 0xffffffff : note.length);
      try {
        await writeAll(this.cps, rec, n * CHECKPOINT_RECORD_BYTES);
        if (note.length > 0) await writeAll(this.notes, note, this.head.notesBytes);
        await Promise.all([this.cps.datasync(), this.notes.datasync()]);
        await this.writeHead({
          ...this.head,
          checkpoints: n + 1,
          notesBytes: this.head.notesBytes + note.length,
        });
      } catch (e) {
        throw ioError('checkpoint', e);
      }
      this.latest = {
        origin: this.origin,
        size: cp.size,
        root: cp.root.slice(),
        ...(cp.note === undefined ? {} : { note: note.slice() }),
      };
    });
  }

  private async readCheckpoint(i: number): Promise<StoredCheckpoint> {
    const rec = readAt(
      this.cps,
      i * CHECKPOINT_RECORD_BYTES,
      CHECKPOINT_RECORD_BYTES,
      'checkpoints',
    );
    const view = new DataView(rec.buffer);
    const noteAt = Number(view.getBigUint64(40));
    const noteLen = view.getUint32(48);
    const cp: StoredCheckpoint = {
      origin: this.origin,
      size: Number(view.getBigUint64(0)),
      root: rec.slice(8, 40),
    };
    if (noteLen === 0xffffffff) return cp;
    const note = noteLen === 0 ? new Uint8Array(0) : readAt(this.notes, noteAt, noteLen, 'notes');
    return { ...cp, note };
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    this.check();
    return this.latest;
  }

  async checkpointCovering(leafIndex: number): Promise<StoredCheckpoint | undefined> {
    this.check();
    const n = this.head.checkpoints;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const at = readAt(this.cps, mid * CHECKPOINT_RECORD_BYTES, 8, 'checkpoints');
      const size = Number(new DataView(at.buffer).getBigUint64(0));
      if (size > leafIndex) hi = mid;
      else lo = mid + 1;
    }
    return lo < n ? this.readCheckpoint(lo) : undefined;
  }

  // --- anchors -------------------------------------------------------------------

  async loadAnchors(options: LoadAnchorsOptions = {}) {
    this.check();
    return this.anchors.load(options.final);
  }

  async loadAnchor(digest: string) {
    this.check();
    checkAnchorDigest(digest);
    return this.anchors.get(digest);
  }

  saveAnchor(l: Lease, digest: string, state: unknown, final: boolean): Promise<void> {
    return this.exclusive(async () => {
      this.fenced(l);
      checkAnchorDigest(digest);
      await this.anchors.save(digest, anchorStateJson(state), final === true);
    });
  }

  // --- erasure (forget.ts) ---------------------------------------------------------

  async forget(recordId: string, at: number): Promise<Tombstone[]> {
    checkForgetArgs(recordId, at);
    return this.exclusive(async () => {
      const waiting = pendingHasRecord(this.pending.values(), recordId);
      if (waiting > 0) throw forgetPendingError(waiting);
      const raw = (await this.versions(recordId)).map((i) => rawLeafAt(this.leaves, i));
      const live = raw.filter((r) => r.live);
      if (live.length === 0) return [];
      this.recent = recentLeaves(); // leaves are rewritten: from here on the files answer
      return forgetLeaves(this.forgetAccess(), live, at);
    });
  }

  async tombstone(index: number): Promise<Tombstone | undefined> {
    this.check();
    checkLeafIndex(index);
    if (index >= this.head.size) return undefined;
    const [leaf] = await this.readLeaves(index, 1);
    return leaf?.forgottenAt === undefined
      ? undefined
      : { index, commitment: leaf.commitment, forgottenAt: leaf.forgottenAt };
  }

  private forgetAccess(): FileForgetAccess {
    return {
      dir: this.dir,
      leaves: this.leaves,
      meta: this.meta,
      journal: this.journal,
      head: () => this.head,
      writeHead: (next) => this.writeHead(next),
      reopenIndex: async (refs) => {
        const old = this.index;
        this.index = await KeyIndex.open(join(this.dir, 'index'), refs);
        await old.retire(); // lookups in flight finish on the old files
      },
    };
  }

  // --- close ---------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.closeFiles();
    await this.unlock();
  }

  private async closeFiles(): Promise<void> {
    await this.journal?.close().catch(() => undefined);
    await this.index?.close();
    await this.anchors?.close().catch(() => undefined);
    const tiles = await Promise.all(this.tiles.map((t) => t?.catch(() => undefined)));
    for (const fh of [this.leaves, this.meta, this.cps, this.notes, ...tiles]) {
      await fh?.close().catch(() => undefined);
    }
  }
}

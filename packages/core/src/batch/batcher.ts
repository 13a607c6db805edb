import { equalBytes } from '../bytes.js';
import { type CommitOptions, commitDigest, type RecordCommitment } from '../commitment/index.js';
import { MedanchorError } from '../errors.js';
import { leafHashes32, MerkleLog } from '../merkle/index.js';
import { assertOrigin, type Checkpoint, checkpointDigest } from '../receipt/checkpoint.js';
import { buildReceipts, type Receipt } from '../receipt/receipt.js';
import { sha256 } from '../sha256.js';
import type { Journal } from './journal.js';
import { decodeJournalEntry, encodeJournalEntry, type RecordEntry } from './journal-entry.js';
import { type BatchPolicy, type ResolvedBatchPolicy, resolveBatchPolicy } from './policy.js';
import { recoverJournal } from './recover.js';

/** A record the batcher has made durable: its commitment and its future place in the log. */
export interface AcceptedRecord extends RecordCommitment {
  /** Index the commitment will have in the log (known as soon as the record is durable). */
  readonly leafIndex: number;
}

/** What one seal produces. */
export interface SealedBatch {
  /** The new checkpoint of the log. */
  readonly checkpoint: Checkpoint;
  /** Its 32-byte tagged digest: the value to anchor. */
  readonly checkpointDigest: Uint8Array;
  /** Log index of the first record of the batch. */
  readonly firstIndex: number;
  /** One receipt per record of the batch, in log order. */
  readonly receipts: Receipt[];
}

/** Options of {@link openBatcher}. */
export interface BatcherOptions {
  /** Name of the log (stored in the journal; reopening with another origin fails). */
  origin: string;
  /** Where accepted records are made durable. */
  journal: Journal;
  /**
   * The Merkle log to seal into (default: a new in-memory log, rebuilt from the
   * journal on open). Use one with a persistent store for large logs.
   */
  log?: MerkleLog;
  /** When to seal on its own (default: every 10 000 records, no age limit). */
  policy?: BatchPolicy;
  /**
   * Called with every batch sealed by policy (not with those of `seal()`, which returns
   * them). It is awaited before the next journal write, so store the receipts here:
   * a slow callback holds back acknowledgements (backpressure), and after a crash only
   * the last batch can be unstored (see `lastSealed()`).
   */
  onSeal?: (batch: SealedBatch) => void | Promise<void>;
  /** Called when a policy seal or the `onSeal` callback fails (default: ignored). */
  onError?: (error: unknown) => void;
}

interface Waiting {
  readonly record: RecordCommitment;
  readonly bytes: Uint8Array;
  readonly resolve: (r: AcceptedRecord) => void;
  readonly reject: (e: unknown) => void;
}

interface Pending {
  readonly record: RecordCommitment;
  readonly since: number;
}

/**
 * Accepts records durably and seals them into a Merkle log in batches. Records are
 * group-committed: every `add()` waiting while the journal writes is written with the
 * next write, so thousands of concurrent adds cost a few fsyncs. Create with
 * {@link openBatcher}.
 */
export interface Batcher {
  /** The log origin. */
  readonly origin: string;
  /** The Merkle log (read it for proofs; do not append to it yourself). */
  readonly log: MerkleLog;
  /** Durable records not yet sealed. */
  readonly pendingCount: number;
  /** The checkpoint of the last seal, if any. */
  readonly checkpoint: Checkpoint | undefined;
  /**
   * Commits to record bytes (fresh salt unless given) and resolves once the record is
   * durable in the journal.
   * @throws {@link MedanchorError} `BATCHER_CLOSED`, or the journal's error (e.g. `JOURNAL_FULL`).
   */
  add(content: Uint8Array, options?: CommitOptions): Promise<AcceptedRecord>;
  /** Like `add`, for a record digest computed elsewhere (SHA-256 of the record). */
  addDigest(digest: Uint8Array, options?: CommitOptions): Promise<AcceptedRecord>;
  /**
   * Seals the durable records now (at most `policy.maxRecords`): appends them to the
   * log, records the seal in the journal and returns the checkpoint and every receipt.
   * Resolves to `undefined` when nothing is pending.
   */
  seal(): Promise<SealedBatch | undefined>;
  /**
   * The last sealed batch again (checkpoint and receipts), rebuilt from the log and the
   * records of that seal; after a restart, from the journal. A process that died after
   * a seal became durable but before its receipts were stored calls this on start-up.
   * `undefined` when nothing was ever sealed.
   */
  lastSealed(): SealedBatch | undefined;
  /** Stops the age timer, waits for queued writes, closes the journal. Does not seal. */
  close(): Promise<void>;
}

const now = (): number => Date.now();

/** Appends the leaf hashes of `records`' commitments to `log`, one kernel call for all. */
function appendCommitments(log: MerkleLog, records: readonly RecordCommitment[]): void {
  const packed = new Uint8Array(records.length * 32);
  for (let i = 0; i < records.length; i++) packed.set(records[i]!.commitment, i * 32);
  log.appendPacked(leafHashes32(packed, records.length));
}

/** Most records written by one journal append (one fsync); bigger queues take several. */
const MAX_GROUP = 8192;

class BatcherImpl implements Batcher {
  readonly origin: string;
  readonly log: MerkleLog;
  private readonly journal: Journal;
  private readonly policy: ResolvedBatchPolicy;
  private readonly onSeal: BatcherOptions['onSeal'];
  private readonly onError: (e: unknown) => void;
  private pending: Pending[];
  private queue: Waiting[] = [];
  private flushQueued = false;
  private sealQueued = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lane: Promise<void> = Promise.resolve();
  private last: Checkpoint | undefined;
  private lastBatch: { readonly firstIndex: number; readonly records: RecordCommitment[] };

  constructor(
    options: BatcherOptions,
    log: MerkleLog,
    pending: RecordCommitment[],
    lastBatch: { readonly firstIndex: number; readonly records: RecordCommitment[] },
  ) {
    this.origin = options.origin;
    this.journal = options.journal;
    this.log = log;
    this.policy = resolveBatchPolicy(options.policy);
    this.onSeal = options.onSeal;
    this.onError = options.onError ?? (() => {});
    const t = now();
    this.pending = pending.map((record) => ({ record, since: t }));
    if (log.size > 0) this.last = { origin: this.origin, size: log.size, root: log.root() };
    this.lastBatch = lastBatch;
  }

  lastSealed(): SealedBatch | undefined {
    const checkpoint = this.last;
    const { firstIndex, records } = this.lastBatch;
    if (checkpoint === undefined || records.length === 0) return undefined;
    const proofs = this.log.inclusionProofs(firstIndex, checkpoint.size, checkpoint.size);
    return {
      checkpoint,
      checkpointDigest: checkpointDigest(checkpoint),
      firstIndex,
      receipts: buildReceipts(records, firstIndex, checkpoint, proofs),
    };
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get checkpoint(): Checkpoint | undefined {
    return this.last;
  }

  add(content: Uint8Array, options?: CommitOptions): Promise<AcceptedRecord> {
    if (!(content instanceof Uint8Array)) {
      return Promise.reject(
        new MedanchorError('INVALID_TYPE', 'record content must be a Uint8Array'),
      );
    }
    return this.addDigest(sha256(content), options);
  }

  addDigest(digest: Uint8Array, options?: CommitOptions): Promise<AcceptedRecord> {
    if (this.closed) {
      return Promise.reject(
        new MedanchorError(
          'BATCHER_CLOSED',
          'this batcher is closed: open a new one on the journal',
        ),
      );
    }
    let record: RecordCommitment;
    try {
      record = commitDigest(digest, options);
    } catch (e) {
      return Promise.reject(e);
    }
    const entry: RecordEntry = { kind: 'record', salt: record.salt, digest: record.digest };
    return new Promise<AcceptedRecord>((resolve, reject) => {
      this.queue.push({ record, bytes: encodeJournalEntry(entry), resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        void this.exclusive(() => this.flush());
      }
    });
  }

  seal(): Promise<SealedBatch | undefined> {
    return this.exclusive(() => this.sealNow());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.exclusive(async () => {});
    await this.journal.close();
  }

  /** Runs `fn` after every journal operation queued before it (one writer at a time). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lane.then(fn);
    this.lane = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const group = this.queue.splice(0, MAX_GROUP);
    if (group.length === 0) return;
    if (this.queue.length > 0) {
      this.flushQueued = true;
      void this.exclusive(() => this.flush());
    }
    try {
      await this.journal.append(group.map((w) => w.bytes));
    } catch (e) {
      for (const w of group) w.reject(e);
      return;
    }
    const first = this.log.size + this.pending.length;
    const t = now();
    group.forEach((w, i) => {
      this.pending.push({ record: w.record, since: t });
      w.resolve({ ...w.record, leafIndex: first + i });
    });
    this.applyPolicy();
  }

  private applyPolicy(): void {
    if (this.closed || this.pending.length === 0) return;
    if (this.pending.length >= this.policy.maxRecords) {
      this.sealByPolicy();
      return;
    }
    const { maxAgeMs } = this.policy;
    if (maxAgeMs !== undefined && this.timer === undefined) {
      const oldest = this.pending[0]!.since;
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.sealByPolicy();
        },
        Math.max(0, oldest + maxAgeMs - now()),
      );
      // A pending age seal must not keep a Node process alive: the records are durable.
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  private sealByPolicy(): void {
    if (this.sealQueued || this.closed) return;
    this.sealQueued = true;
    void this.exclusive(async () => {
      this.sealQueued = false;
      const batch = await this.sealNow();
      if (batch !== undefined) await this.onSeal?.(batch);
    }).catch((e) => this.onError(e));
  }

  private async sealNow(): Promise<SealedBatch | undefined> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const count = Math.min(this.pending.length, this.policy.maxRecords);
    if (count === 0) return undefined;
    const batch = this.pending.slice(0, count).map((p) => p.record);
    const oldSize = this.log.size;
    let size: number;
    let root: Uint8Array;
    try {
      appendCommitments(this.log, batch);
      size = this.log.size;
      root = this.log.root();
      await this.journal.append([encodeJournalEntry({ kind: 'seal', size, root })]);
    } catch (e) {
      // Not sealed: the records stay pending and the log goes back to the last seal.
      // No policy retry here: a full or failing journal would make it spin. The next
      // durable add re-applies the policy.
      if (this.log.size > oldSize) this.log.truncate(oldSize);
      throw e;
    }
    this.pending = this.pending.slice(count);
    const checkpoint: Checkpoint = { origin: this.origin, size, root };
    this.last = checkpoint;
    this.lastBatch = { firstIndex: oldSize, records: batch };
    // Every proof of the batch from one pass over the tree.
    const proofs = this.log.inclusionProofs(oldSize, size, size);
    const receipts = buildReceipts(batch, oldSize, checkpoint, proofs);
    this.applyPolicy();
    return {
      checkpoint,
      checkpointDigest: checkpointDigest(checkpoint),
      firstIndex: oldSize,
      receipts,
    };
  }
}

/**
 * Opens a batcher on a journal: replays it (records, seals), brings the log in line
 * with the last seal (truncating leaves of an unfinished seal, re-appending leaves a
 * volatile log lost) and checks the log's root against the seal. Records accepted
 * before a crash and not yet sealed are pending again.
 *
 * @example
 * ```ts
 * const batcher = await openBatcher({
 *   origin: 'clinic.example/ledger',
 *   journal: new FileJournal('/var/lib/medanchor/journal'),
 *   policy: { maxRecords: 5000, maxAgeMs: 60_000 },
 *   onSeal: (b) => anchor(b.checkpointDigest),
 * });
 * const accepted = await batcher.add(recordBytes); // durable now
 * ```
 * @throws {@link MedanchorError} `INVALID_ORIGIN`, `JOURNAL_ORIGIN_MISMATCH`,
 * `JOURNAL_CORRUPT`, `LOG_MISMATCH`, or the journal's own errors.
 */
export async function openBatcher(options: BatcherOptions): Promise<Batcher> {
  assertOrigin(options.origin);
  resolveBatchPolicy(options.policy);
  const log = options.log ?? new MerkleLog();
  const raw = await options.journal.open();
  if (raw.length === 0) {
    if (log.size !== 0) {
      throw new MedanchorError(
        'LOG_MISMATCH',
        'the journal is new but the log is not empty: give each log its own journal',
        { details: { logSize: log.size } },
      );
    }
    await options.journal.append([encodeJournalEntry({ kind: 'origin', origin: options.origin })]);
    return new BatcherImpl(options, log, [], { firstIndex: 0, records: [] });
  }
  const state = recoverJournal(
    raw.map((b, i) => decodeJournalEntry(b, i)),
    options.origin,
  );
  if (log.size > state.sealedSize) log.truncate(state.sealedSize);
  if (log.size < state.sealedSize) {
    appendCommitments(log, state.records.slice(log.size, state.sealedSize));
  }
  if (state.sealedSize > 0 && !equalBytes(log.root(state.sealedSize), state.sealedRoot)) {
    throw new MedanchorError(
      'LOG_MISMATCH',
      'the Merkle log does not match the journal: this log belongs to another journal or was damaged; rebuild it from the journal (open with an empty log)',
      { details: { sealedSize: state.sealedSize } },
    );
  }
  return new BatcherImpl(options, log, state.records.slice(state.sealedSize), {
    firstIndex: state.previousSealedSize,
    records: state.records.slice(state.previousSealedSize, state.sealedSize),
  });
}

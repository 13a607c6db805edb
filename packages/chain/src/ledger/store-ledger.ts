import {
  anchoredDigestOf,
  assertBytes,
  buildReceipts,
  type CommitOptions,
  carryReceipt,
  type HeadProof,
  type LedgerStore,
  MedanchorError,
  type NoteSignerKey,
  newSalt,
  type Receipt,
  type ReceiptAnchor,
  readCheckpointNote,
  type StoredAnchor,
  type StoredCheckpoint,
  StoreReceiptBuilder,
  sha256,
  TileTree,
  toHex,
  utf8,
} from '@medanchor/core';
import type { AnchorerOptions } from '../anchor/anchorer.js';
import type { AnchorRecord } from '../anchor/state.js';
import { decodeLedgerAnchorState, entryOf, type LedgerAnchorState } from './anchor-state.js';
import { createCalendarKeeper } from './calendars.js';
import { type ForgetOptions, type ForgetResult, forgetRecord } from './forget.js';
import {
  type AnchorChange,
  type SealResult,
  Sequencer,
  type SequencerPolicy,
} from './sequencer.js';
import {
  type HeadProofOptions,
  type LedgerHeadMapOptions,
  storeLedgerHeadMap,
} from './store-ledger-head-map.js';
import { createWitnessAsker, type WitnessConfig } from './witnesses.js';

/** Default lease time to live: a dead sequencer's lease lapses this long after its last renewal. */
export const DEFAULT_LEASE_TTL_MS = 5_000;
/** Default interval of the sequencer loop (taking the lease, integrating, sealing). */
export const DEFAULT_POLL_MS = 1_000;

/** Options of {@link openLedger} over a {@link LedgerStore}. */
export interface StoreLedgerOptions {
  /** Where everything lives: pending records, leaves, tiles, checkpoints, anchor state. */
  store: LedgerStore;
  /**
   * How to anchor (the anchorer's options without `state`: the state lives in the
   * store). The sequencer makes a new anchorer each time it takes the lease, from the
   * state in the store, so what an earlier sequencer broadcast is never paid again.
   * Leave it out to sequence and seal without anchoring.
   */
  anchorer?: Omit<AnchorerOptions, 'state'>;
  /** When to seal on its own (default: every 10 000 records, no age limit). */
  policy?: SequencerPolicy;
  /** This process's name in the lease (default `ledger-<random>`): unique per process. */
  owner?: string;
  /** Lease time to live in ms (default {@link DEFAULT_LEASE_TTL_MS}). */
  leaseTtlMs?: number;
  /**
   * Interval of the sequencer loop in ms (default {@link DEFAULT_POLL_MS}); `0` runs no
   * loop: the caller drives it with `sequence()`, `seal()` and `sync()`.
   */
  pollMs?: number;
  /** Most records integrated in one store transaction (default 10 000). */
  batchSize?: number;
  /**
   * Called when a background round fails (default: ignored); the loop goes on. Also called,
   * from `sync()`, with `ANCHOR_PROOF_REFUSED` (details: `digest`, `step`) for each anchor
   * kept as it was because the backend's proof or reorg claim did not verify.
   */
  onError?: (error: unknown) => void;
  /**
   * The log's checkpoint signing key (a type 0x01 note key named after the origin): every
   * seal then stores and anchors a C2SP signed note, and receipts carry it
   * (docs/spec/signed-note.md). Leave it out for unsigned checkpoints.
   */
  signer?: NoteSignerKey;
  /**
   * Witnesses (C2SP tlog-witness) asked to cosign every signed checkpoint right after the
   * seal; receipts then carry their cosignatures. One that is down or refuses is reported
   * to `onError` (`WITNESS_UNREACHABLE`, `WITNESS_REFUSED`, ...) and asked again at the
   * next seal: it never stops a seal (all are asked at once; a slow one is waited for at
   * most 5 s). Needs `signer`.
   */
  witnesses?: readonly WitnessConfig[];
  /**
   * OpenTimestamps calendar URLs (the calendar HTTP protocol) given every checkpoint digest
   * right after the seal: receipts carry each calendar's `ots-calendar` entry next to the
   * ledger's own anchor, pending at first, upgraded to the calendar's Bitcoin attestation by
   * `sync()` (checked against the anchorer's backend) while the checkpoint's own anchor is
   * not final. One that is down or answers garbage is reported to `onError`
   * (`OTS_CALENDAR_UNREACHABLE`, `OTS_CALENDAR_TIMEOUT`, `OTS_CALENDAR_ANSWER_INVALID`) and
   * asked again on the next `sync()`: it never stops a seal (each is waited for at most 5 s).
   * A URL that is not http(s) makes `openLedger` throw `INVALID_ARGUMENT`.
   */
  calendars?: readonly string[];
  /**
   * Keep a head map (docs/spec/head-map.md): every seal signs the root of a map from each
   * record id (the `recordId` of `add`) to its newest leaf into the checkpoint, and
   * `headProof` proves a record's newest version, or its absence, at a checkpoint. Needs
   * `signer` (`INVALID_ARGUMENT` without one).
   */
  headMap?: LedgerHeadMapOptions;
}

/** Options of {@link StoreLedger.add} and {@link StoreLedger.addDigest}. */
export interface LedgerAddOptions extends CommitOptions {
  /**
   * Idempotency key (e.g. `${recordId}@${version}`): a retry with the same key makes no
   * second leaf and returns the first acknowledgement.
   */
  key?: string;
  /** The application's record id, for lookups by record and version. */
  recordId?: string;
  /** The record's version. */
  version?: number;
}

/** The acknowledgement of an added record: it is durable in the store. */
export interface LedgerAck {
  /** The store's id of the pending record. */
  readonly pendingId: string;
  /** The commitment (the future leaf). */
  readonly commitment: Uint8Array;
  /** The idempotency key given, if any. */
  readonly key?: string;
  /** True when the key was seen before: this ack repeats the first one and stored nothing. */
  readonly duplicate: boolean;
  /** A lower bound of the leaf index (the log size before the add). */
  readonly searchFrom: number;
}

/** An anchor state with its checkpoint digest, as {@link StoreLedger.anchors} lists them. */
export interface LedgerAnchor extends LedgerAnchorState {
  /** Checkpoint digest, hex. */
  readonly digest: string;
}

/**
 * A ledger over a {@link LedgerStore}: any process adds records; exactly one at a time
 * (the holder of the store's lease) sequences them into the log, seals checkpoints and
 * anchors them. Receipts are built on demand from the store. Create with
 * {@link openLedger}.
 *
 * Takeover: a sequencer renews its lease every third of `leaseTtlMs`; when it dies the
 * lease lapses at most `leaseTtlMs` later and another process takes it on its next loop
 * round, so sequencing resumes within `leaseTtlMs + pollMs` (6 s with the defaults,
 * within the 10 s bound the deployment guide states).
 */
export interface StoreLedger {
  /** The log origin. */
  readonly origin: string;
  /** The store. */
  readonly store: LedgerStore;
  /** True while this process is the sequencer. */
  readonly isSequencer: boolean;
  /**
   * Accepts record bytes (only their SHA-256 is kept); resolves once the store has the
   * record durable.
   * @throws MedanchorError `INVALID_TYPE`, the commitment's and the store's errors.
   */
  add(content: Uint8Array, options?: LedgerAddOptions): Promise<LedgerAck>;
  /** Accepts a record digest computed elsewhere. */
  addDigest(digest: Uint8Array, options?: LedgerAddOptions): Promise<LedgerAck>;
  /**
   * The leaf index of an acknowledged record, once a sequencer (this process or
   * another) integrated it.
   * @throws MedanchorError `LEDGER_SEQUENCE_TIMEOUT` after `timeoutMs` (default 30 s).
   */
  whenSequenced(ack: LedgerAck, options?: { timeoutMs?: number }): Promise<number>;
  /**
   * One sequencer round now: takes the lease if free, integrates every pending record,
   * seals if the policy says so. False when another process holds the lease.
   */
  sequence(): Promise<boolean>;
  /**
   * Integrates every pending record and seals them now, then anchors the checkpoint;
   * `undefined` when nothing waits for a seal.
   * @throws MedanchorError `LEDGER_NOT_SEQUENCER` when another process holds the lease.
   */
  seal(): Promise<SealResult | undefined>;
  /**
   * Follows the anchors that are not final yet (only those are read), anchors sealed
   * checkpoints that have no transaction, and keeps the verified entry of each
   * confirmed anchor. Returns the checkpoints whose receipts changed; empty when another
   * process is the sequencer (it does this work).
   */
  sync(): Promise<AnchorChange[]>;
  /** The receipt of a leaf, built now; `undefined` until its batch is sealed. */
  receipt(leafIndex: number): Promise<Receipt | undefined>;
  /** The receipt of the record added with this idempotency key; `undefined` until sealed. */
  receiptByKey(key: string): Promise<Receipt | undefined>;
  /** The receipt of the leaf added with this record id and version; `undefined` until sealed. */
  receiptByRecord(recordId: string, version: number): Promise<Receipt | undefined>;
  /** Receipts of every leaf a checkpoint sealed, in leaf order (forgotten leaves left out). */
  checkpointReceipts(digest: string): Promise<Receipt[]>;
  /**
   * The latest sealed checkpoint as a log serves it (C2SP tlog-tiles `/checkpoint`): a signed
   * one with every cosignature the witnesses returned after its seal appended to its note
   * (kept in the anchor state, not in the store's checkpoint); `undefined` before the first
   * seal. Works in any process on the store, sequencer or not.
   */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /**
   * Erasure: forgets every version of a record (see {@link forgetRecord}); `receipt` of
   * its leaves then throws `RECORD_FORGOTTEN` and `store.tombstone(leaf)` says when.
   * @throws MedanchorError `LEDGER_LEGAL_HOLD`, `STORE_FORGET_PENDING`, `INVALID_ARGUMENT`.
   */
  forget(recordId: string, options?: ForgetOptions): Promise<ForgetResult>;
  /**
   * The head proof of a record at the checkpoint of `options.size` (default: the latest):
   * its newest leaf there, or that it has none (docs/spec/head-map.md section 5). Verify it
   * with `verifyHeadProof` from `@medanchor/core`.
   * @throws MedanchorError `HEAD_MAP_UNAVAILABLE` (the ledger has no `headMap`, no
   * checkpoint of that size exists, or it was sealed without a map), `INVALID_ARGUMENT`.
   */
  headProof(record: string, options?: HeadProofOptions): Promise<HeadProof>;
  /** Anchor states: those not final (default), or all with `{ all: true }`. */
  anchors(options?: { all?: boolean }): Promise<LedgerAnchor[]>;
  /**
   * Takes an anchor transaction signed outside the process (a PSBT; the waiting one is
   * in `anchors()` as `record.unsigned`) and broadcasts it: see `Anchorer.importSignedPsbt`.
   * @throws MedanchorError `LEDGER_NOT_SEQUENCER` unless this process sequences and
   * anchors, and the anchorer's `NOT_AWAITING_SIGNATURE`, `PSBT_*` refusals.
   */
  importSignedPsbt(psbt: Uint8Array): Promise<AnchorRecord>;
  /** Stops the loop and gives up the lease. The store stays open: close it yourself. */
  close(): Promise<void>;
}

// Final anchor states a ledger keeps in memory for receipts.
const MAX_FINAL_STATES = 4096;

// How long one read of the log size serves as the lower bound of new acks' leaf indices.
const SIZE_HINT_MS = 100;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The receipt with the ledger's own anchor entry first, then the calendars' entries. */
function withEntries(
  r: Receipt,
  entry: ReceiptAnchor | undefined,
  calendars: readonly ReceiptAnchor[] | undefined,
): Receipt {
  if (entry === undefined && (calendars === undefined || calendars.length === 0)) return r;
  return { ...r, anchors: [...(entry === undefined ? [] : [entry]), ...(calendars ?? [])] };
}

/** Opens the store-backed ledger: see {@link openLedger}. */
export async function openStoreLedger(options: StoreLedgerOptions): Promise<StoreLedger> {
  const { store } = options;
  const onError = options.onError ?? (() => {});
  const ttl = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const batchSize = options.batchSize ?? 10_000;
  if (!(Number.isSafeInteger(ttl) && ttl > 0))
    throw new MedanchorError('INVALID_ARGUMENT', 'leaseTtlMs must be a positive integer');
  if (!(Number.isSafeInteger(pollMs) && pollMs >= 0 && (pollMs === 0 || pollMs < ttl)))
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'pollMs must be 0 or a positive integer below leaseTtlMs',
    );
  if (!(Number.isSafeInteger(batchSize) && batchSize > 0))
    throw new MedanchorError('INVALID_ARGUMENT', 'batchSize must be a positive integer');
  if (options.headMap !== undefined && options.signer === undefined)
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'a head map needs a signer: its root goes into the signed checkpoint',
    );
  const headMap =
    options.headMap === undefined ? undefined : storeLedgerHeadMap(store, options.headMap);
  const owner = options.owner ?? `ledger-${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
  const waiters = new Map<string, ((index: number) => void)[]>();
  // `searchFrom` only has to be a lower bound of the leaf index, and the log only grows:
  // any size read before the add will do. One read serves the adds of the next
  // SIZE_HINT_MS (and this process's own integrations raise it), instead of one query
  // per add, which cost as much as the add itself under load.
  let sizeHint = { value: 0, at: Number.NEGATIVE_INFINITY };
  let sizeRead: Promise<number> | undefined;
  const sizeBefore = (): Promise<number> | number => {
    if (Date.now() - sizeHint.at < SIZE_HINT_MS) return sizeHint.value;
    sizeRead ??= (async () => {
      const at = Date.now();
      try {
        const value = await store.size();
        if (value >= sizeHint.value) sizeHint = { value, at };
        return value;
      } finally {
        sizeRead = undefined;
      }
    })();
    return sizeRead;
  };

  const sequencer = new Sequencer({
    store,
    ...(options.anchorer === undefined ? {} : { anchorer: options.anchorer }),
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.signer === undefined ? {} : { signer: options.signer }),
    ...(options.witnesses === undefined || options.witnesses.length === 0
      ? {}
      : { witnesses: createWitnessAsker({ witnesses: options.witnesses }) }),
    ...(options.calendars === undefined || options.calendars.length === 0
      ? {}
      : {
          calendars: createCalendarKeeper({
            calendars: options.calendars,
            ...(options.anchorer === undefined
              ? {}
              : {
                  chain: { backend: options.anchorer.backend, network: options.anchorer.network },
                }),
          }),
        }),
    ...(headMap === undefined ? {} : { extensions: headMap.sealLines }),
    owner,
    leaseTtlMs: ttl,
    batchSize,
    onError,
    onIntegrated(leaves) {
      const last = leaves[leaves.length - 1];
      if (last !== undefined && last.index + 1 > sizeHint.value)
        sizeHint = { value: last.index + 1, at: Date.now() };
      for (const { pendingId, index } of leaves) {
        const list = waiters.get(pendingId);
        if (list === undefined) continue;
        waiters.delete(pendingId);
        for (const w of list) w(index);
      }
    },
  });
  const builder = new StoreReceiptBuilder(store);
  // Final anchor states never change: kept by digest (at most MAX_FINAL_STATES), so the
  // receipts of an anchored checkpoint read its state once.
  const finals = new Map<string, LedgerAnchorState>();
  const keepFinal = (digest: string, state: LedgerAnchorState) => {
    if (finals.size >= MAX_FINAL_STATES) finals.delete(finals.keys().next().value!);
    finals.set(digest, state);
  };
  // Checkpoint digests by checkpoint (the builder hands out the same object per checkpoint).
  const digests = new WeakMap<StoredCheckpoint, string>();
  let closed = false;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = () => {
    timer = setTimeout(() => {
      void sequencer
        .exclusive(() => sequencer.round(false))
        .catch(onError)
        .finally(() => {
          if (!closed) loop();
        });
    }, pollMs);
    (timer as { unref?: () => void }).unref?.();
  };
  if (pollMs > 0) loop();

  async function addDigest(digest: Uint8Array, opts: LedgerAddOptions = {}): Promise<LedgerAck> {
    if (closed) throw new MedanchorError('LEDGER_CLOSED', 'this ledger is closed: open it again');
    // Checked here so a bad call fails before any I/O; the store computes the commitment
    // (computing it here too cost a second tagged hash per record).
    assertBytes(digest, 32, 'record digest');
    if (opts.salt !== undefined) assertBytes(opts.salt, 32, 'salt');
    const salt = opts.salt ?? newSalt();
    const searchFrom = await sizeBefore();
    const [ack] = await store.addPending([
      {
        salt,
        digest,
        ...(opts.key === undefined ? {} : { key: opts.key }),
        ...(opts.recordId === undefined ? {} : { recordId: opts.recordId }),
        ...(opts.version === undefined ? {} : { version: opts.version }),
      },
    ]);
    const first = ack!.duplicateOf ?? ack!;
    return {
      pendingId: first.pendingId,
      commitment: first.commitment,
      ...(opts.key === undefined ? {} : { key: opts.key }),
      duplicate: ack!.duplicateOf !== undefined,
      searchFrom,
    };
  }

  /** The leaf of an ack if it is sequenced already: by key, else by a scan from its hint. */
  async function findLeaf(ack: LedgerAck, from: { at: number }): Promise<number | undefined> {
    if (ack.key !== undefined) return (await store.leafByKey(ack.key))?.index;
    const size = await store.size();
    while (from.at < size) {
      const count = Math.min(1024, size - from.at);
      const leaves = await store.readLeaves(from.at, count);
      const hit = leaves.find((l) => l.pendingId === ack.pendingId);
      if (hit !== undefined) return hit.index;
      from.at += count;
    }
    return undefined;
  }

  async function stateOf(digest: string): Promise<LedgerAnchorState | undefined> {
    const live = sequencer.tracked().get(digest);
    if (live !== undefined) return live;
    const known = finals.get(digest);
    if (known !== undefined) return known;
    // Stores that can read one anchor state (PostgreSQL) spare loading the final ones.
    const one = (store as { loadAnchor?: (d: string) => Promise<StoredAnchor | undefined> })
      .loadAnchor;
    if (typeof one === 'function') {
      const found = await one.call(store, digest);
      if (found === undefined) return undefined;
      const state = decodeLedgerAnchorState(found);
      if (found.final) keepFinal(digest, state);
      return state;
    }
    if (!sequencer.holding) {
      const open = (await store.loadAnchors({ final: false })).find((a) => a.digest === digest);
      if (open !== undefined) return decodeLedgerAnchorState(open);
    }
    // Not known as final yet (or dropped from the bound): read the final ones again.
    let state: LedgerAnchorState | undefined;
    for (const a of await store.loadAnchors({ final: true })) {
      const s = decodeLedgerAnchorState(a);
      keepFinal(a.digest, s);
      if (a.digest === digest) state = s;
    }
    return state;
  }

  async function withAnchors(r: Receipt, cp: StoredCheckpoint): Promise<Receipt> {
    let digest = digests.get(cp);
    if (digest === undefined) {
      digest = toHex(anchoredDigestOf(cp));
      digests.set(cp, digest);
    }
    const state = await stateOf(digest);
    if (state?.record?.replacedBy !== undefined) return carried(r, state);
    const entry = state === undefined ? undefined : entryOf(state);
    // The anchor state's note is the stored one plus the witnesses' cosignatures.
    const note = state?.note;
    const cosigned =
      note !== undefined && r.checkpoint.note !== undefined && note !== r.checkpoint.note
        ? { ...r, checkpoint: { ...r.checkpoint, note } }
        : r;
    return withEntries(cosigned, entry, state?.calendars);
  }

  /**
   * A receipt of a checkpoint whose rolling anchor was replaced: once the checkpoint at the
   * end of the `replacedBy` chain is confirmed, carried to it (consistency proof from the
   * tiles) with its entry; until then as it is, pending.
   */
  async function carried(r: Receipt, state: LedgerAnchorState): Promise<Receipt> {
    let carrier = state;
    for (let steps = 0; carrier.record?.replacedBy !== undefined; steps++) {
      const next = steps < 1000 ? await stateOf(carrier.record.replacedBy) : undefined;
      if (next === undefined) return r;
      carrier = next;
    }
    const entry = entryOf(carrier);
    if (entry === undefined || carrier.checkpoint.size < r.checkpoint.size)
      return withEntries(r, undefined, state.calendars);
    const tree = new TileTree((l, i, w) => store.readTile(l, i, w), carrier.checkpoint.size);
    const proof = await tree.consistencyProof(r.checkpoint.size);
    const { carry: _c, ...own } = r;
    const to = carryReceipt({ ...own, anchors: [] }, carrier.checkpoint, proof, carrier.note);
    return withEntries(to, entry, carrier.calendars);
  }

  async function receipt(leafIndex: number): Promise<Receipt | undefined> {
    const cp = await builder.checkpointFor(leafIndex);
    if (cp === undefined) return undefined;
    return withAnchors(await builder.build(leafIndex, cp), cp);
  }

  return {
    origin: store.origin,
    store,
    get isSequencer() {
      return sequencer.holding;
    },
    add(content, opts) {
      if (!(content instanceof Uint8Array))
        return Promise.reject(
          new MedanchorError('INVALID_TYPE', 'record content must be a Uint8Array'),
        );
      return addDigest(sha256(content), opts);
    },
    addDigest: (digest, opts) => addDigest(digest, opts),
    async whenSequenced(ack, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
      const from = { at: ack.searchFrom };
      let resolveHit: (i: number) => void = () => {};
      const hit = new Promise<number>((r) => {
        resolveHit = r;
      });
      const list = waiters.get(ack.pendingId) ?? [];
      list.push(resolveHit);
      waiters.set(ack.pendingId, list);
      try {
        for (;;) {
          const found = await findLeaf(ack, from);
          if (found !== undefined) return found;
          const left = deadline - Date.now();
          if (left <= 0)
            throw new MedanchorError(
              'LEDGER_SEQUENCE_TIMEOUT',
              'no sequencer integrated the record in time: is a ledger with a sequencer loop running on this store?',
              { details: { pendingId: ack.pendingId } },
            );
          const got = await Promise.race([hit, sleep(Math.min(200, left)).then(() => undefined)]);
          if (got !== undefined) return got;
        }
      } finally {
        const rest = (waiters.get(ack.pendingId) ?? []).filter((w) => w !== resolveHit);
        if (rest.length === 0) waiters.delete(ack.pendingId);
        else waiters.set(ack.pendingId, rest);
      }
    },
    async sequence() {
      await sequencer.exclusive(() => sequencer.round(false));
      return sequencer.holding;
    },
    async seal() {
      return sequencer.exclusive(async () => {
        const sealed = await sequencer.round(true);
        if (!sequencer.holding)
          throw new MedanchorError(
            'LEDGER_NOT_SEQUENCER',
            'another process holds the sequencer lease and seals by its policy: wait for it, or stop it first',
          );
        return sealed;
      });
    },
    sync: () => sequencer.exclusive(() => sequencer.sync()),
    importSignedPsbt: (psbt) =>
      sequencer.exclusive(async () => {
        await sequencer.round(false);
        const anchorer = sequencer.currentAnchorer;
        if (!sequencer.holding || anchorer === undefined)
          throw new MedanchorError(
            'LEDGER_NOT_SEQUENCER',
            'only the sequencer that anchors takes a signed anchor: import it where the ledger anchors',
          );
        return anchorer.importSignedPsbt(psbt);
      }),
    receipt,
    async receiptByKey(key) {
      const leaf = await store.leafByKey(key);
      return leaf === undefined ? undefined : receipt(leaf.index);
    },
    async receiptByRecord(recordId, version) {
      for (const index of await store.versions(recordId)) {
        const [leaf] = await store.readLeaves(index, 1);
        if (leaf?.version === version) return receipt(index);
      }
      return undefined;
    },
    async checkpointReceipts(digest) {
      const state = await stateOf(digest);
      if (state === undefined || state.void === true) return [];
      const { checkpoint, firstIndex } = state;
      // Leaves in chunks (one store read each) and one tile reader for every proof.
      const tree = new TileTree((l, i, w) => store.readTile(l, i, w), checkpoint.size);
      const out: Receipt[] = [];
      for (let start = firstIndex; start < checkpoint.size; start += 1024) {
        const leaves = await store.readLeaves(start, Math.min(1024, checkpoint.size - start));
        const proofs: Uint8Array[][] = [];
        for (const leaf of leaves) proofs.push(await tree.inclusionProof(leaf.index));
        const built = buildReceipts(leaves, start, checkpoint, proofs, state.note);
        out.push(...built.filter((_, i) => leaves[i]!.forgottenAt === undefined));
      }
      if (state.record?.replacedBy !== undefined)
        return Promise.all(out.map((r) => carried(r, state)));
      const entry = entryOf(state);
      return out.map((r) => withEntries(r, entry, state.calendars));
    },
    async latestCheckpoint() {
      const cp = await store.latestCheckpoint();
      if (cp?.note === undefined) return cp;
      const digest = toHex(anchoredDigestOf(cp));
      const note = (await stateOf(digest))?.note;
      if (note === undefined) return cp;
      // Only a note of this checkpoint with this log signature replaces the stored one.
      const cosigned = utf8(note);
      try {
        if (toHex(readCheckpointNote(cosigned).digest) === digest) return { ...cp, note: cosigned };
      } catch {
        // A damaged state note: the stored note is still the checkpoint the log signed.
      }
      return cp;
    },
    forget: (recordId, opts) => forgetRecord(store, recordId, opts),
    headProof(record, opts) {
      if (headMap === undefined)
        return Promise.reject(
          new MedanchorError(
            'HEAD_MAP_UNAVAILABLE',
            'this ledger keeps no head map: open it with a signer and headMap',
          ),
        );
      return headMap.proof(record, opts);
    },
    async anchors(opts = {}) {
      const stored = await store.loadAnchors(opts.all === true ? {} : { final: false });
      return stored
        .map((a) => ({ digest: a.digest, ...decodeLedgerAnchorState(a) }))
        .filter((a) => a.void !== true)
        .sort((a, b) => a.checkpoint.size - b.checkpoint.size);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await sequencer.exclusive(() => sequencer.stop());
    },
  };
}

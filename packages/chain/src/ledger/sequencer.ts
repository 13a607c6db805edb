import {
  type Checkpoint,
  checkpointDigest,
  equalBytes,
  formatCheckpointText,
  fromHex,
  isMedanchorError,
  type Lease,
  type LedgerStore,
  MedanchorError,
  type NoteSignerKey,
  prepareIntegration,
  readCheckpointNote,
  type StoredCheckpoint,
  signCheckpoint,
  signNote,
  TileTree,
  toHex,
  treeRoot,
} from '@medanchor/core';
import { type Anchorer, type AnchorerOptions, createAnchorer } from '../anchor/anchorer.js';
import type { AnchorRecord, AnchorStateStore } from '../anchor/state.js';
import {
  decodeLedgerAnchorState,
  encodeLedgerAnchorState,
  entryOf,
  isFinalState,
  type LedgerAnchorState,
} from './anchor-state.js';
import type { CalendarKeeper } from './calendars.js';
import { cosignAfterSeal, type WitnessAsker } from './witnesses.js';

/** When the sequencer seals on its own. */
export interface SequencerPolicy {
  /** Seal once this many sequenced records wait for a checkpoint (default 10 000). */
  readonly maxRecords?: number;
  /** Seal once the oldest of them has waited this long, in ms (default: no age limit). */
  readonly maxAgeMs?: number;
}

/** A checkpoint whose anchor changed in a round of the ledger's `sync()`. */
export interface AnchorChange {
  /** Checkpoint digest, hex. */
  readonly digest: string;
  /** The anchor state after the change. */
  readonly state: LedgerAnchorState;
}

/** What one seal made. */
export interface SealResult {
  /** The new checkpoint. */
  readonly checkpoint: Checkpoint;
  /** Its digest, hex: the value anchored. */
  readonly digest: string;
  /** First leaf it sealed. */
  readonly firstIndex: number;
  /** The anchor state right after anchoring was tried (its record, or `lastError`). */
  readonly anchor: LedgerAnchorState;
}

/** Options of {@link Sequencer}. */
export interface SequencerOptions {
  readonly store: LedgerStore;
  readonly anchorer?: Omit<AnchorerOptions, 'state'>;
  readonly policy?: SequencerPolicy;
  readonly owner: string;
  readonly leaseTtlMs: number;
  readonly batchSize: number;
  readonly onError: (error: unknown) => void;
  readonly onIntegrated: (leaves: readonly { pendingId: string; index: number }[]) => void;
  /** The log's checkpoint signing key: each seal then signs and anchors a C2SP signed note. */
  readonly signer?: NoteSignerKey;
  /** Witnesses asked to cosign each signed checkpoint after it is stored. */
  readonly witnesses?: WitnessAsker;
  /** OpenTimestamps calendars given each checkpoint digest after the seal, upgraded on sync. */
  readonly calendars?: CalendarKeeper;
  /**
   * Checkpoint extension lines for a seal from `latest` up to `size` (the head map's root),
   * written into the signed body; only used with `signer`.
   */
  readonly extensions?: (
    latest: StoredCheckpoint | undefined,
    size: number,
  ) => Promise<readonly string[]>;
}

// Checkpoints whose calendar entries one sync stamps or upgrades (each is one request per calendar).
const CALENDAR_CHECKPOINTS_PER_SYNC = 16;

// How often a sequencer retries anchoring checkpoints whose anchoring failed.
const ANCHOR_RETRY_MS = 10_000;

function describe(e: unknown): string {
  return isMedanchorError(e) ? `${e.code}: ${e.message}` : 'anchoring failed';
}

/**
 * The sequencer role of one process: holds the store's lease while it can, integrates
 * pending records, seals by policy and anchors every checkpoint. The anchorer is made
 * anew on every takeover from the anchor state in the store, so what another holder
 * broadcast is known before anything is built (never paid twice). Every write carries
 * the lease; once the store refuses it (`STORE_LEASE_LOST`) or renewal fails, this
 * process stops sequencing at once and only tries to take the lease again.
 */
export class Sequencer {
  private readonly o: SequencerOptions;
  private lease: Lease | undefined;
  private anchorer: Anchorer | undefined;
  /** Non-final anchor states by digest, loaded on takeover. */
  private readonly states = new Map<string, LedgerAnchorState>();
  private unsealedSince: number | undefined;
  private lastAnchorTry = 0;
  private lane: Promise<unknown> = Promise.resolve();
  private renewTimer: ReturnType<typeof setInterval> | undefined;
  private readonly maxRecords: number;
  private readonly maxAgeMs: number | undefined;

  constructor(options: SequencerOptions) {
    this.o = options;
    this.maxRecords = options.policy?.maxRecords ?? 10_000;
    this.maxAgeMs = options.policy?.maxAgeMs;
    if (!Number.isSafeInteger(this.maxRecords) || this.maxRecords < 1)
      throw new MedanchorError('INVALID_POLICY', 'policy.maxRecords must be a positive integer');
    if (this.maxAgeMs !== undefined && !(Number.isFinite(this.maxAgeMs) && this.maxAgeMs >= 0))
      throw new MedanchorError('INVALID_POLICY', 'policy.maxAgeMs must be a number >= 0');
  }

  /** True while this process holds the lease. */
  get holding(): boolean {
    return this.lease !== undefined;
  }

  /** The anchorer of the current term (undefined when not holding or not anchoring). */
  get currentAnchorer(): Anchorer | undefined {
    return this.anchorer;
  }

  /** The non-final anchor states this holder tracks. */
  tracked(): ReadonlyMap<string, LedgerAnchorState> {
    return this.states;
  }

  /** Runs `fn` after every round queued before it: one round at a time per process. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lane.then(fn);
    this.lane = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  /**
   * One round: takes or keeps the lease, integrates every pending record, seals when
   * the policy (or `force`) says so and anchors what is due. Resolves `undefined` when
   * it sealed nothing, also when another process holds the lease (see
   * {@link Sequencer.holding}).
   */
  async round(force: boolean): Promise<SealResult | undefined> {
    if (!(await this.ensureLease())) return undefined;
    try {
      await this.integrateAll();
      const sealed = await this.maybeSeal(force);
      if (force || Date.now() - this.lastAnchorTry >= ANCHOR_RETRY_MS) await this.anchorDue();
      return sealed;
    } catch (e) {
      this.checkLost(e);
      throw e;
    }
  }

  /**
   * Tracks every anchor that is not final (confirmations, reorgs, rebroadcasts, fee
   * bumps), anchors checkpoints that have no transaction yet, and keeps each
   * confirmed anchor's verified entry. Returns the checkpoints whose receipts changed.
   */
  async sync(): Promise<AnchorChange[]> {
    if (!(await this.ensureLease())) return [];
    const anchorer = this.anchorer;
    if (anchorer === undefined) return [];
    try {
      await this.anchorDue();
      await anchorer.sync();
      const changed: AnchorChange[] = await this.calendarsDue();
      for (const [digest, state] of [...this.states]) {
        const record = anchorer.get(fromHex(digest));
        if (record === undefined) continue;
        const before = entryOf(state);
        let next: LedgerAnchorState = { ...state, record };
        if (record.confirmation === undefined) {
          if (state.entry !== undefined) {
            const { entry: _gone, ...rest } = next;
            next = rest;
          }
        } else if (entryOf(next) === undefined || !sameBlock(entryOf(next)!, record)) {
          try {
            const entry = await anchorer.entry(fromHex(digest));
            if (entry !== undefined) next = { ...next, entry };
          } catch (e) {
            // A proof the backend gave that does not verify: keep what the receipts have.
            this.checkLost(e);
            this.o.onError(
              isMedanchorError(e, 'ANCHOR_PROOF_REFUSED')
                ? new MedanchorError(e.code, e.message, {
                    details: { ...e.details, digest },
                    cause: e,
                  })
                : e,
            );
            continue;
          }
        }
        const after = entryOf(next);
        const entryChanged = JSON.stringify(before) !== JSON.stringify(after);
        if (entryChanged || record !== state.record || isFinalState(next))
          await this.persist(digest, next);
        if (entryChanged) {
          const i = changed.findIndex((c) => c.digest === digest);
          if (i >= 0) changed.splice(i, 1);
          changed.push({ digest, state: next });
        }
      }
      return changed;
    } catch (e) {
      this.checkLost(e);
      throw e;
    }
  }

  /** Gives the lease up and stops renewing it. */
  async stop(): Promise<void> {
    const lease = this.lease;
    this.drop();
    if (lease !== undefined) {
      try {
        await this.o.store.releaseLease(lease);
      } catch (e) {
        this.o.onError(e);
      }
    }
  }

  private async ensureLease(): Promise<boolean> {
    const { store, owner, leaseTtlMs } = this.o;
    const got = await store.acquireLease(owner, leaseTtlMs);
    if (got === undefined) {
      this.drop();
      return false;
    }
    const fresh = this.lease === undefined || this.lease.token !== got.token;
    this.lease = got;
    if (fresh) {
      try {
        await this.takeOver();
      } catch (e) {
        this.drop();
        throw e;
      }
    }
    return true;
  }

  /** A new term: state from the store, a fresh anchorer on it, orphans settled. */
  private async takeOver(): Promise<void> {
    const { store } = this.o;
    this.states.clear();
    this.anchorer = undefined;
    this.unsealedSince = undefined;
    this.lastAnchorTry = 0;
    for (const stored of await store.loadAnchors({ final: false })) {
      this.states.set(stored.digest, decodeLedgerAnchorState(stored));
    }
    // A state written before its checkpoint, by a holder that died in between.
    for (const [digest, s] of [...this.states]) {
      if (s.record !== undefined) continue;
      const cp = await store.checkpointCovering(s.checkpoint.size - 1);
      const stored =
        cp !== undefined && cp.size === s.checkpoint.size && equalBytes(cp.root, s.checkpoint.root);
      if (!stored) await this.persist(digest, { ...s, void: true });
    }
    if (this.o.anchorer !== undefined) {
      const observer = this.o.anchorer.onEvent;
      this.anchorer = await createAnchorer({
        ...this.o.anchorer,
        state: this.stateStore(),
        onEvent: async (event) => {
          if (observer !== undefined) await observer(event);
          // An error without a transaction is a hold: the backend's account did not verify
          // and nothing was saved. Callers only see it through onError.
          if (event.kind === 'error' && event.txid === undefined)
            this.o.onError(heldAnchor(event.digest, event.reason ?? 'no reason given'));
        },
      });
    }
    this.startRenewal();
  }

  /** The anchorer's state store: the records live inside the ledger's anchor states. */
  private stateStore(): AnchorStateStore {
    return {
      load: async () => [...this.states.values()].flatMap((s) => (s.record ? [s.record] : [])),
      save: async (record: AnchorRecord) => {
        const s = this.states.get(record.digest);
        if (s === undefined)
          throw new MedanchorError(
            'LEDGER_UNKNOWN_CHECKPOINT',
            'the ledger anchors only checkpoints it sealed',
          );
        const { lastError: _old, ...rest } = s;
        await this.persist(record.digest, { ...rest, record });
      },
    };
  }

  private startRenewal(): void {
    if (this.renewTimer !== undefined) clearInterval(this.renewTimer);
    const every = Math.max(50, Math.floor(this.o.leaseTtlMs / 3));
    this.renewTimer = setInterval(() => {
      const lease = this.lease;
      if (lease === undefined) return;
      this.o.store.renewLease(lease, this.o.leaseTtlMs).then(
        (l) => {
          if (this.lease?.token === l.token) this.lease = l;
        },
        (e) => {
          // Lost (or the store is unreachable past the lease): stop sequencing now.
          if (this.lease?.token === lease.token) this.drop();
          this.o.onError(e);
        },
      );
    }, every);
    (this.renewTimer as { unref?: () => void }).unref?.();
  }

  private drop(): void {
    this.lease = undefined;
    this.anchorer = undefined;
    this.states.clear();
    if (this.renewTimer !== undefined) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private checkLost(e: unknown): void {
    if (isMedanchorError(e, 'STORE_LEASE_LOST')) this.drop();
  }

  private requireLease(): Lease {
    if (this.lease === undefined)
      throw new MedanchorError(
        'STORE_LEASE_LOST',
        'this process is no longer the sequencer: another one took over',
      );
    return this.lease;
  }

  private async persist(digest: string, state: LedgerAnchorState): Promise<void> {
    const final = isFinalState(state);
    await this.o.store.saveAnchor(
      this.requireLease(),
      digest,
      encodeLedgerAnchorState(state),
      final,
    );
    if (final) this.states.delete(digest);
    else this.states.set(digest, state);
  }

  private async integrateAll(): Promise<void> {
    for (;;) {
      const lease = this.requireLease();
      const { firstIndex, count, leaves } = await this.integrateBatch(lease);
      if (count > 0) {
        this.unsealedSince ??= Date.now();
        this.o.onIntegrated(leaves.map((pendingId, i) => ({ pendingId, index: firstIndex + i })));
      }
      if (count < this.o.batchSize) return;
    }
  }

  private async integrateBatch(lease: Lease) {
    const { store, batchSize } = this.o;
    const records = await store.readPending(batchSize);
    const firstIndex = await store.size();
    if (records.length > 0)
      await store.integrate(lease, await prepareIntegration(store, firstIndex, records));
    return { firstIndex, count: records.length, leaves: records.map((r) => r.pendingId) };
  }

  private async maybeSeal(force: boolean): Promise<SealResult | undefined> {
    const { store } = this.o;
    const size = await store.size();
    const latest = await store.latestCheckpoint();
    const from = latest?.size ?? 0;
    if (size === from) {
      this.unsealedSince = undefined;
      return undefined;
    }
    this.unsealedSince ??= Date.now();
    const due =
      force ||
      size - from >= this.maxRecords ||
      (this.maxAgeMs !== undefined && Date.now() - this.unsealedSince >= this.maxAgeMs);
    if (!due) return undefined;
    const root = await treeRoot((l, i, w) => store.readTile(l, i, w), size);
    const checkpoint: Checkpoint = { origin: store.origin, size, root };
    // Signed, the anchor commits to the note (text and the log's signature line).
    // Extension lines (the head map's root) go into the signed body, so the log's
    // signature and the anchor digest cover them; their data is durable before this.
    const lines = this.o.extensions === undefined ? [] : await this.o.extensions(latest, size);
    const signed =
      this.o.signer === undefined
        ? undefined
        : lines.length === 0
          ? signCheckpoint(checkpoint, this.o.signer)
          : signNote(`${formatCheckpointText(checkpoint)}${lines.map((l) => `${l}\n`).join('')}`, [
              this.o.signer,
            ]);
    const digest = toHex(
      signed === undefined ? checkpointDigest(checkpoint) : readCheckpointNote(signed).digest,
    );
    const note = signed === undefined ? undefined : new TextDecoder().decode(signed);
    // The anchor state first: a checkpoint is never stored without one.
    await this.persist(digest, {
      checkpoint,
      firstIndex: from,
      ...(note === undefined ? {} : { note }),
    });
    await store.putCheckpoint(
      this.requireLease(),
      signed === undefined ? checkpoint : { ...checkpoint, note: signed },
    );
    this.unsealedSince = undefined;
    if (signed !== undefined && this.o.witnesses !== undefined) await this.cosign(digest, signed);
    await this.anchorOne(digest);
    if (this.o.calendars !== undefined) await this.stampAtCalendars(digest);
    return { checkpoint, digest, firstIndex: from, anchor: this.states.get(digest)! };
  }

  /**
   * Asks the witnesses to cosign and keeps their cosignatures in the anchor state (the
   * digest covers the log's signature only, so it does not change). A witness that fails
   * is reported to onError and asked again at the next seal; sealing goes on.
   */
  private async cosign(digest: string, signed: Uint8Array): Promise<void> {
    const { store } = this.o;
    const size = this.states.get(digest)!.checkpoint.size;
    const tree = new TileTree((l, i, w) => store.readTile(l, i, w), size);
    const note = await cosignAfterSeal(
      this.o.witnesses!,
      signed,
      (from) => tree.consistencyProof(from),
      this.o.onError,
    );
    if (note !== undefined) await this.persist(digest, { ...this.states.get(digest)!, note });
  }

  /**
   * Gives the digest to the calendars without an entry and upgrades pending entries, kept
   * in the anchor state. A calendar that fails goes to onError and is asked again on sync.
   */
  private async stampAtCalendars(digest: string): Promise<boolean> {
    const s = this.states.get(digest);
    if (s === undefined || s.void === true) return false;
    const round = await this.o.calendars!.round(digest, s.calendars);
    for (const e of round.failures) this.o.onError(e);
    const now = this.states.get(digest);
    if (!round.changed || now === undefined) return false;
    await this.persist(digest, { ...now, calendars: round.entries });
    return true;
  }

  /** One bounded calendar round over the tracked checkpoints that still need one. */
  private async calendarsDue(): Promise<AnchorChange[]> {
    const keeper = this.o.calendars;
    if (keeper === undefined) return [];
    const due = [...this.states]
      .filter(([, s]) => s.void !== true && keeper.due(s.calendars))
      .slice(0, CALENDAR_CHECKPOINTS_PER_SYNC);
    const changed: AnchorChange[] = [];
    for (const [digest] of due)
      if (await this.stampAtCalendars(digest)) {
        const state = this.states.get(digest);
        if (state !== undefined) changed.push({ digest, state });
      }
    return changed;
  }

  /** Anchors every sealed checkpoint that has no transaction yet. */
  private async anchorDue(): Promise<void> {
    this.lastAnchorTry = Date.now();
    for (const [digest, s] of [...this.states]) {
      if (s.record === undefined && s.void !== true) await this.anchorOne(digest);
    }
  }

  private async anchorOne(digest: string): Promise<void> {
    const anchorer = this.anchorer;
    if (anchorer === undefined) return;
    try {
      // The log size orders checkpoints for a rolling anchorer (carried only to larger ones).
      const size = this.states.get(digest)?.checkpoint.size;
      await anchorer.anchor(fromHex(digest), size === undefined ? {} : { logSize: size });
    } catch (e) {
      if (isMedanchorError(e, 'STORE_LEASE_LOST')) throw e;
      this.o.onError(e);
      const s = this.states.get(digest);
      if (s !== undefined && s.record === undefined)
        await this.persist(digest, { ...s, lastError: describe(e) });
    }
  }
}

function sameBlock(entry: { txid: string; blockHash: string }, record: AnchorRecord): boolean {
  const c = record.confirmation!;
  return entry.txid === c.txid && entry.blockHash === c.blockHash;
}

/**
 * The anchorer held a record because the backend's account did not verify (a refused
 * proof, an unproven reorg): `ANCHOR_PROOF_REFUSED` naming the checkpoint and the step.
 */
function heldAnchor(digest: string, reason: string): MedanchorError {
  const coded = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(reason);
  const step =
    coded === null
      ? 'reorg'
      : coded[1] === 'ANCHOR_PROOF_REFUSED'
        ? (/ fails at ([\w-]+)/.exec(coded[2]!)?.[1] ?? 'proof')
        : 'confirmation';
  return new MedanchorError(
    'ANCHOR_PROOF_REFUSED',
    `the anchor of checkpoint ${digest.slice(0, 16)}... was kept as it was: ${coded === null ? reason : coded[2]}`,
    { details: { digest, step } },
  );
}

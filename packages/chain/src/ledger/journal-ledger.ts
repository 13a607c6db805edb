import {
  type AcceptedRecord,
  type Batcher,
  type BatchPolicy,
  type Checkpoint,
  type CommitOptions,
  carryReceipt,
  checkpointDigest,
  fromHex,
  type Journal,
  MedanchorError,
  type MerkleLog,
  type NoteSignerKey,
  openBatcher,
  type Receipt,
  readCheckpointNote,
  type SealedBatch,
  signCheckpoint,
  toHex,
  toReceiptCheckpoint,
} from '@medanchor/core';
import type { Anchorer } from '../anchor/anchorer.js';
import type { BitcoinAnchorEntry } from '../anchor/entry.js';
import type { NetworkParams } from '../network/params.js';
import { memoryReceiptStore, type ReceiptStore } from './receipt-store.js';
import { withBitcoinAnchor, withoutBitcoinAnchor } from './upgrade.js';
import { cosignAfterSeal, createWitnessAsker, type WitnessConfig } from './witnesses.js';

/** Options of {@link openLedger}. */
export interface LedgerOptions {
  /** Name of the log (see core's `openBatcher`). */
  origin: string;
  /** Where accepted records are made durable. */
  journal: Journal;
  /** The Merkle log (default: in memory, rebuilt from the journal). */
  log?: MerkleLog;
  /** When to seal on its own (see core's `BatchPolicy`). */
  policy?: BatchPolicy;
  /** Anchors every sealed checkpoint. */
  anchorer: Anchorer;
  /** The anchorer's network (named in the receipts' Bitcoin entries). */
  network: NetworkParams;
  /** Where receipts are kept and upgraded (default: in memory). */
  receipts?: ReceiptStore;
  /**
   * The log's checkpoint signing key (a type 0x01 note key named after the origin): every
   * seal then anchors a C2SP signed note, and receipts carry it (docs/spec/signed-note.md).
   * Leave it out for unsigned checkpoints.
   */
  signer?: NoteSignerKey;
  /**
   * Witnesses (C2SP tlog-witness) asked to cosign every signed checkpoint right after the
   * seal, as the store ledger does; receipts then carry their cosignatures. One that is down
   * or refuses is reported to `onError` (`WITNESS_UNREACHABLE`, `WITNESS_REFUSED`, ...) and
   * asked again at the next seal: it never stops a seal (all are asked at once, a slow one
   * is waited for at most 5 s). Needs `signer`.
   */
  witnesses?: readonly WitnessConfig[];
  /**
   * Called when sealing or anchoring in the background fails (default: ignored). An
   * anchor that could not be made (e.g. `FUNDS_UNCONFIRMED`) is tried again by `sync()`.
   */
  onError?: (error: unknown) => void;
}

/**
 * Records in, anchored receipts out: core's batcher (durable acknowledgement, sealing
 * by policy) composed with an {@link Anchorer}. Create with {@link openLedger}.
 */
export interface Ledger {
  /** The log origin. */
  readonly origin: string;
  /** The underlying batcher (for its log and checkpoint). */
  readonly batcher: Batcher;
  /** Accepts record bytes; resolves once the record is durable (see core's `Batcher.add`). */
  add(content: Uint8Array, options?: CommitOptions): Promise<AcceptedRecord>;
  /** Accepts a record digest computed elsewhere. */
  addDigest(digest: Uint8Array, options?: CommitOptions): Promise<AcceptedRecord>;
  /** Seals the pending records now and anchors the checkpoint; `undefined` when nothing is pending. */
  seal(): Promise<SealedBatch | undefined>;
  /**
   * Tracks anchors (see `Anchorer.sync`), anchors checkpoints that could not be anchored
   * before (and the last sealed checkpoint, if a crash came between seal and anchor),
   * and upgrades receipts in place: a confirmed anchor adds (or, after a reorg,
   * replaces) the receipt's Bitcoin entry; an anchor that left the chain removes it.
   * Returns the receipts that changed.
   */
  sync(): Promise<Receipt[]>;
  /** The current receipt of a record, by its leaf index, once its batch is sealed. */
  receipt(leafIndex: number): Promise<Receipt | undefined>;
  /**
   * Erasure is not available on a journal ledger: the journal keeps every salt for as long
   * as it exists and records have no id to forget them by. Always rejects with
   * `LEDGER_FORGET_UNSUPPORTED` and erases nothing; a ledger that must forget runs on a
   * store (`openLedger({ store })`, see docs/privacy.md).
   */
  forget(recordId: string): Promise<never>;
  /** Closes the batcher (does not seal). */
  close(): Promise<void>;
}

/**
 * Opens a ledger: a batcher on `journal` whose every seal is anchored by `anchorer`.
 *
 * @example
 * ```ts
 * const ledger = await openLedger({ origin: 'clinic.example/ledger', journal, anchorer,
 *   network: regtest, policy: { maxRecords: 1000, maxAgeMs: 60_000 } });
 * const { leafIndex } = await ledger.add(recordBytes); // durable now
 * // later, on every block:
 * await ledger.sync();
 * const receipt = await ledger.receipt(leafIndex); // with a Bitcoin anchor once confirmed
 * ```
 * @throws MedanchorError the errors of core's `openBatcher`.
 */
export async function openJournalLedger(options: LedgerOptions): Promise<Ledger> {
  const { anchorer, network } = options;
  const receipts = options.receipts ?? memoryReceiptStore();
  const onError = options.onError ?? (() => {});
  const { signer } = options;
  const witnesses = options.witnesses ?? [];
  if (witnesses.length > 0 && signer === undefined)
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'witnesses cosign signed checkpoints only: give the log signing key as signer too',
    );
  // Throws WITNESS_CONFIG_INVALID for a bad URL or vkey.
  const asker = witnesses.length === 0 ? undefined : createWitnessAsker({ witnesses });

  /** The digest an anchor commits to: the signed note's when the ledger signs. */
  function anchoredDigest(cp: Checkpoint): Uint8Array {
    // Ed25519 signatures are deterministic: signing again gives the note of the seal.
    return signer === undefined
      ? checkpointDigest(cp)
      : readCheckpointNote(signCheckpoint(cp, signer)).digest;
  }

  /**
   * A sealed batch as this ledger issues it: signed when it has a key, with the cosignatures
   * of the witnesses that answered when `ask` (not when rebuilding a batch after a crash).
   */
  async function issue(batch: SealedBatch, ask: boolean): Promise<SealedBatch> {
    if (signer === undefined) return batch;
    const signed = signCheckpoint(batch.checkpoint, signer);
    const size = batch.checkpoint.size;
    const cosigned =
      ask && asker !== undefined
        ? await cosignAfterSeal(
            asker,
            signed,
            async (from) => batcher.log.consistencyProof(from, size),
            onError,
          )
        : undefined;
    const checkpoint = toReceiptCheckpoint(batch.checkpoint, cosigned ?? signed);
    return {
      ...batch,
      checkpointDigest: fromHex(checkpoint.digest),
      receipts: batch.receipts.map((r) => ({ ...r, checkpoint })),
    };
  }

  async function anchorBatch(sealed: SealedBatch): Promise<void> {
    const batch = await issue(sealed, true);
    await receipts.save(batch.receipts);
    await anchorer.anchor(batch.checkpointDigest, { logSize: batch.checkpoint.size });
  }

  const batcher = await openBatcher({
    origin: options.origin,
    journal: options.journal,
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    onSeal: anchorBatch,
    onError,
  });
  // A crash right after a seal can leave its receipts unstored: the batcher rebuilds them.
  // The witnesses are not asked here (opening must not wait on them): the next seal asks.
  const rebuilt = batcher.lastSealed();
  const last = rebuilt === undefined ? undefined : await issue(rebuilt, false);
  if (
    last !== undefined &&
    (await receipts.forCheckpoint(toHex(last.checkpointDigest))).length === 0
  ) {
    await receipts.save(last.receipts);
  }

  async function upgrade(
    digest: string,
    entry: BitcoinAnchorEntry | undefined,
  ): Promise<Receipt[]> {
    const changed: Receipt[] = [];
    for (const r of await receipts.forCheckpoint(digest)) {
      const next =
        entry === undefined ? withoutBitcoinAnchor(r, network.name) : withBitcoinAnchor(r, entry);
      if (next !== r) changed.push(next);
    }
    if (changed.length > 0) await receipts.save(changed);
    return changed;
  }

  /**
   * Receipts of a checkpoint whose rolling anchor was replaced: carried by consistency
   * proof to the checkpoint whose transaction confirmed, with that anchor's entry.
   */
  async function carry(digest: string, carrierDigest: string): Promise<Receipt[]> {
    const bytes = fromHex(carrierDigest);
    const entry = await anchorer.entry(bytes);
    if (entry === undefined) return [];
    // Stored receipts are indexed by the checkpoint they are anchored by (carried or own).
    const held = (await receipts.forCheckpoint(carrierDigest))[0];
    const to = held === undefined ? undefined : (held.carry?.checkpoint ?? held.checkpoint);
    if (to === undefined) return [];
    const later = { origin: to.origin, size: to.size, root: fromHex(to.root) };
    const changed: Receipt[] = [];
    for (const r of await receipts.forCheckpoint(digest)) {
      let next = r;
      if (r.carry?.checkpoint.digest !== carrierDigest) {
        const { carry: _c, ...own } = r;
        next = carryReceipt(
          { ...own, anchors: [] },
          later,
          batcher.log.consistencyProof(r.checkpoint.size, later.size),
          to.note,
        );
      }
      next = withBitcoinAnchor(next, entry);
      if (next !== r) changed.push(next);
    }
    if (changed.length > 0) await receipts.save(changed);
    return changed;
  }

  return {
    origin: batcher.origin,
    batcher,
    add: (content, opts) => batcher.add(content, opts),
    addDigest: (digest, opts) => batcher.addDigest(digest, opts),
    async seal() {
      const sealed = await batcher.seal();
      if (sealed === undefined) return undefined;
      const batch = await issue(sealed, true);
      await receipts.save(batch.receipts);
      try {
        await anchorer.anchor(batch.checkpointDigest, { logSize: batch.checkpoint.size });
      } catch (e) {
        // The receipts are issued; sync() anchors the checkpoint once it can.
        onError(e);
      }
      return batch;
    },
    async sync() {
      await anchorer.sync();
      const changed: Receipt[] = [];
      const digests = await receipts.checkpoints();
      // The last seal, even if its receipts were never stored (a crash right after the
      // seal): anchoring it covers every record sealed so far.
      const last = batcher.checkpoint;
      if (last !== undefined) {
        const d = toHex(anchoredDigest(last));
        if (!digests.includes(d)) digests.push(d);
      }
      for (const digest of digests) {
        const bytes = fromHex(digest);
        const record = anchorer.get(bytes);
        if (record === undefined) {
          try {
            const own = (await receipts.forCheckpoint(digest))[0]?.checkpoint;
            const size = own?.digest === digest ? own.size : last?.size;
            await anchorer.anchor(bytes, size === undefined ? {} : { logSize: size });
          } catch (e) {
            onError(e);
          }
          continue;
        }
        const carrier = anchorer.carrier(bytes);
        if (record.replacedBy !== undefined && carrier !== undefined) {
          if (carrier.confirmation !== undefined)
            changed.push(...(await carry(digest, carrier.digest)));
          continue;
        }
        const entry = record.confirmation === undefined ? undefined : await anchorer.entry(bytes);
        changed.push(...(await upgrade(toHex(bytes), entry)));
      }
      return changed;
    },
    receipt: (leafIndex) => receipts.get(leafIndex),
    forget: () =>
      Promise.reject(
        new MedanchorError(
          'LEDGER_FORGET_UNSUPPORTED',
          'a journal ledger cannot forget a record (its journal keeps every salt): keep records that may have to be erased in a ledger on a store, openLedger({ store }); nothing was erased',
        ),
      ),
    close: () => batcher.close(),
  };
}

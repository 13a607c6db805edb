import {
  type AcceptedRecord,
  type Batcher,
  type BatchPolicy,
  type CommitOptions,
  carryReceipt,
  checkpointDigest,
  fromHex,
  type Journal,
  type MerkleLog,
  openBatcher,
  type Receipt,
  type SealedBatch,
  toHex,
} from '@medanchor/core';
import type { Anchorer } from '../anchor/anchorer.js';
import type { BitcoinAnchorEntry } from '../anchor/entry.js';
import type { NetworkParams } from '../network/params.js';
import { memoryReceiptStore, type ReceiptStore } from './receipt-store.js';
import { withBitcoinAnchor, withoutBitcoinAnchor } from './upgrade.js';

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

  async function anchorBatch(batch: SealedBatch): Promise<void> {
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
  const last = batcher.lastSealed();
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
      const batch = await batcher.seal();
      if (batch === undefined) return undefined;
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
        const d = toHex(checkpointDigest(last));
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
    close: () => batcher.close(),
  };
}

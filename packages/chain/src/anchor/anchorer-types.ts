import type { Backend } from '../backend/types.js';
import type { NetworkParams } from '../network/params.js';
import type { BitcoinAnchorEntry } from './entry.js';
import type { FeeBudget } from './fee-budget.js';
import type { FeePolicy } from './fee-policy.js';
import type { FundingKey, FundingKeySource } from './funding-key.js';
import type { AnchorRecord, AnchorStateStore } from './state.js';

// The anchorer's public shapes: its events, options, requests and methods.

/**
 * What the anchorer did, in order. `signed` comes before the record is saved,
 * `recorded` after it is durable and before the broadcast, `broadcast` after the
 * backend accepted it. `unsigned`: a transaction was built and saved, and waits for
 * a signature from outside the process (its PSBT may be handed out from now on).
 */
export type AnchorEventKind =
  | 'unsigned'
  | 'signed'
  | 'recorded'
  | 'broadcast'
  | 'rebroadcast'
  | 'bumped'
  | 'confirmed'
  | 'final'
  | 'reorged'
  | 'error';

/** One step of the anchorer, for logs and tests. No secrets. */
export interface AnchorEvent {
  readonly kind: AnchorEventKind;
  /** Checkpoint digest, hex. */
  readonly digest: string;
  /** The transaction concerned, display order. */
  readonly txid?: string;
  /** Block height, for `confirmed`, `final`. */
  readonly height?: number;
  /** What went wrong, for `error`. */
  readonly reason?: string;
}

/** Options of `createAnchorer`. */
export interface AnchorerOptions {
  /** Where coins, fee estimates and blocks come from, and transactions go. */
  backend: Backend;
  /** The network of the backend and the key. */
  network: NetworkParams;
  /**
   * The funding key: WIF or xprv + path (P2WPKH by default, or P2TR), or a key from
   * `fundingKey` (signs in process), a key with an async or PSBT signer (KMS, HSM,
   * hardware wallet), or a `watchOnlyFundingKey` (each anchor waits for a PSBT signed
   * elsewhere: {@link Anchorer.exportPsbt}, {@link Anchorer.importSignedPsbt}).
   */
  key: FundingKeySource | FundingKey;
  /** Where anchor records are made durable before every broadcast. */
  state: AnchorStateStore;
  /** Fee bounds in sat/vB. */
  fee: FeePolicy;
  /**
   * How an anchor commits to its checkpoint: `op_return` (default), an OP_RETURN output
   * carrying the bare digest; `p2tr-tweak`, no extra output: the change goes to a fresh
   * change key of the wallet tweaked by the digest, so the transaction looks like any
   * taproot payment (docs/spec/anchor-taproot.md). `p2tr-tweak` needs a P2TR key given as
   * an extended private key (`{ xprv, path, type: 'p2tr' }`) and signs in process; its
   * receipts cannot be exported as `.ots`.
   */
  commitment?: 'op_return' | 'p2tr-tweak';
  /** Confirmations after which an anchor is final and no longer tracked (default 6). */
  finalityDepth?: number;
  /** Blocks an anchor may wait unconfirmed before its fee is bumped by RBF (default 3). */
  bumpAfterBlocks?: number;
  /**
   * Called at every step, and awaited: a slow observer holds the anchorer (tests use
   * this to crash the process at a chosen point).
   */
  onEvent?: (event: AnchorEvent) => void | Promise<void>;
  /**
   * Rolling anchor (default false): at most one unconfirmed anchor transaction for the
   * wallet. `anchor()` saves the checkpoint as waiting (`record.waiting`); `sync()` gives
   * the newest waiting checkpoint a transaction when none is pending, or, once a block
   * passed without confirming the pending one, replaces it by RBF (an `urgent` anchor
   * does either at once): same coins, its own
   * commitment, a higher fee (BIP125: at least the replaced fee plus the incremental relay
   * fee for its own size). Earlier checkpoints get `replacedBy` and their receipts are
   * carried by consistency proof to the checkpoint that confirms ({@link Anchorer.carrier}).
   * Needs a key that signs in process with the `op_return` commitment: every replacement
   * needs a new signature, so PSBT and watch-only wallets anchor each checkpoint with its
   * own transaction and refuse `rolling` (`INVALID_ARGUMENT`).
   */
  rolling?: boolean;
  /** Caps the fees committed in any 24 hours; past it anchors wait (`FEE_BUDGET_EXCEEDED`). */
  feeBudget?: FeeBudget;
  /**
   * Confirmation targets (blocks) asked of the fee estimate by urgency: `normal` (default
   * `fee.targetBlocks`, else 3) and `urgent` (default 1).
   */
  feeSchedule?: { readonly normal?: number; readonly urgent?: number };
  /** The clock, milliseconds since the epoch (default `Date.now`): the fee budget's window. */
  now?: () => number;
}

/** How soon an anchor should confirm: picks the fee target of {@link AnchorerOptions.feeSchedule}. */
export type AnchorUrgency = 'normal' | 'urgent';

/** Options of one {@link Anchorer.anchor} call. */
export interface AnchorRequest {
  /** `urgent` asks the fee estimate for the urgent target and, when rolling, replaces at once. */
  readonly urgency?: AnchorUrgency;
  /**
   * The checkpoint's log size. A rolling anchorer carries a checkpoint only to a larger
   * one, so ledgers pass it; without it checkpoints count in the order they were anchored.
   */
  readonly logSize?: number;
}

/**
 * Anchors checkpoint digests on Bitcoin, one transaction family per digest. Create
 * with `createAnchorer`.
 */
export interface Anchorer {
  /** The funding key's address: send coins here. */
  readonly address: string;
  /** The funding key's output script. */
  readonly script: Uint8Array;
  /**
   * Anchors a 32-byte checkpoint digest: picks confirmed coins, builds and signs the
   * transaction, saves it, broadcasts it. Idempotent: a digest anchored before returns
   * its existing record and builds nothing. A failed broadcast is kept in the record
   * (`lastError`) and retried by {@link Anchorer.sync}. With a PSBT signer the built
   * transaction is saved first (`unsigned`), then signed; with a watch-only key it stays
   * saved and waiting for {@link Anchorer.importSignedPsbt}.
   * With `rolling` the checkpoint is saved first and waits for the wallet's next
   * replacement ({@link AnchorerOptions.rolling}); an error building a transaction for it
   * is thrown and it stays waiting (`sync()` tries again).
   * @throws MedanchorError `INSUFFICIENT_FUNDS`, `FUNDS_UNCONFIRMED` (only unconfirmed
   * coins would cover it: wait for a block), `FEE_TOO_HIGH`, `FEE_BUDGET_EXCEEDED`,
   * `INVALID_LENGTH`, or the backend's and
   * state store's errors (nothing is broadcast unless the record was saved).
   */
  anchor(digest: Uint8Array, request?: AnchorRequest): Promise<AnchorRecord>;
  /**
   * The record whose transaction anchors `digest`: its own, or with a rolling anchorer
   * the end of its `replacedBy` chain (the receipts of `digest` are carried to that
   * checkpoint). `undefined` for an unknown digest.
   */
  carrier(digest: Uint8Array): AnchorRecord | undefined;
  /**
   * One round of tracking for every anchor not yet final: records confirmations,
   * notices reorgs, rebroadcasts transactions missing from chain and mempool (also
   * after a restart), and bumps fees of anchors stuck for `bumpAfterBlocks`.
   * Returns the records that changed.
   */
  sync(): Promise<AnchorRecord[]>;
  /** The record of a digest, if it was anchored. */
  get(digest: Uint8Array): AnchorRecord | undefined;
  /** The records whose transaction waits for a signature from outside, oldest first. */
  awaitingSignature(): AnchorRecord[];
  /**
   * The PSBT (BIP-174, binary) of the transaction of `digest` that waits for a
   * signature: the same bytes every time, also after a restart.
   * @throws MedanchorError `NOT_AWAITING_SIGNATURE` when no transaction of the digest waits.
   */
  exportPsbt(digest: Uint8Array): Uint8Array;
  /**
   * Takes a PSBT signed elsewhere (binary or base64), checks that it is the transaction
   * that waits (same inputs, same outputs, the same checkpoint) and that every signature
   * verifies against the recorded coins, finalizes it, saves it and broadcasts it. A
   * PSBT imported before returns its record again. Nothing is written when it is refused.
   * @throws MedanchorError `NOT_AWAITING_SIGNATURE`, `PSBT_INVALID`, `PSBT_MISMATCH`
   * (`details.differs`: `inputs`, `commitment`, `outputs`, `transaction`), `PSBT_UNSIGNED`,
   * `PSBT_BAD_SIGNATURE`, or the state store's errors.
   */
  importSignedPsbt(psbt: Uint8Array): Promise<AnchorRecord>;
  /** Every record, in the order they were created. */
  list(): AnchorRecord[];
  /**
   * The receipt entry of a confirmed or final anchor (transaction, merkle branch,
   * header), fetched from the backend; `undefined` while pending.
   */
  entry(digest: Uint8Array): Promise<BitcoinAnchorEntry | undefined>;
}

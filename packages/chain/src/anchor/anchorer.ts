import { fromHex, isMedanchorError, MedanchorError, toHex } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import type { NetworkParams } from '../network/params.js';
import {
  type AnchorCoin,
  buildAnchorTransaction,
  planAnchorFee,
  selectAnchorCoins,
} from './build.js';
import { decideAnchor } from './decide.js';
import type { BitcoinAnchorEntry } from './entry.js';
import {
  assertFeePolicy,
  bumpedFeeRate,
  chooseFeeRate,
  type FeePolicy,
  INCREMENTAL_RELAY_SAT_PER_VB,
} from './fee-policy.js';
import { type FundingKey, type FundingKeySource, fundingKey } from './funding-key.js';
import { type ObserveContext, observeAnchor } from './observe.js';
import { spendableCoins } from './spendable-coins.js';
import type { AnchorAttempt, AnchorRecord, AnchorStateStore } from './state.js';
import { digestKey } from './state.js';
import { feeFor } from './tx-size.js';
import {
  anchorProofRefused,
  fetchVerifiedAnchorEntry,
  type VerifiedAnchorEntry,
} from './verify-entry.js';

/**
 * What the anchorer did, in order. `signed` comes before the record is saved,
 * `recorded` after it is durable and before the broadcast, `broadcast` after the
 * backend accepted it.
 */
export type AnchorEventKind =
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

/** Options of {@link createAnchorer}. */
export interface AnchorerOptions {
  /** Where coins, fee estimates and blocks come from, and transactions go. */
  backend: Backend;
  /** The network of the backend and the key. */
  network: NetworkParams;
  /** The funding key: WIF or xprv + path (P2WPKH by default, or P2TR), or a key from `fundingKey`. */
  key: FundingKeySource | FundingKey;
  /** Where anchor records are made durable before every broadcast. */
  state: AnchorStateStore;
  /** Fee bounds in sat/vB. */
  fee: FeePolicy;
  /** Confirmations after which an anchor is final and no longer tracked (default 6). */
  finalityDepth?: number;
  /** Blocks an anchor may wait unconfirmed before its fee is bumped by RBF (default 3). */
  bumpAfterBlocks?: number;
  /**
   * Called at every step, and awaited: a slow observer holds the anchorer (tests use
   * this to crash the process at a chosen point).
   */
  onEvent?: (event: AnchorEvent) => void | Promise<void>;
}

/**
 * Anchors checkpoint digests on Bitcoin, one transaction family per digest. Create
 * with {@link createAnchorer}.
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
   * (`lastError`) and retried by {@link Anchorer.sync}.
   * @throws MedanchorError `INSUFFICIENT_FUNDS`, `FUNDS_UNCONFIRMED` (only unconfirmed
   * coins would cover it: wait for a block), `FEE_TOO_HIGH`, `INVALID_LENGTH`, or the backend's and
   * state store's errors (nothing is broadcast unless the record was saved).
   */
  anchor(digest: Uint8Array): Promise<AnchorRecord>;
  /**
   * One round of tracking for every anchor not yet final: records confirmations,
   * notices reorgs, rebroadcasts transactions missing from chain and mempool (also
   * after a restart), and bumps fees of anchors stuck for `bumpAfterBlocks`.
   * Returns the records that changed.
   */
  sync(): Promise<AnchorRecord[]>;
  /** The record of a digest, if it was anchored. */
  get(digest: Uint8Array): AnchorRecord | undefined;
  /** Every record, in the order they were created. */
  list(): AnchorRecord[];
  /**
   * The receipt entry of a confirmed or final anchor (transaction, merkle branch,
   * header), fetched from the backend; `undefined` while pending.
   */
  entry(digest: Uint8Array): Promise<BitcoinAnchorEntry | undefined>;
}

function isFundingKey(k: FundingKeySource | FundingKey): k is FundingKey {
  return 'signer' in k && 'script' in k;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new MedanchorError('INVALID_ARGUMENT', `${what} must be a positive integer`);
  }
  return v;
}

/**
 * Loads the anchor state and returns an anchorer. Pending anchors are not touched
 * until {@link Anchorer.sync} runs (call it once after a restart, then on every new
 * block or on a timer).
 *
 * @example
 * ```ts
 * const anchorer = await createAnchorer({
 *   backend, network: regtest, key: { wif, type: 'p2tr' }, state: memoryAnchorStateStore(),
 *   fee: { minSatPerVb: 1, maxSatPerVb: 50 },
 * });
 * await anchorer.sync(); // resume what a previous run left pending
 * const record = await anchorer.anchor(batch.checkpointDigest);
 * ```
 * @throws MedanchorError `INVALID_KEY`, `INVALID_FEE_POLICY`, `INVALID_ARGUMENT`, `ANCHOR_STATE_CORRUPT`.
 */
export async function createAnchorer(options: AnchorerOptions): Promise<Anchorer> {
  const { backend, network, state } = options;
  assertFeePolicy(options.fee);
  const fee = options.fee;
  const key = isFundingKey(options.key) ? options.key : fundingKey(options.key, network);
  const finalityDepth = positiveInt(options.finalityDepth ?? 6, 'finalityDepth');
  const bumpAfterBlocks = positiveInt(options.bumpAfterBlocks ?? 3, 'bumpAfterBlocks');
  const records = new Map<string, AnchorRecord>();
  for (const r of await state.load()) records.set(r.digest, r);
  const coinbaseCache = new Map<string, boolean>();
  // Entries verified in this process, by digest: sync() checks them, entry() hands them out.
  const checkedEntries = new Map<string, BitcoinAnchorEntry>();
  let lane: Promise<unknown> = Promise.resolve();
  const observing: ObserveContext = {
    backend,
    network,
    finalityDepth,
    bumpAfterBlocks,
    verified: (digest, entry) => checkedEntries.set(digest, entry),
  };

  /** Runs `fn` after everything queued before it: one build or sync at a time. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = lane.then(fn);
    lane = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  async function emit(event: AnchorEvent): Promise<void> {
    if (options.onEvent !== undefined) await options.onEvent(event);
  }

  async function save(record: AnchorRecord): Promise<AnchorRecord> {
    await state.save(record);
    records.set(record.digest, record);
    return record;
  }

  /** The backend's estimate; NaN (read as the policy minimum) when it has none. */
  async function estimate(): Promise<number> {
    try {
      return await backend.feeRate(fee.targetBlocks ?? 3);
    } catch (e) {
      if (isMedanchorError(e, 'FEE_ESTIMATE_UNAVAILABLE')) return Number.NaN;
      throw e;
    }
  }

  /** Saves `record` (holding a new attempt) and only then broadcasts that attempt. */
  async function recordThenBroadcast(
    record: AnchorRecord,
    kind: 'broadcast' | 'bumped',
  ): Promise<AnchorRecord> {
    const attempt = record.attempts[record.attempts.length - 1]!;
    await emit({ kind: 'signed', digest: record.digest, txid: attempt.txid });
    await save(record);
    await emit({ kind: 'recorded', digest: record.digest, txid: attempt.txid });
    return broadcastLatest(record, kind);
  }

  async function broadcastLatest(
    record: AnchorRecord,
    kind: 'broadcast' | 'bumped' | 'rebroadcast',
  ): Promise<AnchorRecord> {
    const attempt = record.attempts[record.attempts.length - 1]!;
    try {
      await backend.broadcast(fromHex(attempt.rawTx));
    } catch (e) {
      const reason = isMedanchorError(e) ? `${e.code}: ${e.message}` : 'the backend failed';
      await emit({ kind: 'error', digest: record.digest, txid: attempt.txid, reason });
      return save({ ...record, lastError: reason });
    }
    await emit({ kind, digest: record.digest, txid: attempt.txid });
    if (record.lastError === undefined) return record;
    const { lastError: _cleared, ...rest } = record;
    return save(rest);
  }

  async function anchorNow(digest: Uint8Array): Promise<AnchorRecord> {
    const id = digestKey(digest);
    const existing = records.get(id);
    if (existing !== undefined) return existing;
    const tip = await backend.tip();
    const rate = chooseFeeRate(await estimate(), fee);
    const { coins, unconfirmed } = await spendableCoins({
      backend,
      script: key.script,
      records: records.values(),
      tipHeight: tip.height,
      coinbase: coinbaseCache,
    });
    let selection: ReturnType<typeof selectAnchorCoins>;
    try {
      selection = selectAnchorCoins(coins, key.type, rate);
    } catch (e) {
      if (isMedanchorError(e, 'INSUFFICIENT_FUNDS') && unconfirmed > 0n) {
        const all = [
          ...coins,
          { txid: '00'.repeat(32), vout: 0, value: unconfirmed, script: key.script },
        ];
        if (
          planAnchorFee(
            all.length,
            key.type,
            all.reduce((a, c) => a + c.value, 0n),
            rate,
          ) !== undefined
        ) {
          throw new MedanchorError(
            'FUNDS_UNCONFIRMED',
            'the funding key has enough value only in unconfirmed outputs: anchor again after the next block',
            { details: { unconfirmed } },
          );
        }
      }
      throw e;
    }
    const tx = buildAnchorTransaction({
      key,
      coins: selection.coins,
      digest,
      plan: selection,
      network,
    });
    const record: AnchorRecord = {
      digest: id,
      status: 'pending',
      coins: selection.coins.map((c) => ({
        txid: c.txid,
        vout: c.vout,
        value: c.value,
        script: toHex(c.script),
      })),
      attempts: [
        {
          txid: tx.txid,
          rawTx: toHex(tx.raw),
          feeRate: rate,
          fee: tx.fee,
          signedAtHeight: tip.height,
        },
      ],
    };
    return recordThenBroadcast(record, 'broadcast');
  }

  /** The entry of `txid`, verified (level 2, height, validated headers up to the finality depth). */
  async function verifiedEntry(digest: string, txid: string): Promise<VerifiedAnchorEntry> {
    const verified = await fetchVerifiedAnchorEntry({
      backend,
      network,
      txid,
      digest: fromHex(digest),
      depth: finalityDepth,
    });
    checkedEntries.set(digest, verified.entry);
    return verified;
  }

  /** A replacement of the latest attempt: same coins, higher fee; undefined at the fee cap. */
  async function bump(record: AnchorRecord, tipHeight: number): Promise<AnchorRecord | undefined> {
    const last = record.attempts[record.attempts.length - 1]!;
    const rate = bumpedFeeRate(last.feeRate, await estimate(), fee);
    if (rate === undefined) return undefined;
    const coins: AnchorCoin[] = record.coins.map((c) => ({
      txid: c.txid,
      vout: c.vout,
      value: c.value,
      script: fromHex(c.script),
    }));
    const total = coins.reduce((a, c) => a + c.value, 0n);
    // BIP125 rule 4: pay for the replacement's own relay on top of the replaced fee.
    const probe = planAnchorFee(coins.length, key.type, total, rate);
    if (probe === undefined) return undefined;
    const minFee = last.fee + feeFor(INCREMENTAL_RELAY_SAT_PER_VB, probe.vsize);
    const plan = planAnchorFee(coins.length, key.type, total, rate, minFee);
    if (plan === undefined) return undefined;
    const tx = buildAnchorTransaction({
      key,
      coins,
      digest: fromHex(record.digest),
      plan,
      network,
    });
    const attempt: AnchorAttempt = {
      txid: tx.txid,
      rawTx: toHex(tx.raw),
      feeRate: rate,
      fee: tx.fee,
      signedAtHeight: tipHeight,
    };
    return recordThenBroadcast({ ...record, attempts: [...record.attempts, attempt] }, 'bumped');
  }

  /** Performs the decisions of {@link decideAnchor} for one record, in order. */
  async function track(record: AnchorRecord, tipHeight: number): Promise<AnchorRecord> {
    const view = await observeAnchor(observing, record, tipHeight);
    let current = record;
    for (const action of decideAnchor(record, view, { finalityDepth, bumpAfterBlocks })) {
      switch (action.kind) {
        case 'save':
          current = await save(action.record);
          break;
        case 'emit':
          await emit({ ...action.event, digest: record.digest });
          break;
        case 'rebroadcast':
          current = await broadcastLatest(current, 'rebroadcast');
          break;
        case 'bump':
          current = (await bump(current, view.tipHeight)) ?? current;
          break;
        case 'hold':
          // The backend's account did not verify: keep what we have, write nothing.
          await emit({ kind: 'error', digest: record.digest, reason: action.reason });
          break;
      }
    }
    return current;
  }

  async function syncNow(): Promise<AnchorRecord[]> {
    const changed: AnchorRecord[] = [];
    const pending = [...records.values()].filter((r) => r.status !== 'final');
    if (pending.length === 0) return changed;
    const tip = await backend.tip();
    for (const r of pending) {
      const next = await track(r, tip.height);
      if (next !== r) changed.push(next);
    }
    return changed;
  }

  return {
    address: key.address,
    script: key.script.slice(),
    anchor: (digest) => {
      try {
        digestKey(digest);
      } catch (e) {
        return Promise.reject(e);
      }
      return exclusive(() => anchorNow(digest));
    },
    sync: () => exclusive(syncNow),
    get: (digest) => records.get(digestKey(digest)),
    list: () => [...records.values()],
    async entry(digest) {
      const id = digestKey(digest);
      const r = records.get(id);
      if (r?.confirmation === undefined) return undefined;
      if (r.entry !== undefined) return r.entry;
      const known = checkedEntries.get(id);
      if (
        known !== undefined &&
        known.txid === r.confirmation.txid &&
        known.blockHash === r.confirmation.blockHash
      )
        return known;
      const { entry } = await verifiedEntry(id, r.confirmation.txid);
      if (entry.blockHash !== r.confirmation.blockHash || entry.height !== r.confirmation.height) {
        throw anchorProofRefused(
          backend.name,
          r.confirmation.txid,
          'block',
          `the backend shows the transaction in block ${entry.blockHash} at height ${entry.height}, the anchor was recorded in ${r.confirmation.blockHash} at ${r.confirmation.height}: run sync() first`,
        );
      }
      // A final record from a state written before entries were kept: keep it now.
      if (r.status === 'final') {
        await exclusive(async () => {
          const now = records.get(id);
          if (now?.status === 'final' && now.entry === undefined) await save({ ...now, entry });
        });
      }
      return entry;
    },
  };
}

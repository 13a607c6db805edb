import { fromHex, isMedanchorError, MedanchorError, toHex } from '@medanchor/core';
import { base64 } from '@scure/base';
import type { AnchorCommitment } from '../spv/proof.js';
import { taprootCommitmentScript } from '../spv/taproot-commitment.js';
import type {
  AnchorEvent,
  Anchorer,
  AnchorerOptions,
  AnchorRequest,
  AnchorUrgency,
} from './anchorer-types.js';
import {
  type AnchorCoin,
  type AnchorFeePlan,
  inputSigner,
  planAnchorFee,
  planTweakAnchorFee,
  selectAnchorCoins,
} from './build.js';
import { decideAnchor } from './decide.js';
import type { BitcoinAnchorEntry } from './entry.js';
import { assertFeeBudget, assertWithinBudget, familyKey } from './fee-budget.js';
import { assertFeePolicy, bumpedFeeRate, chooseFeeRate } from './fee-policy.js';
import {
  type FundingKey,
  type FundingKeySource,
  fundingKey,
  isSighashSigner,
  type PsbtSigner,
} from './funding-key.js';
import { type ObserveContext, observeAnchor } from './observe.js';
import {
  buildUnsignedAnchor,
  finalizeAnchorPsbt,
  psbtOutpoints,
  psbtTxid,
  readPsbt,
  signAnchorPsbt,
} from './psbt.js';
import { replacementPlan } from './replacement.js';
import { carrierOf } from './rolling.js';
import {
  followCarriers,
  type RollingContext,
  resolveFamily,
  rollAnchors,
} from './rolling-steps.js';
import { spendableCoins } from './spendable-coins.js';
import type { AnchorAttempt, AnchorRecord, AnchorStateCoin } from './state.js';
import { digestKey } from './state.js';
import {
  anchorProofRefused,
  fetchVerifiedAnchorEntry,
  type VerifiedAnchorEntry,
} from './verify-entry.js';

export type {
  AnchorEvent,
  AnchorEventKind,
  Anchorer,
  AnchorerOptions,
  AnchorRequest,
  AnchorUrgency,
} from './anchorer-types.js';

function isFundingKey(k: FundingKeySource | FundingKey): k is FundingKey {
  return 'script' in k && 'internalPublicKey' in k;
}

function notAwaiting(what: string): MedanchorError {
  return new MedanchorError(
    'NOT_AWAITING_SIGNATURE',
    `${what}: run \`anchor\` first, or the transaction was already signed`,
  );
}

/** The receipt entry's `commitment` of a record's anchor: set for taproot-tweak anchors. */
function commitmentOf(record: AnchorRecord): AnchorCommitment | undefined {
  return record.tweak === undefined
    ? undefined
    : { kind: 'p2tr-tweak', internalKey: fromHex(record.tweak.internalKey) };
}

function stateCoin(c: AnchorCoin): AnchorStateCoin {
  return {
    txid: c.txid,
    vout: c.vout,
    value: c.value,
    script: toHex(c.script),
    ...(c.tweak === undefined
      ? {}
      : { tweak: { changeIndex: c.tweak.changeIndex, digest: toHex(c.tweak.digest) } }),
  };
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
  const tweakMode = options.commitment === 'p2tr-tweak';
  const rolling = options.rolling === true;
  assertFeeBudget(options.feeBudget);
  const now = options.now ?? Date.now;
  const targets = {
    normal: positiveInt(options.feeSchedule?.normal ?? fee.targetBlocks ?? 3, 'feeSchedule.normal'),
    urgent: positiveInt(options.feeSchedule?.urgent ?? 1, 'feeSchedule.urgent'),
  };
  if (rolling && (tweakMode || !isSighashSigner(key.signer)))
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'rolling anchors need the op_return commitment and a key that signs in process: every replacement needs a new signature (PSBT and watch-only wallets anchor each checkpoint with its own transaction)',
    );
  if (options.commitment !== undefined && options.commitment !== 'op_return' && !tweakMode)
    throw new MedanchorError('INVALID_ARGUMENT', 'commitment must be "op_return" or "p2tr-tweak"');
  if (
    tweakMode &&
    (key.type !== 'p2tr' || key.changeKey === undefined || !isSighashSigner(key.signer))
  )
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'the p2tr-tweak commitment needs a P2TR funding key given as { xprv, path, type: "p2tr" } (fresh change keys, signed in process)',
    );
  /** Plans fee and change for `n` inputs worth `total` in the anchorer's commitment mode. */
  const planFor = (n: number, total: bigint, rate: number, minFee = 0n) =>
    tweakMode
      ? planTweakAnchorFee(n, total, rate, minFee)
      : planAnchorFee(n, key.type, total, rate, minFee);

  function coinsOf(record: AnchorRecord): AnchorCoin[] {
    return record.coins.map((c) => ({
      txid: c.txid,
      vout: c.vout,
      value: c.value,
      script: fromHex(c.script),
      ...(c.tweak === undefined
        ? {}
        : {
            tweak: {
              changeIndex: c.tweak.changeIndex,
              internalKey: key.changeKey!(c.tweak.changeIndex).internalKey,
              digest: fromHex(c.tweak.digest),
            },
          }),
    }));
  }

  /**
   * The confirmed change outputs of earlier taproot-tweak anchors that no anchor spends
   * yet: they pay tweaked keys, so the backend's coins of the funding script miss them.
   */
  async function tweakChangeCoins(tipHeight: number): Promise<AnchorCoin[]> {
    const claimed = new Set<string>();
    for (const r of records.values()) for (const c of r.coins) claimed.add(`${c.txid}:${c.vout}`);
    const out: AnchorCoin[] = [];
    for (const r of records.values()) {
      const c = r.confirmation;
      if (r.tweak === undefined || c === undefined || claimed.has(`${c.txid}:0`)) continue;
      const internalKey = fromHex(r.tweak.internalKey);
      const digest = fromHex(r.digest);
      const script = taprootCommitmentScript(internalKey, digest);
      if (script === undefined) continue;
      const utxo = (await backend.utxos(script)).find(
        (u) => u.txid === c.txid && u.vout === 0 && u.height !== undefined && u.height <= tipHeight,
      );
      if (utxo === undefined) continue;
      out.push({
        txid: utxo.txid,
        vout: 0,
        value: utxo.value,
        script,
        tweak: { changeIndex: r.tweak.changeIndex, internalKey, digest },
      });
    }
    return out;
  }

  /** The next unused change key index (one per taproot-tweak anchor). */
  function nextChangeIndex(): number {
    let next = 0;
    for (const r of records.values())
      if (r.tweak !== undefined && r.tweak.changeIndex >= next) next = r.tweak.changeIndex + 1;
    return next;
  }
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
  async function estimate(urgency: AnchorUrgency = 'normal'): Promise<number> {
    try {
      return await backend.feeRate(targets[urgency]);
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

  async function anchorNow(digest: Uint8Array, request: AnchorRequest): Promise<AnchorRecord> {
    const id = digestKey(digest);
    const existing = records.get(id);
    if (existing !== undefined) return existing;
    if (rolling) {
      let order = request.logSize;
      if (order === undefined) {
        order = 0;
        for (const r of records.values()) if ((r.logSize ?? -1) >= order) order = r.logSize! + 1;
      }
      // Durable first: whatever happens next, the checkpoint waits for a transaction.
      await save({
        digest: id,
        status: 'pending',
        coins: [],
        attempts: [],
        waiting: true,
        logSize: order,
      });
      // Transactions are made by sync() (once per block at most) or at once when urgent.
      if (request.urgency === 'urgent') await roll(true, true);
      return records.get(id)!;
    }
    const tip = await backend.tip();
    return anchorFresh(
      { digest: id, status: 'pending', coins: [], attempts: [] },
      tip.height,
      request.urgency,
    );
  }

  /**
   * Builds, signs, saves and sends the first transaction of `base` (a new record, or a
   * rolling checkpoint that waited) over freshly selected coins.
   */
  async function anchorFresh(
    base: AnchorRecord,
    tipHeight: number,
    urgency: AnchorUrgency = 'normal',
  ): Promise<AnchorRecord> {
    const tip = { height: tipHeight };
    const rate = chooseFeeRate(await estimate(urgency), fee);
    const spendable = await spendableCoins({
      backend,
      script: key.script,
      records: records.values(),
      tipHeight: tip.height,
      coinbase: coinbaseCache,
    });
    const { unconfirmed } = spendable;
    const coins = tweakMode
      ? [...spendable.coins, ...(await tweakChangeCoins(tip.height))]
      : spendable.coins;
    let selection: ReturnType<typeof selectAnchorCoins>;
    try {
      selection = selectAnchorCoins(coins, key.type, rate, tweakMode ? 'p2tr-tweak' : 32);
    } catch (e) {
      if (isMedanchorError(e, 'INSUFFICIENT_FUNDS') && unconfirmed > 0n) {
        const all = [
          ...coins,
          { txid: '00'.repeat(32), vout: 0, value: unconfirmed, script: key.script },
        ];
        if (
          planFor(
            all.length,
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
    const changeIndex = tweakMode ? nextChangeIndex() : undefined;
    const { waiting: _w, lastError: _e, ...rest } = base;
    const coinsKept = selection.coins.map(stateCoin);
    assertWithinBudget(
      records.values(),
      options.feeBudget,
      nowS(),
      selection.fee,
      familyKey({ coins: coinsKept }),
    );
    const record: AnchorRecord = {
      ...rest,
      status: 'pending',
      coins: coinsKept,
      attempts: [],
      ...(changeIndex === undefined
        ? {}
        : {
            tweak: {
              changeIndex,
              internalKey: toHex(key.changeKey!(changeIndex).internalKey),
            },
          }),
    };
    return signOrWait(record, selection.coins, selection, rate, tip.height);
  }

  /**
   * Builds the transaction of `record` spending `coins` by `plan`, then signs it in
   * process and broadcasts it, or saves it unsigned and hands it to the PSBT signer
   * (a watch-only key stops there: the record waits for `importSignedPsbt`).
   */
  async function signOrWait(
    record: AnchorRecord,
    coins: readonly AnchorCoin[],
    plan: AnchorFeePlan,
    rate: number,
    height: number,
  ): Promise<AnchorRecord> {
    const digest = fromHex(record.digest);
    const tweakKey = record.tweak === undefined ? undefined : fromHex(record.tweak.internalKey);
    const unsigned = buildUnsignedAnchor({
      key,
      coins,
      digest,
      plan,
      network,
      ...(tweakKey === undefined ? {} : { tweakKey }),
    });
    const signer = key.signer;
    const kind = record.attempts.length === 0 ? 'broadcast' : 'bumped';
    if (isSighashSigner(signer)) {
      const signed = await signAnchorPsbt(
        unsigned.psbt,
        (i) => inputSigner(key, coins[i]!),
        network,
      );
      const tx = finalizeAnchorPsbt(
        signed,
        {
          psbt: unsigned.psbt,
          digest,
          coins,
          fee: plan.fee,
          ...(tweakKey === undefined ? {} : { tweakKey }),
        },
        network,
      );
      const attempt: AnchorAttempt = {
        txid: tx.txid,
        rawTx: toHex(tx.raw),
        feeRate: rate,
        fee: tx.fee,
        signedAtHeight: height,
        signedAt: nowS(),
      };
      return recordThenBroadcast({ ...record, attempts: [...record.attempts, attempt] }, kind);
    }
    const waiting: AnchorRecord = {
      ...record,
      unsigned: {
        txid: unsigned.txid,
        psbt: base64.encode(unsigned.psbt),
        feeRate: rate,
        fee: unsigned.fee,
        builtAtHeight: height,
      },
    };
    // Durable before the PSBT leaves: a restart hands out this transaction, never a second one.
    await save(waiting);
    await emit({ kind: 'unsigned', digest: waiting.digest, txid: unsigned.txid });
    return askPsbtSigner(waiting);
  }

  /** Hands the waiting PSBT of `record` to the key's PSBT signer, if it has one. */
  async function askPsbtSigner(record: AnchorRecord): Promise<AnchorRecord> {
    const signer = key.signer as PsbtSigner | undefined;
    if (signer === undefined || record.unsigned === undefined || isSighashSigner(signer))
      return record;
    let signed: Uint8Array;
    try {
      signed = await signer.signPsbt(base64.decode(record.unsigned.psbt));
    } catch (e) {
      // Kept waiting; sync() asks again. The signer's own message may name its service.
      const reason = isMedanchorError(e) ? `${e.code}: ${e.message}` : 'the PSBT signer failed';
      await emit({ kind: 'error', digest: record.digest, txid: record.unsigned.txid, reason });
      return save({ ...record, lastError: reason });
    }
    return acceptSigned(record, signed);
  }

  /** Checks a signed PSBT against the waiting transaction of `record`, then saves and broadcasts it. */
  async function acceptSigned(record: AnchorRecord, signed: Uint8Array): Promise<AnchorRecord> {
    const u = record.unsigned;
    if (u === undefined) throw notAwaiting('no transaction of this anchor waits for a signature');
    const tx = finalizeAnchorPsbt(
      signed,
      {
        psbt: base64.decode(u.psbt),
        digest: fromHex(record.digest),
        coins: coinsOf(record),
        fee: u.fee,
        ...(record.tweak === undefined ? {} : { tweakKey: fromHex(record.tweak.internalKey) }),
      },
      network,
    );
    let height = u.builtAtHeight;
    try {
      // Bumps count blocks from the signature, not from the build (signing may take days).
      height = Math.max(height, (await backend.tip()).height);
    } catch {
      // The backend is down: count from the build; the broadcast below reports the failure.
    }
    const attempt: AnchorAttempt = {
      txid: tx.txid,
      rawTx: toHex(tx.raw),
      feeRate: u.feeRate,
      fee: u.fee,
      signedAtHeight: height,
      signedAt: nowS(),
    };
    const { unsigned: _u, lastError: _e, ...rest } = record;
    return recordThenBroadcast(
      { ...rest, attempts: [...record.attempts, attempt] },
      record.attempts.length === 0 ? 'broadcast' : 'bumped',
    );
  }

  async function importNow(bytes: Uint8Array): Promise<AnchorRecord> {
    const psbt = readPsbt(bytes, network);
    const txid = psbtTxid(psbt);
    for (const r of records.values()) if (r.attempts.some((a) => a.txid === txid)) return r;
    const waiting = [...records.values()].filter((r) => r.unsigned !== undefined);
    if (waiting.length === 0) throw notAwaiting('no anchor waits for a signature');
    const spends = new Set(psbtOutpoints(psbt));
    const match =
      waiting.find((r) => r.unsigned!.txid === txid) ??
      waiting.find((r) => r.coins.some((c) => spends.has(`${c.txid}:${c.vout}`))) ??
      (waiting.length === 1 ? waiting[0] : undefined);
    if (match === undefined) {
      throw new MedanchorError(
        'PSBT_MISMATCH',
        'the signed PSBT spends none of the coins of an anchor that awaits a signature: sign the PSBT that was exported, unchanged',
        { details: { differs: 'inputs' } },
      );
    }
    return acceptSigned(match, bytes);
  }

  /** The entry of `txid`, verified (level 2, height, validated headers up to the finality depth). */
  async function verifiedEntry(record: AnchorRecord, txid: string): Promise<VerifiedAnchorEntry> {
    const digest = record.digest;
    const commitment = commitmentOf(record);
    const verified = await fetchVerifiedAnchorEntry({
      backend,
      network,
      txid,
      digest: fromHex(digest),
      depth: finalityDepth,
      ...(commitment === undefined ? {} : { commitment }),
    });
    checkedEntries.set(digest, verified.entry);
    return verified;
  }

  /** A replacement of the latest attempt: same coins, higher fee; undefined at the fee cap. */
  async function bump(record: AnchorRecord, tipHeight: number): Promise<AnchorRecord | undefined> {
    // A replacement already waits for its signature: one at a time.
    if (record.unsigned !== undefined) return undefined;
    const last = record.attempts[record.attempts.length - 1]!;
    const rate = bumpedFeeRate(last.feeRate, await estimate(), fee);
    if (rate === undefined) return undefined;
    const coins = coinsOf(record);
    const plan = replacementPlan(planFor, coins, rate, last.fee);
    if (plan === undefined) return undefined;
    try {
      assertWithinBudget(records.values(), options.feeBudget, nowS(), plan.fee, familyKey(record));
    } catch (e) {
      // The pending transaction stays as it is: a bump past the budget waits.
      if (!isMedanchorError(e, 'FEE_BUDGET_EXCEEDED')) throw e;
      await emit({ kind: 'error', digest: record.digest, reason: `${e.code}: ${e.message}` });
      return undefined;
    }
    return signOrWait(record, coins, plan, rate, tipHeight);
  }

  function nowS(): number {
    return Math.floor(now() / 1000);
  }

  /**
   * Signs `target`'s transaction over the coins of the pending `head`: a BIP125
   * replacement paying at least head's fee plus the incremental relay fee for its size.
   */
  async function replaceWith(
    head: AnchorRecord,
    target: AnchorRecord,
    tipHeight: number,
    urgent: boolean,
  ): Promise<AnchorRecord> {
    const last = head.attempts[head.attempts.length - 1]!;
    const rate = Math.max(
      chooseFeeRate(await estimate(urgent ? 'urgent' : 'normal'), fee),
      last.feeRate,
    );
    const coins = coinsOf(head);
    const plan = replacementPlan(planFor, coins, rate, last.fee);
    if (plan === undefined)
      throw new MedanchorError(
        'INSUFFICIENT_FUNDS',
        "the pending anchor's coins cannot pay for a replacement: the checkpoint waits for its confirmation",
      );
    assertWithinBudget(records.values(), options.feeBudget, nowS(), plan.fee, familyKey(head));
    const { waiting: _w, lastError: _e, ...rest } = target;
    const record: AnchorRecord = { ...rest, status: 'pending', coins: head.coins, attempts: [] };
    // The rate actually paid: the next replacement or bump starts from it.
    return signOrWait(
      record,
      coins,
      plan,
      Math.max(rate, Number(plan.fee) / plan.vsize),
      tipHeight,
    );
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

  const rollingSteps: RollingContext = {
    records,
    backend,
    save,
    emit,
    track,
    fresh: (target, tipHeight, urgent) =>
      anchorFresh(target, tipHeight, urgent ? 'urgent' : 'normal'),
    replace: replaceWith,
  };
  const roll = (urgent: boolean, raise: boolean) => rollAnchors(rollingSteps, urgent, raise);

  async function syncNow(): Promise<AnchorRecord[]> {
    const changed: AnchorRecord[] = [];
    if (rolling) {
      const tip = await backend.tip();
      await resolveFamily(rollingSteps, tip.height);
      await roll(false, false);
    }
    // Carried and waiting checkpoints have no transaction of their own to follow.
    const pending = [...records.values()].filter(
      (r) => r.status !== 'final' && r.replacedBy === undefined && r.waiting !== true,
    );
    if (pending.length === 0) {
      if (rolling) changed.push(...(await followCarriers(rollingSteps)));
      return changed;
    }
    const tip = await backend.tip();
    for (const r of pending) {
      // Nothing was signed yet: nothing to track; a PSBT signer is asked again.
      let next = r.attempts.length === 0 ? await askPsbtSigner(r) : await track(r, tip.height);
      // A replacement that waited from an earlier round: ask the PSBT signer again.
      if (r.attempts.length > 0 && r.unsigned !== undefined && next.unsigned !== undefined)
        next = await askPsbtSigner(next);
      if (next !== r) changed.push(next);
    }
    if (rolling) changed.push(...(await followCarriers(rollingSteps)));
    return changed;
  }

  return {
    address: key.address,
    script: key.script.slice(),
    anchor: (digest, request = {}) => {
      try {
        digestKey(digest);
        if (
          request.logSize !== undefined &&
          (!Number.isSafeInteger(request.logSize) || request.logSize < 0)
        )
          throw new MedanchorError('INVALID_ARGUMENT', 'logSize must be a non-negative integer');
        if (
          request.urgency !== undefined &&
          request.urgency !== 'normal' &&
          request.urgency !== 'urgent'
        )
          throw new MedanchorError('INVALID_ARGUMENT', 'urgency must be "normal" or "urgent"');
      } catch (e) {
        return Promise.reject(e);
      }
      return exclusive(() => anchorNow(digest, request));
    },
    carrier: (digest) => carrierOf(records, digestKey(digest)),
    sync: () => exclusive(syncNow),
    get: (digest) => records.get(digestKey(digest)),
    list: () => [...records.values()],
    awaitingSignature: () => [...records.values()].filter((r) => r.unsigned !== undefined),
    exportPsbt(digest) {
      const u = records.get(digestKey(digest))?.unsigned;
      if (u === undefined)
        throw notAwaiting('no transaction of this checkpoint waits for a signature');
      return base64.decode(u.psbt);
    },
    importSignedPsbt: (psbt) => exclusive(() => importNow(psbt)),
    async entry(digest) {
      const id = digestKey(digest);
      const r = records.get(id);
      // A carried checkpoint has no entry: its receipts take the carrier's.
      if (r?.confirmation === undefined || r.replacedBy !== undefined) return undefined;
      if (r.entry !== undefined) return r.entry;
      const known = checkedEntries.get(id);
      if (
        known !== undefined &&
        known.txid === r.confirmation.txid &&
        known.blockHash === r.confirmation.blockHash
      )
        return known;
      const { entry } = await verifiedEntry(r, r.confirmation.txid);
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

import { MedanchorError, toHex } from '@medanchor/core';
import { Psbt, type Signer, type Transaction } from 'bitcoinjs-lib';
import { hashFromDisplayHex } from '../bitcoin/hash.js';
import { toBitcoinjsNetwork } from '../network/bitcoinjs.js';
import type { NetworkParams } from '../network/params.js';
import { bareAnchorOutputScript } from '../spv/payload.js';
import { ensureEccLib } from './ecc.js';
import {
  type AnchorSigner,
  type FundingKey,
  type FundingKeyType,
  isSighashSigner,
} from './funding-key.js';
import { CHANGE_DUST_LIMIT, estimateAnchorVsize, feeFor } from './tx-size.js';

/** nSequence of every anchor input: signals BIP125 replaceability, no relative lock time. */
export const ANCHOR_SEQUENCE = 0xfffffffd;

/** A coin the anchor transaction spends. `txid` in display order. */
export interface AnchorCoin {
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  /** The output script (the funding key's). */
  readonly script: Uint8Array;
}

/** How the value of the inputs is split: the fee, and the change if it is not dust. */
export interface AnchorFeePlan {
  /** Satoshis paid to miners. */
  readonly fee: bigint;
  /** Satoshis back to the funding script; 0 when there is no change output. */
  readonly change: bigint;
  /** Estimated virtual size (an upper bound of the signed transaction's). */
  readonly vsize: number;
}

/**
 * Splits `totalIn` into fee and change for `inputs` inputs at `rate` sat/vB, paying at
 * least `minFee`. Change below the dust limit is dropped (added to the fee).
 * `undefined` when the inputs cannot pay the fee.
 */
export function planAnchorFee(
  inputs: number,
  type: FundingKeyType,
  totalIn: bigint,
  rate: number,
  minFee = 0n,
  payloadBytes = 32,
): AnchorFeePlan | undefined {
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  const vsizeWith = estimateAnchorVsize(inputs, type, true, payloadBytes);
  const feeWith = max(feeFor(rate, vsizeWith), minFee);
  if (totalIn - feeWith >= CHANGE_DUST_LIMIT[type]) {
    return { fee: feeWith, change: totalIn - feeWith, vsize: vsizeWith };
  }
  const vsizeWithout = estimateAnchorVsize(inputs, type, false, payloadBytes);
  const feeWithout = max(feeFor(rate, vsizeWithout), minFee);
  if (totalIn >= feeWithout) return { fee: totalIn, change: 0n, vsize: vsizeWithout };
  return undefined;
}

/** Coins chosen for a new anchor, with their fee plan. */
export interface CoinSelection extends AnchorFeePlan {
  readonly coins: readonly AnchorCoin[];
}

/**
 * Picks coins for an anchor: largest first (ties by txid and vout, so the choice is
 * deterministic), adding coins until they pay the fee at `rate`.
 * @throws MedanchorError `INSUFFICIENT_FUNDS` when all of them together cannot.
 */
export function selectAnchorCoins(
  candidates: readonly AnchorCoin[],
  type: FundingKeyType,
  rate: number,
  payloadBytes = 32,
): CoinSelection {
  const sorted = [...candidates].sort((a, b) =>
    a.value !== b.value
      ? a.value > b.value
        ? -1
        : 1
      : a.txid !== b.txid
        ? a.txid < b.txid
          ? -1
          : 1
        : a.vout - b.vout,
  );
  const chosen: AnchorCoin[] = [];
  let total = 0n;
  for (const coin of sorted) {
    chosen.push(coin);
    total += coin.value;
    const plan = planAnchorFee(chosen.length, type, total, rate, 0n, payloadBytes);
    if (plan !== undefined) return { ...plan, coins: chosen };
  }
  const needed = feeFor(rate, estimateAnchorVsize(Math.max(1, chosen.length), type, false));
  throw new MedanchorError(
    'INSUFFICIENT_FUNDS',
    'the funding key has too little confirmed value to pay the anchor fee: send coins to its address and wait for a confirmation',
    { details: { available: total, needed, coins: chosen.length } },
  );
}

/** Inputs of {@link buildAnchorTransaction} and `buildUnsignedAnchor`. */
export interface BuildAnchorInput {
  /** The key that owns `coins` and receives the change (its signer is used only to sign). */
  readonly key: FundingKey;
  /** Coins to spend, in input order. */
  readonly coins: readonly AnchorCoin[];
  /** The 32-byte checkpoint digest; the OP_RETURN carries it bare (no magic). */
  readonly digest: Uint8Array;
  /** Fee and change, from {@link planAnchorFee} or {@link selectAnchorCoins}. */
  readonly plan: AnchorFeePlan;
  /** The network (for bitcoinjs-lib's address checks). */
  readonly network: NetworkParams;
}

/** A signed anchor transaction. */
export interface SignedAnchorTx {
  /** Display-order txid. */
  readonly txid: string;
  /** Serialized with witnesses: what is broadcast. */
  readonly raw: Uint8Array;
  /** Index of the OP_RETURN output (always 0). */
  readonly outputIndex: 0;
  readonly fee: bigint;
  readonly change: bigint;
  /** Virtual size of the signed transaction. */
  readonly vsize: number;
}

/**
 * The anchor transaction as an unsigned bitcoinjs-lib PSBT: version 2, locktime 0, the
 * coins as inputs (nSequence 0xfffffffd, BIP125; `witnessUtxo`, and `tapInternalKey`
 * for P2TR), output 0 the bare OP_RETURN (`6a 20 digest`) with value 0, output 1 the change to the funding
 * script when the plan has change.
 * @throws MedanchorError `INVALID_ANCHOR_PLAN`, `INVALID_COIN`.
 */
export function anchorPsbt(input: BuildAnchorInput): Psbt {
  const { key, coins, digest, plan, network } = input;
  ensureEccLib();
  const total = coins.reduce((a, c) => a + c.value, 0n);
  if (coins.length === 0 || plan.fee < 0n || plan.change < 0n || plan.fee + plan.change !== total) {
    throw new MedanchorError(
      'INVALID_ANCHOR_PLAN',
      'fee and change must add up to the value of the inputs: plan with planAnchorFee',
    );
  }
  if (plan.change !== 0n && plan.change < CHANGE_DUST_LIMIT[key.type]) {
    throw new MedanchorError(
      'INVALID_ANCHOR_PLAN',
      'change below the dust limit: add it to the fee',
    );
  }
  const psbt = new Psbt({ network: toBitcoinjsNetwork(network) });
  psbt.setVersion(2);
  psbt.setLocktime(0);
  const xonly = key.internalPublicKey.subarray(1);
  for (const coin of coins) {
    if (toHex(coin.script) !== toHex(key.script)) {
      throw new MedanchorError(
        'INVALID_COIN',
        'a coin does not pay the funding key: spend only its own coins',
        {
          details: { txid: coin.txid, vout: coin.vout },
        },
      );
    }
    psbt.addInput({
      hash: hashFromDisplayHex(coin.txid, 'coin txid'),
      index: coin.vout,
      sequence: ANCHOR_SEQUENCE,
      witnessUtxo: { script: coin.script, value: coin.value },
      ...(key.type === 'p2tr' ? { tapInternalKey: xonly } : {}),
    });
  }
  psbt.addOutput({ script: bareAnchorOutputScript(digest), value: 0n });
  if (plan.change > 0n) psbt.addOutput({ script: key.script, value: plan.change });
  return psbt;
}

function syncOnly(signer: AnchorSigner): Signer {
  const now = (s: Uint8Array | Promise<Uint8Array>): Uint8Array => {
    if (s instanceof Uint8Array) return s;
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'the signer is async: anchor through createAnchorer, which awaits it',
    );
  };
  return {
    publicKey: signer.publicKey,
    sign: (hash) => now(signer.sign(hash)),
    signSchnorr: (hash) => now(signer.signSchnorr(hash)),
  };
}

/**
 * Builds and signs an anchor transaction (see {@link anchorPsbt} for its form) with
 * the key's in-process signer. An async signer (KMS, HSM) or a PSBT signer goes
 * through `createAnchorer`, which awaits it.
 *
 * @example
 * ```ts
 * const sel = selectAnchorCoins(coins, key.type, 2);
 * const tx = buildAnchorTransaction({ key, coins: sel.coins, digest, plan: sel, network: regtest });
 * await backend.broadcast(tx.raw);
 * ```
 * @throws MedanchorError `INVALID_ANCHOR_PLAN` when fee and change do not add up to the inputs,
 * `INVALID_COIN` when a coin does not pay the key's script, `INVALID_ARGUMENT` when the
 * key has no synchronous signer.
 */
export function buildAnchorTransaction(input: BuildAnchorInput): SignedAnchorTx {
  const signer = input.key.signer;
  if (!isSighashSigner(signer)) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'the key cannot sign here: anchor through createAnchorer (watch-only and PSBT signers)',
    );
  }
  const psbt = anchorPsbt(input);
  const sync = syncOnly(signer);
  for (let i = 0; i < input.coins.length; i++) psbt.signInput(i, sync);
  psbt.finalizeAllInputs();
  const tx: Transaction = psbt.extractTransaction(true);
  return {
    txid: tx.getId(),
    raw: tx.toBuffer(),
    outputIndex: 0,
    fee: input.plan.fee,
    change: input.plan.change,
    vsize: tx.virtualSize(),
  };
}

import { MedanchorError, toHex } from '@medanchor/core';
import { Psbt, type Signer, type Transaction } from 'bitcoinjs-lib';
import { hashFromDisplayHex } from '../bitcoin/hash.js';
import { toBitcoinjsNetwork } from '../network/bitcoinjs.js';
import type { NetworkParams } from '../network/params.js';
import { bareAnchorOutputScript } from '../spv/payload.js';
import { taprootCommitmentScript } from '../spv/taproot-commitment.js';
import { ensureEccLib } from './ecc.js';
import {
  type AnchorSigner,
  type FundingKey,
  type FundingKeyType,
  isSighashSigner,
} from './funding-key.js';
import { fundingChangeDerivation, fundingInputDerivation } from './psbt-derivation.js';
import {
  CHANGE_DUST_LIMIT,
  estimateAnchorVsize,
  estimateTweakAnchorVsize,
  feeFor,
} from './tx-size.js';

/** nSequence of every anchor input: signals BIP125 replaceability, no relative lock time. */
export const ANCHOR_SEQUENCE = 0xfffffffd;

/** A coin the anchor transaction spends. `txid` in display order. */
export interface AnchorCoin {
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  /** The output script (the funding key's, or a tweaked change output's). */
  readonly script: Uint8Array;
  /**
   * Set for the change of an earlier taproot-tweak anchor: its change key's index, x-only
   * internal key and the digest the output is tweaked by.
   */
  readonly tweak?: {
    readonly changeIndex: number;
    readonly internalKey: Uint8Array;
    readonly digest: Uint8Array;
  };
}

/**
 * Splits `totalIn` for a taproot-tweak anchor (`inputs` P2TR inputs, the change as the only
 * output, carrying the commitment): the change must not be dust, since without it there
 * is nothing to commit with. `undefined` when the inputs cannot pay for it.
 */
export function planTweakAnchorFee(
  inputs: number,
  totalIn: bigint,
  rate: number,
  minFee = 0n,
): AnchorFeePlan | undefined {
  const vsize = estimateTweakAnchorVsize(inputs);
  const computed = feeFor(rate, vsize);
  const fee = computed > minFee ? computed : minFee;
  if (totalIn - fee < CHANGE_DUST_LIMIT.p2tr) return undefined;
  return { fee, change: totalIn - fee, vsize };
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
  payloadBytes: number | 'p2tr-tweak' = 32,
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
    const plan =
      payloadBytes === 'p2tr-tweak'
        ? planTweakAnchorFee(chosen.length, total, rate)
        : planAnchorFee(chosen.length, type, total, rate, 0n, payloadBytes);
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
  /**
   * Commit by a taproot tweak instead of an OP_RETURN: the change (the only output) goes to
   * this x-only internal key tweaked by the digest (docs/spec/anchor-taproot.md).
   */
  readonly tweakKey?: Uint8Array;
  /** The network (for bitcoinjs-lib's address checks). */
  readonly network: NetworkParams;
}

/** A signed anchor transaction. */
export interface SignedAnchorTx {
  /** Display-order txid. */
  readonly txid: string;
  /** Serialized with witnesses: what is broadcast. */
  readonly raw: Uint8Array;
  /** Index of the committing output (always 0: the OP_RETURN, or the tweaked change). */
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
 * script when the plan has change. When the key has an `origin`, the funding key's inputs
 * and its change output carry their BIP32 derivation (BIP-174, BIP-371).
 * @throws MedanchorError `INVALID_ANCHOR_PLAN`, `INVALID_COIN`.
 */
export function anchorPsbt(input: BuildAnchorInput): Psbt {
  const { key, coins, digest, plan, network, tweakKey } = input;
  ensureEccLib();
  const total = coins.reduce((a, c) => a + c.value, 0n);
  const changeScript =
    tweakKey === undefined ? key.script : taprootCommitmentScript(tweakKey, digest);
  if (changeScript === undefined || (tweakKey !== undefined && plan.change === 0n))
    throw new MedanchorError(
      'INVALID_ANCHOR_PLAN',
      'a taproot-tweak anchor needs a valid change key and change to commit with: plan with planTweakAnchorFee',
    );
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
    const owned =
      coin.tweak === undefined
        ? key.script
        : taprootCommitmentScript(coin.tweak.internalKey, coin.tweak.digest);
    if (owned === undefined || toHex(coin.script) !== toHex(owned)) {
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
      ...(coin.tweak !== undefined
        ? { tapInternalKey: coin.tweak.internalKey, tapMerkleRoot: coin.tweak.digest }
        : key.type === 'p2tr'
          ? { tapInternalKey: xonly }
          : {}),
    });
    const derivation = coin.tweak === undefined ? fundingInputDerivation(key) : undefined;
    if (derivation !== undefined) psbt.updateInput(psbt.inputCount - 1, derivation);
  }
  if (tweakKey === undefined) psbt.addOutput({ script: bareAnchorOutputScript(digest), value: 0n });
  if (plan.change > 0n) {
    psbt.addOutput({ script: changeScript, value: plan.change });
    // The change of a taproot-tweak anchor is no plain key of the wallet: no derivation for it.
    const derivation = tweakKey === undefined ? fundingChangeDerivation(key) : undefined;
    if (derivation !== undefined) psbt.updateOutput(psbt.txOutputs.length - 1, derivation);
  }
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
 * The signer of one input: the funding key's, or for the change of an earlier
 * taproot-tweak anchor, its change key tweaked by that anchor's digest.
 * @throws MedanchorError `INVALID_ARGUMENT` when the key cannot sign that input in process.
 */
export function inputSigner(key: FundingKey, coin: AnchorCoin): AnchorSigner {
  if (coin.tweak !== undefined) {
    if (key.changeKey === undefined)
      throw new MedanchorError(
        'INVALID_ARGUMENT',
        'a taproot-tweak change coin is spent with the change keys of an extended private key: pass { xprv, path }',
      );
    return key.changeKey(coin.tweak.changeIndex).signerFor(coin.tweak.digest);
  }
  if (!isSighashSigner(key.signer))
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'the key cannot sign here: anchor through createAnchorer (watch-only and PSBT signers)',
    );
  return key.signer;
}

/**
 * Builds and signs an anchor transaction (in the form `anchorPsbt` builds) with
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
  const psbt = anchorPsbt(input);
  for (const [i, coin] of input.coins.entries())
    psbt.signInput(i, syncOnly(inputSigner(input.key, coin)));
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

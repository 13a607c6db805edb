import type { FundingKeyType } from './funding-key.js';

/** Serialized bytes of an input without its witness: outpoint 36, empty scriptSig 1, sequence 4. */
const INPUT_BASE_BYTES = 41;

/**
 * Witness weight of one key-path input, at its largest: P2WPKH is a 72-byte DER
 * signature and a 33-byte key (plus item count and length bytes); P2TR one 64-byte
 * Schnorr signature (SIGHASH_DEFAULT).
 */
const WITNESS_WEIGHT: Record<FundingKeyType, number> = { p2wpkh: 108, p2tr: 66 };

/** Output script length paying back to a key of this type. */
const CHANGE_SCRIPT_BYTES: Record<FundingKeyType, number> = { p2wpkh: 22, p2tr: 34 };

/**
 * Smallest change worth creating, per output type: Bitcoin Core's dust threshold at
 * its default dust relay fee (3 sat/vB). Smaller change goes to the fee instead.
 */
export const CHANGE_DUST_LIMIT: Readonly<Record<FundingKeyType, bigint>> = {
  p2wpkh: 294n,
  p2tr: 330n,
};

function varintSize(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : 5;
}

/**
 * Upper bound of an anchor transaction's virtual size: `inputs` key-path inputs of
 * `type`, one OP_RETURN output carrying `payloadBytes` (32: the bare digest), and a change output when
 * `withChange`. Real signatures are never larger, so the fee paid is never below
 * `rate * estimate`; spec: docs/spec/anchor-transaction.md.
 */
export function estimateAnchorVsize(
  inputs: number,
  type: FundingKeyType,
  withChange: boolean,
  payloadBytes = 32,
): number {
  const opReturnScript = 1 + (payloadBytes <= 75 ? 1 : 2) + payloadBytes;
  const outputs = [8 + varintSize(opReturnScript) + opReturnScript];
  if (withChange) outputs.push(8 + 1 + CHANGE_SCRIPT_BYTES[type]);
  const base =
    4 +
    varintSize(inputs) +
    inputs * INPUT_BASE_BYTES +
    varintSize(outputs.length) +
    outputs.reduce((a, b) => a + b, 0) +
    4;
  const weight = base * 4 + 2 + inputs * WITNESS_WEIGHT[type];
  return Math.ceil(weight / 4);
}

/**
 * Upper bound of a taproot-tweak anchor's virtual size: `inputs` P2TR key-path inputs and
 * one P2TR output (the change, which carries the commitment); no OP_RETURN. One input:
 * 111 vB. Spec: docs/spec/anchor-taproot.md.
 */
export function estimateTweakAnchorVsize(inputs: number): number {
  const base =
    4 + varintSize(inputs) + inputs * INPUT_BASE_BYTES + 1 + (8 + 1 + CHANGE_SCRIPT_BYTES.p2tr) + 4;
  return Math.ceil((base * 4 + 2 + inputs * WITNESS_WEIGHT.p2tr) / 4);
}

/** The fee in satoshis for `vsize` at `rate` sat/vB, rounded up. */
export function feeFor(rate: number, vsize: number): bigint {
  return BigInt(Math.ceil(rate * vsize - 1e-9));
}

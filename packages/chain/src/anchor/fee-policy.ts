import { MedanchorError } from '@medanchor/core';

/** The anchorer's fee bounds. Rates are in sat/vB and may be fractional. */
export interface FeePolicy {
  /** Never pay less than this rate (also used when the backend has no estimate). */
  readonly minSatPerVb: number;
  /** Never pay more than this rate, first broadcast or fee bump. */
  readonly maxSatPerVb: number;
  /**
   * What to do when the backend's estimate exceeds `maxSatPerVb`: `clamp` (default)
   * pays the maximum and relies on fee bumps; `refuse` throws `FEE_TOO_HIGH` so the
   * caller can anchor later.
   */
  readonly onTooHigh?: 'clamp' | 'refuse';
  /** Confirmation target passed to the backend's estimate, in blocks (default 3). */
  readonly targetBlocks?: number;
  /**
   * Each fee bump multiplies the previous rate by at least this factor (default 1.5),
   * and always adds at least the 1 sat/vB that relay rules demand.
   */
  readonly bumpFactor?: number;
}

/** Rate added by every replacement, as Bitcoin Core's incremental relay fee (sat/vB). */
export const INCREMENTAL_RELAY_SAT_PER_VB = 1;

/**
 * Checks a fee policy.
 * @throws MedanchorError `INVALID_FEE_POLICY` for non-positive, non-finite or inverted bounds.
 */
export function assertFeePolicy(policy: FeePolicy): void {
  const { minSatPerVb: min, maxSatPerVb: max } = policy ?? ({} as FeePolicy);
  const ok =
    Number.isFinite(min) &&
    Number.isFinite(max) &&
    min > 0 &&
    max >= min &&
    (policy.bumpFactor === undefined ||
      (Number.isFinite(policy.bumpFactor) && policy.bumpFactor >= 1)) &&
    (policy.targetBlocks === undefined ||
      (Number.isInteger(policy.targetBlocks) && policy.targetBlocks >= 1)) &&
    (policy.onTooHigh === undefined ||
      policy.onTooHigh === 'clamp' ||
      policy.onTooHigh === 'refuse');
  if (!ok) {
    throw new MedanchorError(
      'INVALID_FEE_POLICY',
      'fee policy needs 0 < minSatPerVb <= maxSatPerVb (finite), bumpFactor >= 1, targetBlocks >= 1 and onTooHigh "clamp" or "refuse"',
    );
  }
}

/**
 * The rate to pay for a new anchor: the backend's estimate clamped to the policy's
 * bounds. A missing or nonsensical estimate counts as the minimum.
 *
 * @example
 * ```ts
 * chooseFeeRate(42, { minSatPerVb: 1, maxSatPerVb: 20 }); // 20
 * ```
 * @throws MedanchorError `FEE_TOO_HIGH` when the estimate is above the maximum and the policy says `refuse`.
 */
export function chooseFeeRate(estimate: number, policy: FeePolicy): number {
  assertFeePolicy(policy);
  const e = Number.isFinite(estimate) && estimate > 0 ? estimate : policy.minSatPerVb;
  if (e > policy.maxSatPerVb) {
    if (policy.onTooHigh === 'refuse') {
      throw new MedanchorError(
        'FEE_TOO_HIGH',
        `the fee estimate is above maxSatPerVb: anchor later, raise maxSatPerVb, or set onTooHigh: "clamp"`,
        { details: { estimate: e, maxSatPerVb: policy.maxSatPerVb } },
      );
    }
    return policy.maxSatPerVb;
  }
  return Math.max(e, policy.minSatPerVb);
}

/**
 * The rate of a fee bump (RBF) from `previous`: at least `previous * bumpFactor` and
 * `previous + 1`, at least the current estimate, at most the maximum. `undefined`
 * when the previous rate already is the maximum (nothing left to bump).
 */
export function bumpedFeeRate(
  previous: number,
  estimate: number,
  policy: FeePolicy,
): number | undefined {
  assertFeePolicy(policy);
  if (previous >= policy.maxSatPerVb) return undefined;
  const factor = policy.bumpFactor ?? 1.5;
  const e = Number.isFinite(estimate) && estimate > 0 ? estimate : 0;
  const wanted = Math.max(previous * factor, previous + INCREMENTAL_RELAY_SAT_PER_VB, e);
  return Math.min(wanted, policy.maxSatPerVb);
}

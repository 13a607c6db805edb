import type { AnchorFeePlan } from './build.js';
import { INCREMENTAL_RELAY_SAT_PER_VB } from './fee-policy.js';
import { feeFor } from './tx-size.js';

/** Plans fee and change for `inputs` coins worth `total` at `rate`, paying at least `minFee`. */
export type PlanFee = (
  inputs: number,
  total: bigint,
  rate: number,
  minFee?: bigint,
) => AnchorFeePlan | undefined;

/**
 * The fee plan of a replacement (RBF) over the same coins: at `rate`, and never below
 * the replaced fee plus the incremental relay fee (1 sat/vB) for the replacement's own
 * size (BIP125 rules 3 and 4). `undefined` when the coins cannot pay it.
 *
 * @example
 * ```ts
 * const plan = replacementPlan(planFor, coins, 3, last.fee); // fee >= last.fee + vsize
 * ```
 */
export function replacementPlan(
  planFee: PlanFee,
  coins: readonly { readonly value: bigint }[],
  rate: number,
  replacedFee: bigint,
): AnchorFeePlan | undefined {
  const total = coins.reduce((a, c) => a + c.value, 0n);
  const probe = planFee(coins.length, total, rate);
  if (probe === undefined) return undefined;
  const minFee = replacedFee + feeFor(INCREMENTAL_RELAY_SAT_PER_VB, probe.vsize);
  return planFee(coins.length, total, rate, minFee);
}

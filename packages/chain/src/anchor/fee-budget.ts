import { MedanchorError } from '@medanchor/core';
import type { AnchorRecord } from './state.js';

/** A cap on what anchoring spends in fees over any 24 hours. */
export interface FeeBudget {
  /** Satoshis the anchorer may commit to fees within any 24 hours (rolling window). */
  readonly satsPerDay: bigint;
}

/** The length of the budget's window, seconds. */
export const FEE_BUDGET_WINDOW_S = 86_400;

/** The coins a transaction family spends, as one key: its attempts replace each other. */
export function familyKey(r: Pick<AnchorRecord, 'coins'>): string {
  return r.coins
    .map((c) => `${c.txid}:${c.vout}`)
    .sort()
    .join(',');
}

/**
 * Fees committed since `since` (Unix seconds): per family of transactions that spend
 * the same coins (an anchor, its fee bumps and rolling replacements), only the highest
 * fee signed in the window counts, since at most one of them can confirm. Attempts
 * without a signing time (older states) are not counted.
 */
export function feeSpentSince(records: Iterable<AnchorRecord>, since: number): bigint {
  const families = new Map<string, bigint>();
  for (const r of records) {
    for (const a of r.attempts) {
      if (a.signedAt === undefined || a.signedAt < since) continue;
      const key = familyKey(r);
      const seen = families.get(key);
      if (seen === undefined || a.fee > seen) families.set(key, a.fee);
    }
  }
  let total = 0n;
  for (const fee of families.values()) total += fee;
  return total;
}

/**
 * Checks that signing a transaction paying `fee` (in the family of `coins`) keeps the
 * fees of the last 24 hours within the budget.
 * @throws MedanchorError `FEE_BUDGET_EXCEEDED` (details: `spent`, `fee`, `satsPerDay`
 * as decimal strings) when it would not; the anchor waits and is tried again by `sync()`.
 */
export function assertWithinBudget(
  records: Iterable<AnchorRecord>,
  budget: FeeBudget | undefined,
  nowS: number,
  fee: bigint,
  family: string,
): void {
  if (budget === undefined) return;
  const list = [...records];
  const spent = feeSpentSince(list, nowS - FEE_BUDGET_WINDOW_S);
  // A replacement pays instead of its family's earlier transactions, not on top of them.
  let already = 0n;
  for (const r of list) {
    if (familyKey(r) !== family) continue;
    for (const a of r.attempts)
      if (a.signedAt !== undefined && a.signedAt >= nowS - FEE_BUDGET_WINDOW_S && a.fee > already)
        already = a.fee;
  }
  const extra = fee > already ? fee - already : 0n;
  if (spent + extra > budget.satsPerDay) {
    throw new MedanchorError(
      'FEE_BUDGET_EXCEEDED',
      'this anchor would spend more than the daily fee budget: it waits, and sync() tries again once earlier fees leave the 24-hour window (or raise feeBudget.satsPerDay)',
      {
        details: {
          spent: spent.toString(),
          fee: fee.toString(),
          satsPerDay: budget.satsPerDay.toString(),
        },
      },
    );
  }
}

/** Checks a budget given to the anchorer. @throws MedanchorError `INVALID_ARGUMENT`. */
export function assertFeeBudget(budget: FeeBudget | undefined): void {
  if (budget === undefined) return;
  if (typeof budget.satsPerDay !== 'bigint' || budget.satsPerDay < 0n)
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'feeBudget.satsPerDay must be a non-negative bigint (satoshis)',
    );
}

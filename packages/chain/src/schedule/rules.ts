import { bitsWork } from '../bitcoin/compact.js';
import type { BlockHeader } from '../bitcoin/header.js';
import { type DifficultySchedule, type ScheduleEpoch, scheduleEnd } from './types.js';

/**
 * Seconds a header's time may lie outside its epoch's span (first block of the epoch to
 * first block of the next): 2 hours because a node accepts a block up to 2 hours ahead of
 * its clock, and 2 more because an epoch's first block may carry a time up to the median
 * of the 11 before it, about an hour behind when it was mined, doubled for slow hours.
 */
export const SCHEDULE_TIME_TOLERANCE = 4 * 60 * 60;

/** The schedule rules in the order they run. */
export type ScheduleStep = 'floor' | 'schedule' | 'bits' | 'work' | 'time';

/** Options of {@link checkHeaderAgainstSchedule}. */
export interface ScheduleCheckOptions {
  /** Lowest height accepted (default: the schedule's anchor floor). */
  minHeight?: number;
  /** Least work (expected hashes) of the header's target (default 0: no floor). */
  minWork?: bigint;
  /** Seconds of tolerance around the epoch's span (default {@link SCHEDULE_TIME_TOLERANCE}). */
  timeTolerance?: number;
}

/** A header that fits the schedule at the height it claims. */
export interface ScheduleFit {
  ok: true;
  /** The epoch of the claimed height. */
  epoch: number;
  /** First and last height of that epoch. */
  heights: { first: number; last: number };
  /**
   * Times (Unix seconds) between which a block of that epoch was mined, tolerance included;
   * `to` is absent when the schedule does not know when the next epoch began.
   */
  window: { from: number; to?: number };
}

/** A header the schedule refuses, or cannot judge (`undetermined`: past its data). */
export interface ScheduleMisfit {
  ok: false;
  step: ScheduleStep;
  reason: string;
  /** True when the schedule lacks the data (not a sign of forgery): only level 3 can decide. */
  undetermined: boolean;
}

/** Verdict of {@link checkHeaderAgainstSchedule}. */
export type ScheduleCheck = ScheduleFit | ScheduleMisfit;

const misfit = (step: ScheduleStep, reason: string, undetermined = false): ScheduleMisfit => ({
  ok: false,
  step,
  reason,
  undetermined,
});

function checkFloor(height: number, minHeight: number): ScheduleMisfit | undefined {
  if (height >= minHeight) return undefined;
  return misfit(
    'floor',
    `height ${height} is below ${minHeight}, the first height at which an anchor of this format can exist`,
  );
}

function checkCoverage(schedule: DifficultySchedule, height: number): ScheduleMisfit | undefined {
  const end = scheduleEnd(schedule);
  if (height <= end) return undefined;
  return misfit(
    'schedule',
    `height ${height} is past the end of the bundled difficulty schedule (${end}): only level 3 can verify it (or refresh the schedule)`,
    true,
  );
}

function checkBits(
  epoch: ScheduleEpoch,
  k: number,
  header: BlockHeader,
): ScheduleMisfit | undefined {
  if (epoch.bits === undefined)
    return misfit(
      'schedule',
      `the schedule does not know the difficulty of epoch ${k}: only level 3 can verify it`,
      true,
    );
  if (header.bits === epoch.bits) return undefined;
  return misfit(
    'bits',
    `the header claims bits 0x${header.bits.toString(16)}, but every block of epoch ${k} carries 0x${epoch.bits.toString(16)}`,
  );
}

function checkWork(header: BlockHeader, minWork: bigint): ScheduleMisfit | undefined {
  if (minWork <= 0n || bitsWork(header.bits) >= minWork) return undefined;
  return misfit('work', `the header's target is worth fewer than the ${minWork} hashes required`);
}

/** The span of epoch `k` from the nearest first-block times the schedule knows. */
function epochWindow(
  schedule: DifficultySchedule,
  k: number,
  tolerance: number,
): { from: number; to?: number } {
  let from = 0;
  for (let j = k; j >= 0; j--) {
    const t = schedule.epochs[j]?.firstTime;
    if (t !== undefined) {
      from = t - tolerance;
      break;
    }
  }
  for (let j = k + 1; j < schedule.epochs.length; j++) {
    const t = schedule.epochs[j]?.firstTime;
    if (t !== undefined) return { from, to: t + tolerance };
  }
  return { from };
}

function checkTime(
  header: BlockHeader,
  k: number,
  window: { from: number; to?: number },
): ScheduleMisfit | undefined {
  if (header.time >= window.from && (window.to === undefined || header.time <= window.to))
    return undefined;
  const iso = (t: number) => new Date(t * 1000).toISOString();
  return misfit(
    'time',
    `the header's time ${iso(header.time)} lies outside epoch ${k} (${iso(window.from)} to ${window.to === undefined ? 'now' : iso(window.to)}, tolerance included)`,
  );
}

/**
 * Holds a header to the real difficulty history at the height it claims: the height is not
 * below the anchor floor (`floor`), the schedule covers it (`schedule`, undetermined past
 * its end), the bits are the epoch's real bits (`bits`), its target carries at least
 * `minWork` (`work`), and its time lies in the epoch's span (`time`). With these a forged
 * header costs as much work as a real block of that epoch. Never throws.
 *
 * @example
 * ```ts
 * const r = checkHeaderAgainstSchedule(parseHeader(bytes), 930_000, bundledSchedule('mainnet')!);
 * if (!r.ok) console.log(r.step, r.reason);
 * ```
 */
export function checkHeaderAgainstSchedule(
  header: BlockHeader,
  height: number,
  schedule: DifficultySchedule,
  options: ScheduleCheckOptions = {},
): ScheduleCheck {
  const k = Math.floor(height / schedule.interval);
  const floorFail = checkFloor(height, options.minHeight ?? schedule.anchorFloor);
  if (floorFail !== undefined) return floorFail;
  const coverageFail = checkCoverage(schedule, height);
  if (coverageFail !== undefined) return coverageFail;
  const epoch = schedule.epochs[k]!;
  const fail =
    checkBits(epoch, k, header) ??
    checkWork(header, options.minWork ?? 0n) ??
    checkTime(
      header,
      k,
      epochWindow(schedule, k, options.timeTolerance ?? SCHEDULE_TIME_TOLERANCE),
    );
  if (fail !== undefined) return fail;
  return {
    ok: true,
    epoch: k,
    heights: { first: k * schedule.interval, last: (k + 1) * schedule.interval - 1 },
    window: epochWindow(schedule, k, options.timeTolerance ?? SCHEDULE_TIME_TOLERANCE),
  };
}

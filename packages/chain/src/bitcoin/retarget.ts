import type { NetworkParams } from '../network/params.js';
import { bitsToTarget, targetToBits } from './compact.js';

/** The header fields a retarget reads. */
export interface RetargetHeader {
  /** Header time in seconds. */
  time: number;
  /** Compact target of the header. */
  bits: number;
}

/**
 * The compact target of the first block of the next difficulty epoch:
 * `compact(min(powLimit, target(bits) * clamp(last.time - epochStart.time,
 * timespan/4, timespan*4) / timespan))`, with integer (floor) arithmetic as in
 * Bitcoin Core. `epochStart` is the first header of the ending epoch, `last` its
 * final header. Networks with `noRetarget` keep `last.bits`; networks with
 * `allowMinDifficulty` scale the epoch's first bits instead of the last (BIP94,
 * testnet4), so minimum-difficulty blocks cannot lower the next target.
 *
 * @example
 * ```ts
 * nextBits({ time: 1543838368, bits: 0x1731d97c }, { time: 1545175878, bits: 0x1731d97c }, mainnet);
 * // 0x17371ef4
 * ```
 * @throws MedanchorError `INVALID_BITS` when a header's bits do not encode a valid target.
 */
export function nextBits(
  epochStart: RetargetHeader,
  last: RetargetHeader,
  params: Pick<NetworkParams, 'powLimit' | 'retarget'>,
): number {
  const { targetTimespan, noRetarget, allowMinDifficulty } = params.retarget;
  if (noRetarget) return last.bits;
  const min = Math.floor(targetTimespan / 4);
  const max = targetTimespan * 4;
  const actual = Math.min(max, Math.max(min, last.time - epochStart.time));
  const base = bitsToTarget(allowMinDifficulty ? epochStart.bits : last.bits);
  let target = (base * BigInt(actual)) / BigInt(targetTimespan);
  if (target > params.powLimit) target = params.powLimit;
  return targetToBits(target);
}

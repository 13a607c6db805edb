/**
 * What the bundled schedule knows about one difficulty epoch. A member is absent
 * when the schedule's sources do not know it.
 */
export interface ScheduleEpoch {
  /** The compact target (nBits) every block of the epoch carries. */
  readonly bits?: number;
  /** Time (Unix seconds) of the epoch's first block. */
  readonly firstTime?: number;
  /**
   * The first 16 bytes, internal order, of the hash of the epoch's last block: enough to
   * recognise that block (a second preimage of 128 bits is out of reach), half the size.
   */
  readonly lastHashPrefix?: Uint8Array;
}

/**
 * The real difficulty history of a public network, as data: per epoch of `interval`
 * blocks, its bits, its first block's time and its last block's hash. Level 2
 * verification holds a header to it, level 3 starts header chains from its hashes.
 */
export interface DifficultySchedule {
  /** Network name (`mainnet`, `testnet4`, `signet`). */
  readonly network: string;
  /** Blocks per epoch (2016). */
  readonly interval: number;
  /** Epoch `k` at index `k`, from the genesis epoch on. */
  readonly epochs: readonly ScheduleEpoch[];
  /** The lowest height at which an anchor of this format can exist on this network. */
  readonly anchorFloor: number;
}

/** The last height a schedule covers. */
export function scheduleEnd(schedule: DifficultySchedule): number {
  return schedule.epochs.length * schedule.interval - 1;
}

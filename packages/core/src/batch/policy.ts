import { MedanchorError } from '../errors.js';

/** When a batcher seals on its own. Sealing on demand (`seal()`) is always possible. */
export interface BatchPolicy {
  /**
   * Seal as soon as this many records are durable, and never put more than this many
   * in one batch (default 10 000).
   */
  maxRecords?: number;
  /**
   * Seal when the oldest unsealed record is this old, in milliseconds (default: no
   * time limit).
   */
  maxAgeMs?: number;
}

/** A policy with defaults applied. */
export interface ResolvedBatchPolicy {
  /** Records per batch. */
  readonly maxRecords: number;
  /** Age limit in ms, or undefined. */
  readonly maxAgeMs: number | undefined;
}

/** Default records per batch. */
export const DEFAULT_MAX_RECORDS = 10_000;

/**
 * Applies defaults and checks a policy.
 * @throws {@link MedanchorError} `INVALID_POLICY` for a non-positive or non-integer limit.
 */
export function resolveBatchPolicy(policy: BatchPolicy = {}): ResolvedBatchPolicy {
  const maxRecords = policy.maxRecords ?? DEFAULT_MAX_RECORDS;
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
    throw new MedanchorError('INVALID_POLICY', 'policy.maxRecords must be a positive integer');
  }
  const maxAgeMs = policy.maxAgeMs;
  if (maxAgeMs !== undefined && !(Number.isFinite(maxAgeMs) && maxAgeMs >= 0)) {
    throw new MedanchorError('INVALID_POLICY', 'policy.maxAgeMs must be a finite number >= 0');
  }
  return { maxRecords, maxAgeMs };
}

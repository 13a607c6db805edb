/** How a backend spaces its retries. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 disables retrying). */
  retries: number;
  /** Delay before the first retry, doubled for each later one. */
  baseDelayMs: number;
  /** Upper bound of any single delay. */
  maxDelayMs: number;
}

/** Defaults: 3 retries, 250 ms doubling to at most 5 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
};

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential backoff
 * with "full jitter" (a uniform draw below the exponential ceiling), so many
 * clients failing together do not retry in lockstep. A server's `Retry-After`
 * (seconds) raises the delay, still capped by `maxDelayMs`.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.floor(random() * ceiling);
  const asked =
    retryAfterSeconds !== undefined && retryAfterSeconds >= 0 ? retryAfterSeconds * 1000 : 0;
  return Math.min(policy.maxDelayMs, Math.max(jittered, asked));
}

/** Seconds of an HTTP `Retry-After` header in its delta-seconds form, else undefined. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

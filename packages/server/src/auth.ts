import { MedanchorError, sha256, toHex, utf8 } from '@medanchor/core';

/** One writer allowed to submit, as the operator configures it. The token itself is never stored. */
export interface WriterToken {
  /** Name of the writer (appears in metrics and logs, never the token). */
  readonly name: string;
  /** SHA-256 of the bearer token's UTF-8 bytes, 64 lowercase hex characters. */
  readonly sha256: string;
  /** Sustained submissions per second (records, or requests for reads); default 1000. */
  readonly ratePerSecond?: number;
  /** Largest burst above the sustained rate; default ten seconds' worth. */
  readonly burst?: number;
}

/** The hash a {@link WriterToken} stores for a bearer token: hex SHA-256 of its UTF-8 bytes. */
export function hashToken(token: string): string {
  return toHex(sha256(utf8(token)));
}

interface Bucket {
  readonly writer: WriterToken;
  readonly rate: number;
  readonly burst: number;
  level: number;
  at: number;
}

const HEX64 = /^[0-9a-f]{64}$/;
const BEARER = /^Bearer ([\x21-\x7e]{1,1024})$/;

/**
 * Checks bearer tokens against stored hashes and spends each writer's token bucket.
 * Lookup is by the hash of the presented token, so no comparison runs over a secret.
 */
export class WriterGate {
  private readonly byHash = new Map<string, Bucket>();
  private readonly now: () => number;

  /**
   * @throws MedanchorError `INVALID_ARGUMENT` for a malformed token entry.
   */
  constructor(writers: readonly WriterToken[], now: () => number = Date.now) {
    this.now = now;
    for (const w of writers) {
      if (typeof w.name !== 'string' || w.name.length === 0 || !HEX64.test(w.sha256))
        throw new MedanchorError(
          'INVALID_ARGUMENT',
          'a writer token needs a name and sha256 (64 lowercase hex characters)',
        );
      const rate = w.ratePerSecond ?? 1000;
      const burst = w.burst ?? rate * 10;
      if (!(rate > 0 && burst >= 1))
        throw new MedanchorError('INVALID_ARGUMENT', 'a writer rate and burst must be positive');
      this.byHash.set(w.sha256, { writer: w, rate, burst, level: burst, at: now() });
    }
  }

  /**
   * The writer an `Authorization` header names, after spending `cost` from its bucket.
   * @throws MedanchorError `SERVER_UNAUTHORIZED` (missing, malformed or unknown
   * token) or `SERVER_RATE_LIMITED` (with `details.retryAfter` in seconds).
   */
  admit(header: string | undefined, cost: number): WriterToken {
    const m = header === undefined ? null : BEARER.exec(header);
    const bucket = m === null ? undefined : this.byHash.get(hashToken(m[1]!));
    if (bucket === undefined)
      throw new MedanchorError(
        'SERVER_UNAUTHORIZED',
        'this route needs "Authorization: Bearer <token>" with a token the operator configured',
      );
    const t = this.now();
    bucket.level = Math.min(bucket.burst, bucket.level + ((t - bucket.at) / 1000) * bucket.rate);
    bucket.at = t;
    if (bucket.level < cost) {
      const retryAfter = Math.max(1, Math.ceil((cost - bucket.level) / bucket.rate));
      throw new MedanchorError(
        'SERVER_RATE_LIMITED',
        `writer "${bucket.writer.name}" is over its rate of ${bucket.rate}/s: retry later`,
        { details: { retryAfter } },
      );
    }
    bucket.level -= cost;
    return bucket.writer;
  }
}

import { MedanchorError, sha256, toHex, utf8 } from '@medanchor/core';

/**
 * One writer allowed to submit, as the operator configures it: by bearer token, by TLS
 * client certificate, or both. The token itself is never stored.
 */
export interface WriterToken {
  /** Name of the writer (appears in metrics and logs, never the token). */
  readonly name: string;
  /** SHA-256 of the bearer token's UTF-8 bytes, 64 lowercase hex characters. */
  readonly sha256?: string;
  /**
   * SHA-256 fingerprint of the writer's TLS client certificate (of its DER bytes), 64 hex
   * characters, colons allowed (as `openssl x509 -noout -fingerprint -sha256` prints it).
   * Only a server started with {@link ServerTls} sees client certificates.
   */
  readonly certSha256?: string;
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
const FINGERPRINT = /^[0-9a-fA-F]{2}(:?[0-9a-fA-F]{2}){31}$/;
const BEARER = /^Bearer ([\x21-\x7e]{1,1024})$/;

/**
 * The canonical form of a certificate fingerprint: 64 lowercase hex characters, no colons.
 * @throws MedanchorError `INVALID_ARGUMENT` unless it is 32 bytes of hex, colons optional.
 */
export function normalizeFingerprint(text: string): string {
  if (typeof text !== 'string' || !FINGERPRINT.test(text))
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'a certificate fingerprint is the SHA-256 of its DER bytes: 64 hex characters, colons allowed',
    );
  return text.replaceAll(':', '').toLowerCase();
}

/**
 * Checks writers (a bearer token against stored hashes, or a TLS client certificate
 * against configured fingerprints) and spends each writer's token bucket. Lookup is by
 * the hash of the presented token or certificate, so no comparison runs over a secret.
 */
export class WriterGate {
  private readonly byHash = new Map<string, Bucket>();
  private readonly byCert = new Map<string, Bucket>();
  private readonly now: () => number;

  /**
   * @throws MedanchorError `INVALID_ARGUMENT` for a malformed token entry.
   */
  constructor(writers: readonly WriterToken[], now: () => number = Date.now) {
    this.now = now;
    for (const w of writers) {
      if (
        typeof w !== 'object' ||
        w === null ||
        typeof w.name !== 'string' ||
        w.name.length === 0 ||
        (w.sha256 === undefined && w.certSha256 === undefined) ||
        (w.sha256 !== undefined && !HEX64.test(w.sha256))
      )
        throw new MedanchorError(
          'INVALID_ARGUMENT',
          'a writer needs a name and sha256 (64 lowercase hex characters, the hash of its token) or certSha256 (its client certificate fingerprint)',
        );
      const cert = w.certSha256 === undefined ? undefined : normalizeFingerprint(w.certSha256);
      const rate = w.ratePerSecond ?? 1000;
      const burst = w.burst ?? rate * 10;
      if (!(rate > 0 && burst >= 1))
        throw new MedanchorError('INVALID_ARGUMENT', 'a writer rate and burst must be positive');
      const bucket: Bucket = { writer: w, rate, burst, level: burst, at: now() };
      if (w.sha256 !== undefined) this.byHash.set(w.sha256, bucket);
      if (cert !== undefined) this.byCert.set(cert, bucket);
    }
  }

  /**
   * The writer a verified TLS client certificate (its normalized fingerprint, when the
   * connection has one) or else an `Authorization` header names, after spending `cost`
   * from its bucket.
   * @throws MedanchorError `SERVER_UNAUTHORIZED` (missing, malformed or unknown
   * token or certificate) or `SERVER_RATE_LIMITED` (with `details.retryAfter` in seconds).
   */
  admit(header: string | undefined, cost: number, clientCert?: string): WriterToken {
    let bucket = clientCert === undefined ? undefined : this.byCert.get(clientCert);
    if (bucket === undefined) {
      const m = header === undefined ? null : BEARER.exec(header);
      bucket = m === null ? undefined : this.byHash.get(hashToken(m[1]!));
    }
    if (bucket === undefined)
      throw new MedanchorError(
        'SERVER_UNAUTHORIZED',
        this.byCert.size > 0
          ? 'this route needs a TLS client certificate or "Authorization: Bearer <token>" that the operator configured'
          : 'this route needs "Authorization: Bearer <token>" with a token the operator configured',
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

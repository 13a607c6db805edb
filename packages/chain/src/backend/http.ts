import { MedanchorError } from '@medanchor/core';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
  sleep,
} from './retry.js';

/** The `fetch` a backend uses (the global one by default; injectable for tests and proxies). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Settings shared by every request of one HTTP backend. */
export interface HttpSettings {
  fetch: FetchLike;
  /** Per-attempt timeout. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** For error messages: which backend failed. */
  label: string;
}

/** The outcome of one HTTP attempt, before any retry decision. */
export type Attempt =
  | { kind: 'response'; status: number; body: string; retryAfter?: number }
  | { kind: 'timeout' }
  /** `sent: false` only when the connection was refused or the name did not resolve. */
  | { kind: 'network'; sent: boolean; cause: unknown };

// Errors that prove the request never left: nothing to deduplicate on a retry.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One request with a timeout (AbortController); never throws. */
export async function attemptOnce(
  s: HttpSettings,
  url: string,
  init: { method: 'GET' | 'POST'; body?: string },
): Promise<Attempt> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, s.timeoutMs);
  try {
    const res = await s.fetch(url, {
      method: init.method,
      body: init.body,
      headers: init.body === undefined ? {} : { 'content-type': 'text/plain' },
      signal: controller.signal,
    });
    const body = await res.text();
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
    return retryAfter === undefined
      ? { kind: 'response', status: res.status, body }
      : { kind: 'response', status: res.status, body, retryAfter };
  } catch (e) {
    if (timedOut) return { kind: 'timeout' };
    const code = errorCode(e);
    return { kind: 'network', sent: code === undefined || !NOT_SENT_CODES.has(code), cause: e };
  } finally {
    clearTimeout(timer);
  }
}

/** True for answers worth retrying: overload (429) and server errors (5xx). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** The typed error for an attempt that did not produce a usable answer. */
export function attemptError(s: HttpSettings, what: string, a: Attempt): MedanchorError {
  if (a.kind === 'timeout') {
    return new MedanchorError(
      'TIMEOUT',
      `${s.label}: ${what} took longer than ${s.timeoutMs} ms; retry later or raise timeoutMs`,
      {
        details: { timeoutMs: s.timeoutMs },
      },
    );
  }
  if (a.kind === 'network') {
    return new MedanchorError(
      'BACKEND_UNAVAILABLE',
      `${s.label}: ${what} failed to connect; check the URL and the network`,
      {
        cause: a.cause,
      },
    );
  }
  if (a.status === 404) {
    return new MedanchorError('NOT_FOUND', `${s.label}: ${what} not found (HTTP 404)`, {
      details: { status: 404 },
    });
  }
  if (isRetryableStatus(a.status)) {
    return new MedanchorError(
      'BACKEND_UNAVAILABLE',
      `${s.label}: ${what} answered HTTP ${a.status}; retry later or use another backend`,
      {
        details: { status: a.status },
      },
    );
  }
  return new MedanchorError(
    'BACKEND_BAD_RESPONSE',
    `${s.label}: ${what} answered HTTP ${a.status}; the server may not speak this API`,
    {
      details: { status: a.status },
    },
  );
}

/**
 * GET `url` and return the 2xx body. Idempotent, so network errors, timeouts, 429
 * and 5xx are retried with backoff; 404 is `NOT_FOUND` at once.
 * @throws `MedanchorError` `NOT_FOUND`, `TIMEOUT`, `BACKEND_UNAVAILABLE` or `BACKEND_BAD_RESPONSE`.
 */
export async function httpGet(s: HttpSettings, url: string, what: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const a = await attemptOnce(s, url, { method: 'GET' });
    if (a.kind === 'response' && a.status >= 200 && a.status < 300) return a.body;
    const retryable = a.kind !== 'response' || isRetryableStatus(a.status);
    if (!retryable || attempt >= s.retry.retries) throw attemptError(s, what, a);
    await sleep(retryDelayMs(attempt, s.retry, a.kind === 'response' ? a.retryAfter : undefined));
  }
}

/** Default settings for a backend named `label`. */
export function httpSettings(
  label: string,
  o: {
    fetch?: FetchLike;
    timeoutMs?: number;
    retries?: number;
    retryBaseDelayMs?: number;
    retryMaxDelayMs?: number;
  },
): HttpSettings {
  const f = o.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
  return {
    fetch: f,
    timeoutMs: o.timeoutMs ?? 10_000,
    retry: {
      retries: o.retries ?? DEFAULT_RETRY_POLICY.retries,
      baseDelayMs: o.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: o.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    },
    label,
  };
}

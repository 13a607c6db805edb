import { type Backend, esploraBackend } from '@medanchor/chain/verify';
import { isMedanchorError } from '@medanchor/core';

/** How an explorer's API failed while the page asked it, enough to explain in words. */
export interface ChainSeen {
  /** Why a request never got an answer (refused, unreachable, timed out, blocked by CORS). */
  networkError?: string;
  /** Any other error it caused (bad answers, HTTP errors). */
  error?: string;
}

/** An Esplora backend that remembers how it failed, for the page's explanations. */
export interface ChainProbe {
  backend: Backend;
  /** The URL as the backend uses it (no trailing slash). */
  url: string;
  seen: ChainSeen;
}

// An 8 s timeout and one retry per request: a silent server fails the check within about
// half a minute, not the library's default four tries of 10 s each.
const PAGE_TIMEOUTS = { timeoutMs: 8_000, retries: 1, retryBaseDelayMs: 250 } as const;

/**
 * `esploraBackend` for `url` (fetch only, so it runs in the page), whose failures are
 * recorded in `seen`. "Not found" is an answer, not a failure.
 * @throws `MedanchorError` `INVALID_URL` when `url` is not http(s).
 */
export function probedEsplora(url: string): ChainProbe {
  const base = url.trim().replace(/\/+$/, '');
  const inner = esploraBackend({ url: base, ...PAGE_TIMEOUTS });
  const seen: ChainSeen = {};
  const record = (e: unknown): never => {
    if (isMedanchorError(e, 'NOT_FOUND')) throw e;
    if (isMedanchorError(e, 'BACKEND_UNAVAILABLE') || isMedanchorError(e, 'TIMEOUT')) {
      // With an HTTP status the server did answer (5xx, 429); without one it never did.
      if (e.details['status'] !== undefined) seen.error ??= e.message;
      else if (e.code === 'TIMEOUT')
        seen.networkError ??= `no answer within ${PAGE_TIMEOUTS.timeoutMs / 1000} s`;
      else seen.networkError ??= 'the connection failed';
    } else seen.error ??= isMedanchorError(e) ? e.message : 'the request failed';
    throw e;
  };
  const backend = { ...inner } as Record<string, unknown>;
  for (const [key, value] of Object.entries(inner)) {
    if (typeof value !== 'function') continue;
    backend[key] = (...args: unknown[]) =>
      Promise.resolve()
        .then(() => (value as (...a: unknown[]) => unknown).apply(inner, args))
        .catch(record);
  }
  return { backend: backend as unknown as Backend, url: base, seen };
}

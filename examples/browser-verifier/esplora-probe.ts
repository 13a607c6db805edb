import { type Backend, esploraBackend } from '@medanchor/chain';
import { isMedanchorError } from '@medanchor/core';

/** What the Esplora API answered while level 3 was checked: enough to explain a failure. */
export interface ChainSeen {
  /** Height of its best block. */
  tipHeight?: number;
  /** Hash of its best-chain block at the height asked for. */
  hashAtHeight?: string;
  /** True when it has no block at that height (its chain is shorter). */
  noBlockAtHeight?: boolean;
  /** Why a request never got an answer (refused, unreachable, timed out, blocked by CORS). */
  networkError?: string;
  /** Any other error it caused (bad answers, HTTP errors). */
  error?: string;
}

/** An Esplora backend that records what it saw, for the page's level 3 row. */
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
 * `esploraBackend` for `url` (fetch only, so it runs in the page), with its `tip` and
 * `headerByHeight` answers recorded in `seen`.
 * @throws `MedanchorError` `INVALID_URL` when `url` is not http(s).
 */
export function probedEsplora(url: string): ChainProbe {
  const base = url.trim().replace(/\/+$/, '');
  const inner = esploraBackend({ url: base, ...PAGE_TIMEOUTS });
  const seen: ChainSeen = {};
  const record = (e: unknown, notFound?: () => void): never => {
    if (isMedanchorError(e, 'NOT_FOUND') && notFound) notFound();
    else if (isMedanchorError(e, 'BACKEND_UNAVAILABLE') || isMedanchorError(e, 'TIMEOUT')) {
      // With an HTTP status the server did answer (5xx, 429); without one it never did.
      if (e.details['status'] !== undefined) seen.error ??= e.message;
      else if (e.code === 'TIMEOUT')
        seen.networkError ??= `no answer within ${PAGE_TIMEOUTS.timeoutMs / 1000} s`;
      else seen.networkError ??= 'the connection failed';
    } else seen.error ??= isMedanchorError(e) ? e.message : 'the request failed';
    throw e;
  };
  const backend: Backend = {
    ...inner,
    async tip() {
      try {
        const tip = await inner.tip();
        seen.tipHeight = tip.height;
        return tip;
      } catch (e) {
        return record(e);
      }
    },
    async headerByHeight(height) {
      try {
        const header = await inner.headerByHeight(height);
        seen.hashAtHeight = header.hash;
        return header;
      } catch (e) {
        return record(e, () => {
          seen.noBlockAtHeight = true;
        });
      }
    },
  };
  return { backend, url: base, seen };
}

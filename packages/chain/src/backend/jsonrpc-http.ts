import { MedanchorError, utf8 } from '@medanchor/core';
import { base64 } from '@scure/base';

// A small JSON-RPC 1.0 client over `fetch`, in the dialect of Bitcoin Core: errors come
// back as `{ result: null, error: { code, message } }` with HTTP 500 (or 404 for an
// unknown method), authentication is HTTP Basic. Browser-safe: no Node imports.

/** How a JSON-RPC endpoint is reached. */
export interface JsonRpcHttpOptions {
  /** Endpoint URL, e.g. `http://127.0.0.1:8332/` (a wallet path like `/wallet/x` is fine). */
  url: string;
  /** Basic-auth user; with `password`. Never logged. */
  user?: string;
  /** Basic-auth password; never logged or put in errors. */
  password?: string;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Retries of idempotent calls after network errors, timeouts and 5xx (default 3). */
  retries?: number;
  /** First backoff delay in milliseconds; doubles each retry, full jitter (default 250). */
  backoffMs?: number;
  /** Server error codes worth retrying (Core's -28 "loading block index", for example). */
  retryRpcCodes?: readonly number[];
  /** The `fetch` to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/** Per-call options of {@link JsonRpcHttpClient.call}. */
export interface JsonRpcCallOptions {
  /** False for calls that must never be repeated once they may have reached the server. */
  idempotent?: boolean;
  /** Overrides the client's timeout (slow calls such as `scantxoutset`). */
  timeoutMs?: number;
}

/** A JSON-RPC client; `call` resolves with `result` or throws a MedanchorError. */
export interface JsonRpcHttpClient {
  call<T = unknown>(method: string, params?: unknown[], options?: JsonRpcCallOptions): Promise<T>;
}

/**
 * The error a server answered with, as a MedanchorError with code `RPC_ERROR`:
 * `details.rpcCode` holds the server's numeric code, `details.rpcMessage` its message.
 */
export function isRpcError(e: unknown): e is MedanchorError & {
  details: { rpcCode: number; rpcMessage: string; method: string };
} {
  return e instanceof MedanchorError && e.code === 'RPC_ERROR';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A JSON-RPC 1.0 client over HTTP POST.
 *
 * Idempotent calls (the default) are retried with exponential backoff and full jitter
 * after network errors, timeouts and HTTP 5xx without a JSON-RPC error body. A call
 * made with `idempotent: false` is sent exactly once: after a timeout or a dropped
 * connection the caller cannot know whether it reached the server.
 *
 * @example
 * ```ts
 * const rpc = jsonRpcHttpClient({ url: 'http://127.0.0.1:8332/', user: 'u', password: 'p' });
 * const height = await rpc.call<number>('getblockcount');
 * ```
 */
export function jsonRpcHttpClient(options: JsonRpcHttpOptions): JsonRpcHttpClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 250;
  const retryRpcCodes = options.retryRpcCodes ?? [];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.user !== undefined || options.password !== undefined) {
    const token = base64.encode(utf8(`${options.user ?? ''}:${options.password ?? ''}`));
    headers['authorization'] = `Basic ${token}`;
  }
  let nextId = 1;

  async function once<T>(method: string, params: unknown[], timeout: number): Promise<T> {
    const id = nextId++;
    const body = JSON.stringify({ jsonrpc: '1.0', id, method, params });
    let response: Response;
    try {
      response = await doFetch(options.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeout),
      });
    } catch (cause) {
      const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
      throw new MedanchorError(
        timedOut ? 'RPC_TIMEOUT' : 'RPC_UNREACHABLE',
        timedOut
          ? `${method} got no answer within ${timeout} ms; check the node is up and not overloaded, or raise timeoutMs`
          : `could not reach the JSON-RPC server for ${method}; check the URL and that the node is running`,
        { cause, details: { method, retryable: true } },
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new MedanchorError(
        'RPC_UNAUTHORIZED',
        'the node refused the RPC credentials; check user and password or the cookie file',
        { details: { method, status: response.status } },
      );
    }
    const text = await response.text().catch(() => '');
    let parsed: { result?: unknown; error?: { code?: unknown; message?: unknown } | null } | null =
      null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (parsed !== null && typeof parsed === 'object' && parsed.error) {
      const rpcCode = typeof parsed.error.code === 'number' ? parsed.error.code : 0;
      const rpcMessage = typeof parsed.error.message === 'string' ? parsed.error.message : '';
      throw new MedanchorError('RPC_ERROR', `${method} failed: ${rpcMessage} (code ${rpcCode})`, {
        details: { method, rpcCode, rpcMessage, retryable: retryRpcCodes.includes(rpcCode) },
      });
    }
    if (!response.ok || parsed === null || typeof parsed !== 'object' || !('result' in parsed)) {
      throw new MedanchorError(
        'RPC_BAD_RESPONSE',
        `${method} got HTTP ${response.status} without a JSON-RPC answer; check the URL points at the node's RPC port`,
        { details: { method, status: response.status, retryable: response.status >= 500 } },
      );
    }
    return parsed.result as T;
  }

  return {
    async call<T>(method: string, params: unknown[] = [], callOptions: JsonRpcCallOptions = {}) {
      const idempotent = callOptions.idempotent ?? true;
      const timeout = callOptions.timeoutMs ?? timeoutMs;
      for (let attempt = 0; ; attempt++) {
        try {
          return await once<T>(method, params, timeout);
        } catch (e) {
          const retryable = e instanceof MedanchorError && e.details['retryable'] === true;
          if (!idempotent || !retryable || attempt >= retries) throw e;
          await sleep(Math.random() * backoffMs * 2 ** attempt);
        }
      }
    },
  };
}

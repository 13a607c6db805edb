import { MedanchorError } from '@medanchor/core';

// The Electrum protocol's session layer, independent of how bytes travel: newline-
// delimited JSON-RPC 2.0, `server.version` first on every connection, request ids,
// per-request timeouts, reconnect with backoff, and subscriptions renewed after a
// reconnect. Transports (TCP/TLS in `@medanchor/chain/node`, or your own) plug in.

/** Callbacks a transport calls while a connection is open. */
export interface ElectrumTransportHandlers {
  /** Text received (any chunking; the client reassembles lines). */
  onData(chunk: string): void;
  /** The connection ended, with the reason if it failed. Called at most once. */
  onClose(error?: unknown): void;
}

/** One open connection, as a transport hands it to the client. */
export interface ElectrumConnection {
  /** Sends text (the client writes whole lines ending in `\n`). */
  write(data: string): void;
  /** Closes the connection; the transport then calls `onClose`. */
  close(): void;
}

/**
 * How the client reaches a server. `connect` resolves once the connection can carry
 * data (after the TLS handshake and any certificate check) and rejects otherwise.
 */
export interface ElectrumTransport {
  /** A short description without secrets, e.g. `tls://electrum.example:50002`. */
  readonly name: string;
  connect(handlers: ElectrumTransportHandlers): Promise<ElectrumConnection>;
}

/** Options of {@link electrumClient}. */
export interface ElectrumClientOptions {
  transport: ElectrumTransport;
  /** Per-request timeout in ms (default 30 000). A timeout also drops the connection. */
  timeoutMs?: number;
  /** Reconnects and retries of idempotent requests after a drop or timeout (default 2). */
  retries?: number;
  /** First backoff delay in ms; doubles each retry, full jitter (default 250). */
  backoffMs?: number;
  /** Sent in `server.version` (default `medanchor`). */
  clientName?: string;
  /** Protocol version asked for in `server.version` (default `1.4`). */
  protocolVersion?: string;
  /** Called for server notifications, such as `blockchain.headers.subscribe`. */
  onNotification?: (method: string, params: unknown[]) => void;
  /** Longest accepted line in characters (default 32 MiB); longer drops the connection. */
  maxLineLength?: number;
}

/** Per-request options of {@link ElectrumClient.request}. */
export interface ElectrumRequestOptions {
  /** False for requests that must not be repeated once sent (broadcasts). Default true. */
  idempotent?: boolean;
  timeoutMs?: number;
}

/** A connected-on-demand Electrum protocol client. */
export interface ElectrumClient {
  /** The transport's name. */
  readonly name: string;
  /** `[server software, protocol version]` from the last `server.version`, once connected. */
  readonly serverVersion: readonly [string, string] | undefined;
  /** Sends a request and resolves with its result; throws a MedanchorError otherwise. */
  request<T = unknown>(
    method: string,
    params?: unknown[],
    options?: ElectrumRequestOptions,
  ): Promise<T>;
  /** Closes the connection; later requests fail with `ELECTRUM_CLOSED`. */
  close(): void;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Session {
  conn?: ElectrumConnection;
  pending: Map<number, Pending>;
  buffer: string;
  closed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An Electrum protocol client over any {@link ElectrumTransport}. It connects on the
 * first request, speaks `server.version` first, and reconnects when the connection
 * drops. Idempotent requests are retried after a drop or a timeout; a request sent with
 * `idempotent: false` never is.
 *
 * @example
 * ```ts
 * import { electrumSocketTransport } from '@medanchor/chain/node';
 * const client = electrumClient({
 *   transport: electrumSocketTransport({ host: 'electrum.example', port: 50002, tls: true }),
 * });
 * const tip = await client.request<{ height: number; hex: string }>('blockchain.headers.subscribe');
 * ```
 */
export function electrumClient(options: ElectrumClientOptions): ElectrumClient {
  const { transport } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 250;
  const maxLine = options.maxLineLength ?? 32 * 1024 * 1024;
  const versionParams = [options.clientName ?? 'medanchor', options.protocolVersion ?? '1.4'];
  const subscriptions = new Map<string, { method: string; params: unknown[] }>();
  let nextId = 1;
  let current: Session | undefined;
  let opening: Promise<Session> | undefined;
  let serverVersion: [string, string] | undefined;
  let closedByUser = false;

  function drop(session: Session, error?: unknown): void {
    if (session.closed) return;
    session.closed = true;
    const failure = new MedanchorError(
      'ELECTRUM_DISCONNECTED',
      `the connection to ${transport.name} dropped; the request may be retried`,
      { cause: error, details: { retryable: true } },
    );
    for (const p of session.pending.values()) {
      clearTimeout(p.timer);
      p.reject(failure);
    }
    session.pending.clear();
    try {
      session.conn?.close();
    } catch {}
  }

  function settle(session: Session, message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as {
      id?: unknown;
      result?: unknown;
      error?: { code?: unknown; message?: unknown } | null;
      method?: unknown;
      params?: unknown;
    };
    if (typeof m.id === 'number' && session.pending.has(m.id)) {
      const p = session.pending.get(m.id)!;
      session.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error) {
        const rpcMessage = String(m.error.message ?? '').slice(0, 2000);
        const rpcCode = typeof m.error.code === 'number' ? m.error.code : 0;
        p.reject(
          new MedanchorError(
            'ELECTRUM_ERROR',
            `the Electrum server answered with an error: ${rpcMessage.slice(0, 300)} (code ${rpcCode})`,
            { details: { method: p.method, rpcCode, rpcMessage } },
          ),
        );
      } else p.resolve(m.result);
    } else if (typeof m.method === 'string' && m.id === undefined) {
      options.onNotification?.(m.method, Array.isArray(m.params) ? m.params : []);
    }
  }

  function feed(session: Session, chunk: string): void {
    if (session.closed) return;
    session.buffer += chunk;
    let newline = session.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = session.buffer.slice(0, newline).trim();
      session.buffer = session.buffer.slice(newline + 1);
      if (line !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch (cause) {
          drop(session, cause);
          return;
        }
        for (const message of Array.isArray(parsed) ? parsed : [parsed]) settle(session, message);
      }
      newline = session.buffer.indexOf('\n');
    }
    if (session.buffer.length > maxLine) drop(session, new Error('line too long'));
  }

  function send<T>(session: Session, method: string, params: unknown[], timeout: number) {
    return new Promise<T>((resolve, reject) => {
      if (session.closed || session.conn === undefined) {
        reject(
          new MedanchorError('ELECTRUM_DISCONNECTED', `not connected to ${transport.name}`, {
            details: { retryable: true },
          }),
        );
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        session.pending.delete(id);
        reject(
          new MedanchorError(
            'ELECTRUM_TIMEOUT',
            `${method} got no answer from ${transport.name} within ${timeout} ms; try another server or raise timeoutMs`,
            { details: { method, retryable: true } },
          ),
        );
        // A server that stops answering is unhealthy: start afresh next time.
        drop(session, new Error('request timed out'));
      }, timeout);
      session.pending.set(id, {
        method,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
      });
      try {
        session.conn.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      } catch (cause) {
        drop(session, cause);
      }
    });
  }

  async function open(): Promise<Session> {
    const session: Session = { pending: new Map(), buffer: '', closed: false };
    try {
      session.conn = await transport.connect({
        onData: (chunk) => feed(session, chunk),
        onClose: (error) => drop(session, error),
      });
    } catch (cause) {
      if (cause instanceof MedanchorError) throw cause;
      throw new MedanchorError(
        'ELECTRUM_UNREACHABLE',
        `could not connect to ${transport.name}; check host, port and TLS settings`,
        { cause, details: { retryable: true } },
      );
    }
    if (session.closed) throw new MedanchorError('ELECTRUM_DISCONNECTED', 'closed at once');
    const version = await send<[string, string]>(
      session,
      'server.version',
      versionParams,
      timeoutMs,
    );
    serverVersion = Array.isArray(version) ? [String(version[0]), String(version[1])] : undefined;
    for (const s of subscriptions.values()) await send(session, s.method, s.params, timeoutMs);
    return session;
  }

  async function session(): Promise<Session> {
    if (closedByUser) {
      throw new MedanchorError(
        'ELECTRUM_CLOSED',
        'the Electrum client was closed; create a new one',
      );
    }
    if (current !== undefined && !current.closed) return current;
    opening ??= open()
      .then((s) => {
        current = s;
        return s;
      })
      .finally(() => {
        opening = undefined;
      });
    return opening;
  }

  return {
    name: transport.name,
    get serverVersion() {
      return serverVersion;
    },
    async request<T>(method: string, params: unknown[] = [], opts: ElectrumRequestOptions = {}) {
      const idempotent = opts.idempotent ?? true;
      for (let attempt = 0; ; attempt++) {
        let s: Session;
        try {
          s = await session();
        } catch (e) {
          // Nothing was sent yet: safe to retry even a broadcast.
          const retryable = e instanceof MedanchorError && e.details['retryable'] === true;
          if (!retryable || attempt >= retries) throw e;
          await sleep(Math.random() * backoffMs * 2 ** attempt);
          continue;
        }
        try {
          const result = await send<T>(s, method, params, opts.timeoutMs ?? timeoutMs);
          // Renewed on every later connection, so notifications keep coming.
          if (method.endsWith('.subscribe')) {
            subscriptions.set(`${method} ${JSON.stringify(params)}`, { method, params });
          }
          return result;
        } catch (e) {
          const retryable = e instanceof MedanchorError && e.details['retryable'] === true;
          if (!idempotent || !retryable || attempt >= retries) throw e;
          await sleep(Math.random() * backoffMs * 2 ** attempt);
        }
      }
    },
    close() {
      closedByUser = true;
      if (current !== undefined) drop(current);
    },
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { StoreLedger } from '@medanchor/chain';
import {
  fromHex,
  type LedgerStore,
  MedanchorError,
  type MedanchorErrorCode,
  newSalt,
  type PendingInput,
  type StoredCheckpoint,
  TileTree,
  toHex,
} from '@medanchor/core';
import { WriterGate, type WriterToken } from './auth.js';
import type { CalendarHandler } from './calendar/routes.js';
import { checkpointBytes } from './checkpoint-text.js';
import { peerFingerprint } from './client-cert.js';
import { encodeEntryBundle } from './entry-bundle.js';
import { type HttpError, toHttpError } from './errors.js';
import {
  etagMatches,
  type ImmutableResponse,
  ImmutableResponseCache,
  immutableResponse,
} from './immutable-responses.js';
import { ServerMetrics } from './metrics.js';
import { FULL_WIDTH, parseTilePath, type TileRequest } from './tile-path.js';

/** Limits on what one request may cost the server. */
export interface ServerLimits {
  /** Largest request body in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Most records in one `/add` request (default 1000). */
  readonly maxBatch?: number;
  /** A request must arrive whole within this many ms, else 408 (default 10 000). */
  readonly requestTimeoutMs?: number;
  /** Full tiles and entry bundles kept in memory, encoded (default 4096: about 34 MiB at most). */
  readonly tileCache?: number;
}

/**
 * TLS for the listener. With it the server speaks HTTPS and asks every client for a
 * certificate (not requiring one: readers need none); a writer configured with
 * `certSha256` is then recognised by its certificate instead of a bearer token (mTLS).
 */
export interface ServerTls {
  /** The server's certificate chain, PEM. */
  readonly cert: string;
  /** The server's private key, PEM. */
  readonly key: string;
  /**
   * CA certificates (PEM) a client certificate must chain to before its fingerprint is
   * looked up. Without it a client certificate is trusted by its pinned fingerprint
   * alone (the TLS handshake still proves the client holds its private key).
   */
  readonly clientCa?: string;
}

/** Options of {@link createLogServer}. */
export interface LogServerOptions {
  /** The ledger whose log is served; its store answers the read side. */
  readonly ledger: StoreLedger;
  /** Writers allowed to submit and fetch receipts; none means the write side refuses all. */
  readonly writers?: readonly WriterToken[];
  /** Request limits. */
  readonly limits?: ServerLimits;
  /** Serve HTTPS, and let writers authenticate by client certificate. */
  readonly tls?: ServerTls;
  /**
   * Seal this often, in ms (default 0: never; something else seals): records still pending
   * and records another process sequenced without sealing. A round that finds another
   * sequencer holding the lease does nothing.
   */
  readonly sealEveryMs?: number;
  /** Called with a failed seal round or an unexpected error (never with request content). */
  readonly onError?: (error: unknown) => void;
  /** The OpenTimestamps calendar routes (`POST /digest`, `GET /timestamp/<hex>`): `calendarRoutes(...)`. */
  readonly calendar?: CalendarHandler;
}

/** A log server: a Node `http.Server` plus what it needs to stop cleanly. */
export interface LogServer {
  /** The underlying server, HTTPS when {@link LogServerOptions.tls} is set (not listening until {@link LogServer.listen}). */
  readonly http: Server | HttpsServer;
  /** Starts listening; resolves with the bound address. */
  listen(port: number, host: string): Promise<{ host: string; port: number; url: string }>;
  /** Stops the seal loop and the listener (the ledger and store stay open). */
  close(): Promise<void>;
}

/** One record of an `/add` request body, as JSON. */
interface SubmitItem {
  digest: string;
  recordId?: string;
  version?: number;
  key?: string;
}

/** Cache-Control of a partial tile. */
const PARTIAL = 'public, max-age=60';
const HEX64 = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9]\d{0,15})$/;

function fail(code: MedanchorErrorCode, message: string): never {
  throw new MedanchorError(code, message);
}

function decimal(text: string | undefined, what: string): number {
  if (text === undefined || !DECIMAL.test(text) || !Number.isSafeInteger(Number(text)))
    fail('SERVER_BAD_PATH', `${what} must be a non-negative decimal integer without leading zeros`);
  return Number(text);
}

function parseItem(v: unknown): PendingInput {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail('SERVER_BAD_REQUEST', 'each record is an object {"digest": "<64 hex>", ...}');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['digest', 'recordId', 'version', 'key'].includes(k))
      fail('SERVER_BAD_REQUEST', `unknown record field "${k.slice(0, 40)}"`);
  const it = o as unknown as SubmitItem;
  if (typeof it.digest !== 'string' || !HEX64.test(it.digest))
    fail(
      'SERVER_BAD_REQUEST',
      'digest must be the SHA-256 of the record, 64 lowercase hex characters',
    );
  if (it.recordId !== undefined && typeof it.recordId !== 'string')
    fail('SERVER_BAD_REQUEST', 'recordId must be a string');
  if (it.key !== undefined && typeof it.key !== 'string')
    fail('SERVER_BAD_REQUEST', 'key must be a string');
  if (it.version !== undefined && !(Number.isSafeInteger(it.version) && it.version >= 0))
    fail('SERVER_BAD_REQUEST', 'version must be a non-negative integer');
  if ((it.recordId === undefined) !== (it.version === undefined))
    fail('SERVER_BAD_REQUEST', 'recordId and version go together');
  return {
    salt: newSalt(),
    digest: fromHex(it.digest),
    ...(it.key === undefined ? {} : { key: it.key }),
    ...(it.recordId === undefined ? {} : { recordId: it.recordId, version: it.version! }),
  };
}

/**
 * Creates the HTTP server of a log. Read side (no authentication), exactly as C2SP
 * tlog-tiles: `GET /checkpoint`, `GET /tile/<L>/<N>[.p/<W>]`,
 * `GET /tile/entries/<N>[.p/<W>]` (each entry the record's 32-byte commitment), all at
 * the latest checkpoint; full tiles are cached and marked immutable. Also
 * `GET /proof/consistency/<m>/<n>`, `GET /healthz` and `GET /metrics`.
 *
 * Write side (bearer token, per-writer rate limit): `POST /add` with
 * `{"records": [{"digest", "recordId"?, "version"?, "key"?}]}` answers one
 * acknowledgement per record once the store has it durable;
 * `GET /receipt/leaf/<n>` and `GET /receipt/record/<recordId>/<version>` answer receipts
 * (they hold the salt, so only writers get them).
 *
 * Every refusal is a JSON `{"error": {"code", "message"}}` with a 4xx status and
 * writes nothing. See docs/spec/tiles-http.md.
 */
export function createLogServer(options: LogServerOptions): LogServer {
  const { ledger } = options;
  const store: LedgerStore = ledger.store;
  const gate = new WriterGate(options.writers ?? []);
  const maxBody = options.limits?.maxBodyBytes ?? 1024 * 1024;
  const maxBatch = options.limits?.maxBatch ?? 1000;
  const cacheSize = options.limits?.tileCache ?? 4096;
  const onError = options.onError ?? (() => {});
  const metrics = new ServerMetrics();
  // Full tiles never change: their whole answer is encoded once, keyed by path.
  const fullTiles = new ImmutableResponseCache(cacheSize);
  const hits = {
    tile: [metrics.counter('tile', 200), metrics.counter('tile', 304)] as const,
    entries: [metrics.counter('entries', 200), metrics.counter('entries', 304)] as const,
  };
  let closed = false;

  const httpOptions = {
    requestTimeout: options.limits?.requestTimeoutMs ?? 10_000,
    headersTimeout: Math.min(options.limits?.requestTimeoutMs ?? 10_000, 10_000),
    keepAliveTimeout: 5_000,
    // How often Node looks for requests past their timeout (its default is 30 s).
    connectionsCheckingInterval: Math.min(1_000, options.limits?.requestTimeoutMs ?? 10_000),
  };
  const tls = options.tls;
  const http =
    tls === undefined
      ? createServer(httpOptions)
      : createHttpsServer({
          ...httpOptions,
          cert: tls.cert,
          key: tls.key,
          ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }),
          // Ask for a certificate but let readers in without one; writers are checked per
          // request against the configured fingerprints.
          requestCert: true,
          rejectUnauthorized: false,
        });
  const clientCert = (req: IncomingMessage) =>
    tls === undefined ? undefined : peerFingerprint(req.socket, tls.clientCa !== undefined);

  const send = (
    res: ServerResponse,
    route: string,
    status: number,
    body: Uint8Array | string,
    headers: Record<string, string>,
  ) => {
    metrics.count(route, status);
    res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, route: string, status: number, value: unknown) =>
    send(res, route, status, JSON.stringify(value), {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    });
  const sendError = (res: ServerResponse, route: string, e: HttpError) => {
    if (res.headersSent) return void res.destroy();
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    };
    if (e.retryAfter !== undefined) headers['Retry-After'] = String(e.retryAfter);
    metrics.count(route, e.status);
    const body = JSON.stringify({ error: { code: e.code, message: e.message } });
    res.writeHead(e.status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };

  const latest = async (): Promise<StoredCheckpoint> => {
    const cp = await store.latestCheckpoint();
    if (cp === undefined)
      fail('SERVER_NO_CHECKPOINT', 'the log has no checkpoint yet: nothing is sealed');
    return cp;
  };

  const readTile = async (t: TileRequest): Promise<Uint8Array> => {
    const cp = await latest();
    const start = t.index * FULL_WIDTH;
    if (t.level === 'entries') {
      if (start + t.width > cp.size)
        fail(
          'SERVER_OUTSIDE_TREE',
          `that entry bundle is not in the tree at its checkpoint size ${cp.size}`,
        );
      const leaves = await store.readLeaves(start, t.width);
      return encodeEntryBundle(leaves.map((l) => l.commitment));
    }
    const nodes = Math.floor(cp.size / FULL_WIDTH ** t.level);
    if (start + t.width > nodes)
      fail('SERVER_OUTSIDE_TREE', `that tile is not in the tree at its checkpoint size ${cp.size}`);
    return store.readTile(t.level, t.index, t.width);
  };

  // The hot path: no parsing, no promise, no header object; one Map lookup by the raw URL.
  const sendImmutable = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    r: ImmutableResponse,
  ) => {
    const [ok, notModified] = path.startsWith('/tile/entries/') ? hits.entries : hits.tile;
    if (etagMatches(req.headers['if-none-match'], r.etag)) {
      notModified.n++;
      res.writeHead(304, r.headers304 as string[]);
      res.end();
      return;
    }
    ok.n++;
    res.writeHead(200, r.headers200 as string[]);
    res.end(r.body);
  };

  const tile = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const t = parseTilePath(path);
    const full = t.width === FULL_WIDTH;
    const cached = full ? fullTiles.get(path) : undefined;
    if (cached !== undefined) return sendImmutable(req, res, path, cached);
    const bytes = await readTile(t);
    if (full) {
      const r = immutableResponse(bytes, 'application/octet-stream');
      fullTiles.set(path, r);
      return sendImmutable(req, res, path, r);
    }
    // A partial tile at a given width never changes either (later ones extend it), so it
    // gets an ETag of its bytes; clients only ask for it until the tile fills, so a short
    // lifetime keeps caches small, and it is not kept here.
    sendImmutable(req, res, path, immutableResponse(bytes, 'application/octet-stream', PARTIAL));
  };

  const readBody = (req: IncomingMessage): Promise<Uint8Array> =>
    new Promise((resolve, reject) => {
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) > maxBody) {
        reject(
          new MedanchorError('SERVER_TOO_LARGE', `a request body may be at most ${maxBody} bytes`),
        );
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          reject(
            new MedanchorError(
              'SERVER_TOO_LARGE',
              `a request body may be at most ${maxBody} bytes`,
            ),
          );
          req.removeAllListeners('data');
          req.resume();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
      req.on('error', reject);
    });

  const add = async (req: IncomingMessage, res: ServerResponse) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json(;|$)/i.test(type))
      fail('SERVER_MEDIA_TYPE', 'send the records as Content-Type: application/json');
    // Authenticate before reading the body, so an unknown caller costs nothing more.
    gate.admit(req.headers.authorization, 0, clientCert(req));
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
    } catch {
      fail('SERVER_BAD_JSON', 'the request body is not valid UTF-8 JSON');
    }
    const records = (body as { records?: unknown } | null)?.records;
    if (!Array.isArray(records) || records.length === 0 || records.length > maxBatch)
      fail('SERVER_BAD_REQUEST', `the body is {"records": [...]} with 1 to ${maxBatch} records`);
    const items = records.map(parseItem);
    gate.admit(req.headers.authorization, items.length, clientCert(req));
    const searchFrom = await store.size();
    const acks = await store.addPending(items);
    metrics.submitted += acks.length;
    sendJson(res, 'add', 200, {
      acks: acks.map((a) => ({
        pendingId: (a.duplicateOf ?? a).pendingId,
        commitment: toHex(a.commitment),
        duplicate: a.duplicateOf !== undefined,
        searchFrom,
      })),
    });
  };

  const receipt = async (req: IncomingMessage, res: ServerResponse, parts: string[]) => {
    gate.admit(req.headers.authorization, 1, clientCert(req));
    let r: Awaited<ReturnType<StoreLedger['receipt']>>;
    if (parts[0] === 'leaf' && parts.length === 2) {
      const leaf = decimal(parts[1], 'the leaf index');
      if (leaf >= (await store.size())) fail('SERVER_NOT_FOUND', 'no leaf has that index yet');
      r = await ledger.receipt(leaf);
    } else if (parts[0] === 'record' && parts.length === 3) {
      let id: string;
      try {
        id = decodeURIComponent(parts[1]!);
      } catch {
        fail('SERVER_BAD_PATH', 'the record id is not valid percent-encoding');
      }
      r = await ledger.receiptByRecord(id, decimal(parts[2], 'the version'));
    } else
      fail(
        'SERVER_NOT_FOUND',
        'receipts are at /receipt/leaf/<n> and /receipt/record/<id>/<version>',
      );
    if (r === undefined)
      fail(
        'SERVER_NOT_SEALED',
        'that record is not sealed yet (or unknown): retry after the next seal',
      );
    sendJson(res, 'receipt', 200, r);
  };

  const consistency = async (res: ServerResponse, parts: string[]) => {
    if (parts.length !== 2)
      fail('SERVER_NOT_FOUND', 'consistency proofs are at /proof/consistency/<m>/<n>');
    const m = decimal(parts[0], 'the old size');
    const n = decimal(parts[1], 'the new size');
    const cp = await latest();
    if (m > n || n > cp.size)
      fail(
        'SERVER_OUTSIDE_TREE',
        `sizes must satisfy old <= new <= ${cp.size} (the latest checkpoint)`,
      );
    const proof = await new TileTree(store.readTile.bind(store), n).consistencyProof(m);
    sendJson(res, 'consistency', 200, { oldSize: m, newSize: n, proof: proof.map(toHex) });
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const url = req.url ?? '/';
    if (url.length > 2048 || !url.startsWith('/'))
      fail('SERVER_BAD_PATH', 'the request path is malformed');
    const path = url.split('?')[0]!;
    const method = req.method ?? 'GET';
    const readOnly = method === 'GET' || method === 'HEAD';
    if (options.calendar !== undefined && (await options.calendar(req, res, path)))
      return 'calendar';
    if (path === '/add') {
      if (method !== 'POST') fail('SERVER_METHOD', 'submit records with POST /add');
      await add(req, res);
      return 'add';
    }
    if (!readOnly) fail('SERVER_METHOD', `${path.slice(0, 64)} answers GET only`);
    if (path === '/checkpoint') {
      // With the witnesses' cosignature lines, as tlog-witness logs serve it.
      const cp = await ledger.latestCheckpoint();
      if (cp === undefined)
        fail('SERVER_NO_CHECKPOINT', 'the log has no checkpoint yet: nothing is sealed');
      send(res, 'checkpoint', 200, checkpointBytes(cp), {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-cache',
      });
      return 'checkpoint';
    }
    if (path.startsWith('/tile/')) {
      await tile(req, res, path);
      return 'tile';
    }
    const parts = path.split('/').slice(1);
    if (parts[0] === 'receipt') {
      await receipt(req, res, parts.slice(1));
      return 'receipt';
    }
    if (parts[0] === 'proof' && parts[1] === 'consistency') {
      await consistency(res, parts.slice(2));
      return 'consistency';
    }
    if (path === '/healthz') {
      const cp = await store.latestCheckpoint();
      sendJson(res, 'healthz', 200, {
        ok: true,
        origin: store.origin,
        checkpointSize: cp?.size ?? 0,
      });
      return 'healthz';
    }
    if (path === '/metrics') {
      const [size, pending, cp] = await Promise.all([
        store.size(),
        store.pendingCount(),
        store.latestCheckpoint(),
      ]);
      send(
        res,
        'metrics',
        200,
        metrics.render({
          medanchor_log_size: { help: 'Leaves sequenced into the log.', value: size },
          medanchor_pending_records: {
            help: 'Records acknowledged, not yet sequenced.',
            value: pending,
          },
          medanchor_checkpoint_size: {
            help: 'Size of the latest checkpoint.',
            value: cp?.size ?? 0,
          },
        }),
        { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' },
      );
      return 'metrics';
    }
    fail('SERVER_NOT_FOUND', 'no such route: see docs/spec/tiles-http.md');
  };

  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!closed && (req.method === 'GET' || req.method === 'HEAD')) {
      const cached = fullTiles.get(req.url!);
      if (cached !== undefined) return sendImmutable(req, res, req.url!, cached);
    }
    if (closed)
      return sendError(
        res,
        'closed',
        toHttpError(new MedanchorError('SERVER_CLOSED', 'the server is stopping')),
      );
    route(req, res).catch((e: unknown) => {
      const err = toHttpError(e);
      if (err.status === 500) onError(e);
      // The route name for metrics: tile errors count as "tile", the rest by path head.
      const head = (req.url ?? '').split('/')[1]?.split('?')[0] ?? '';
      const known = ['add', 'checkpoint', 'tile', 'receipt', 'proof', 'healthz', 'metrics'];
      sendError(res, known.includes(head) ? head : 'other', err);
      // A body we refused to read would otherwise keep the socket busy.
      if (err.status === 413) req.socket.end();
    });
  });
  http.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    const status =
      e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : e.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    metrics.count('other', Number(status.slice(0, 3)));
    if (socket.writable)
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });

  let timer: ReturnType<typeof setInterval> | undefined;
  const sealEvery = options.sealEveryMs ?? 0;
  if (sealEvery > 0) {
    let busy = false;
    timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        // Records another process sequenced without sealing (`medanchor stamp` while no
        // server ran) are not pending any more, but still wait for a checkpoint.
        const waiting =
          (await store.pendingCount()) > 0 ||
          (await store.size()) > ((await store.latestCheckpoint())?.size ?? 0);
        if (waiting) await ledger.seal();
      })()
        .catch((e: unknown) => {
          if (!(e instanceof MedanchorError && e.code === 'LEDGER_NOT_SEQUENCER')) onError(e);
        })
        .finally(() => {
          busy = false;
        });
    }, sealEvery);
    timer.unref?.();
  }

  return {
    http,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          const a = http.address() as AddressInfo;
          const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          const scheme = tls === undefined ? 'http' : 'https';
          resolve({ host: a.address, port: a.port, url: `${scheme}://${h}:${a.port}` });
        });
      });
    },
    close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      return new Promise((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections?.();
      });
    },
  };
}

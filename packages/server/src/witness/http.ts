import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ADD_CHECKPOINT_BYTES } from '@medanchor/core';
import type { Witness } from './witness.js';

/** Options of {@link createWitnessServer}. */
export interface WitnessServerOptions {
  /** The witness to serve. */
  readonly witness: Witness;
  /** A request (headers and body) must arrive within this many ms (default 10 000). */
  readonly requestTimeoutMs?: number;
  /** Told about failures that are not the client's (state I/O); never about request bodies. */
  readonly onError?: (error: unknown) => void;
}

/** A witness listening over HTTP. */
export interface WitnessServer {
  /** Starts listening (port 0: a free port); resolves with the base URL. */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Stops accepting and closes idle connections. */
  close(): Promise<void>;
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new TooLarge());
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, 'application/json', JSON.stringify({ error: { code, message } }));
}

/**
 * Serves a witness over HTTP (C2SP tlog-witness): `POST /add-checkpoint`, and for
 * monitors `GET /<hex SHA-256 of the origin>/checkpoint` (the latest cosigned checkpoint)
 * and `GET /healthz`. Errors other than the 409 (whose body the spec fixes) are JSON
 * `{ "error": { "code", "message" } }`; bodies over the largest valid request get 413.
 *
 * @example
 * ```ts
 * const state = await openWitnessState('/var/lib/witness');
 * const witness = createWitness({ key, logs: [{ origin, vkeys: [logVkey] }], state });
 * const { url } = await createWitnessServer({ witness }).listen(0, '127.0.0.1');
 * ```
 */
export function createWitnessServer(options: WitnessServerOptions): WitnessServer {
  const { witness } = options;
  const timeout = options.requestTimeoutMs ?? 10_000;
  const http = createServer({
    requestTimeout: timeout,
    headersTimeout: Math.min(timeout, 10_000),
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: Math.min(1_000, timeout),
  });
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((e) => {
      options.onError?.(e);
      error(res, 500, 'WITNESS_INTERNAL', 'the witness failed to answer this request');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/add-checkpoint') {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return error(res, 405, 'WITNESS_METHOD', 'add-checkpoint takes POST');
      }
      let body: Uint8Array;
      try {
        body = await readBody(req, MAX_ADD_CHECKPOINT_BYTES);
      } catch (e) {
        if (e instanceof TooLarge) {
          res.setHeader('Connection', 'close');
          return error(
            res,
            413,
            'WITNESS_TOO_LARGE',
            `an add-checkpoint body is at most ${MAX_ADD_CHECKPOINT_BYTES} bytes`,
          );
        }
        throw e;
      }
      const answer = await witness.addCheckpoint(body);
      return send(res, answer.status, answer.contentType, answer.body);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return error(res, 405, 'WITNESS_METHOD', 'this path takes GET');
    }
    if (path === '/healthz') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    const m = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path);
    if (m !== null) {
      const note = await witness.latest(m[1]!);
      if (note === undefined)
        return error(
          res,
          404,
          'WITNESS_NO_CHECKPOINT',
          'this witness cosigned nothing for that log',
        );
      return send(res, 200, 'text/plain; charset=utf-8', note);
    }
    return error(
      res,
      404,
      'WITNESS_NOT_FOUND',
      'no such path: POST /add-checkpoint, GET /<origin hash>/checkpoint',
    );
  }

  return {
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          const a = http.address() as AddressInfo;
          const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          resolve({ url: `http://${h}:${a.port}`, port: a.port });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
    },
  };
}

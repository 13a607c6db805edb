// A small Electrum-protocol server for tests, on 127.0.0.1 over TCP or TLS: newline-
// delimited JSON-RPC 2.0, answers from a handler (in memory, or a litecoind node; see
// electrum-server-litecoind.ts). It can stay silent or drop connections on purpose.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

/** Thrown by a handler to answer with a JSON-RPC error. */
export class ElectrumServerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Returned by a handler to never answer (the client must time out). */
export const NO_REPLY = Symbol('no reply');

/** Answers one request. */
export type ElectrumHandler = (method: string, params: unknown[]) => unknown | Promise<unknown>;

/** A running test server. */
export interface TestElectrumServer {
  host: string;
  port: number;
  /** Every request received, in order. */
  requests: { method: string; params: unknown[] }[];
  /** Number of connections accepted so far. */
  connections(): number;
  /** Sends a notification to every open connection. */
  notify(method: string, params: unknown[]): void;
  /** Destroys every open connection (the server keeps listening). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** A self-signed certificate made with the openssl command line, for 127.0.0.1. */
export interface SelfSigned {
  key: string;
  cert: string;
  /** `AB:CD:...`, as Node and openssl print SHA-256 fingerprints. */
  fingerprint256: string;
}

/** A fresh self-signed certificate, or undefined (with a printed reason) without openssl. */
export function selfSignedCertificate(): SelfSigned | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const out = execFileSync(
      'openssl',
      ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'],
      {
        encoding: 'utf8',
      },
    );
    const fingerprint256 = out.trim().split('=')[1] ?? '';
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), fingerprint256 };
  } catch (e) {
    console.warn(
      `[electrum] skipping TLS cases: openssl could not make a certificate (${String(e)})`,
    );
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a server on 127.0.0.1 (a free port) answering with `handler`. */
export async function startElectrumServer(
  handler: ElectrumHandler,
  options: { tls?: { key: string; cert: string } } = {},
): Promise<TestElectrumServer> {
  const requests: { method: string; params: unknown[] }[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;

  const onSocket = (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
        if (line.trim() === '') continue;
        const msg = JSON.parse(line) as { id: number; method: string; params?: unknown[] };
        const params = msg.params ?? [];
        requests.push({ method: msg.method, params });
        void (async () => {
          let reply: unknown;
          try {
            const result = await handler(msg.method, params);
            if (result === NO_REPLY) return;
            reply = { jsonrpc: '2.0', id: msg.id, result };
          } catch (e) {
            const code = e instanceof ElectrumServerError ? e.code : -32603;
            reply = {
              jsonrpc: '2.0',
              id: msg.id,
              error: { code, message: String((e as Error).message) },
            };
          }
          if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
        })();
      }
    });
  };

  const server: Server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onSocket)
    : createServer(onSocket);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no address');

  return {
    host: '127.0.0.1',
    port: address.port,
    requests,
    connections: () => accepted,
    notify(method, params) {
      for (const s of sockets) s.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

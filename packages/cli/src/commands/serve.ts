import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLogServer, type ServerTls, type WriterToken } from '@medanchor/server';
import { calendarRoutes } from '@medanchor/server/calendar';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { inputError, usageError } from '../usage-error.js';
import { openWorkspace } from '../workspace.js';

function parseListen(value: unknown): { host: string; port: number } {
  const text = typeof value === 'string' ? value : '127.0.0.1:8080';
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = m === null ? Number.NaN : Number(m[2]);
  if (m === null || !(port >= 0 && port <= 65535))
    throw usageError('--listen takes <host>:<port>, e.g. 127.0.0.1:8080 (port 0 picks a free one)');
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function loadWriters(file: string | undefined, cwd: string): WriterToken[] {
  if (file === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolve(cwd, file), 'utf8'));
  } catch (e) {
    throw inputError(`cannot read the writers file ${file} as JSON`, e);
  }
  if (!Array.isArray(parsed))
    throw inputError(
      `${file} must be a JSON array of {"name", "sha256" or "certSha256", "ratePerSecond"?}`,
    );
  return parsed as WriterToken[];
}

function readPem(file: string, cwd: string, what: string): string {
  try {
    return readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    throw inputError(`cannot read the ${what} ${file}`, e);
  }
}

/** The TLS options, when --tls-cert and --tls-key are given (both or neither). */
function loadTls(
  values: {
    readonly 'tls-cert'?: string;
    readonly 'tls-key'?: string;
    readonly 'client-ca'?: string;
  },
  cwd: string,
): ServerTls | undefined {
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  const ca = values['client-ca'];
  if (cert === undefined && key === undefined) {
    if (ca !== undefined) throw usageError('--client-ca needs --tls-cert and --tls-key');
    return undefined;
  }
  if (cert === undefined || key === undefined)
    throw usageError('--tls-cert and --tls-key go together (PEM files)');
  return {
    cert: readPem(cert, cwd, 'TLS certificate'),
    key: readPem(key, cwd, 'TLS key'),
    ...(ca === undefined ? {} : { clientCa: readPem(ca, cwd, 'client CA file') }),
  };
}

export const serveCommand = defineCommand({
  path: ['serve'],
  summary: 'serve the log over HTTP: C2SP tiles for anyone, submissions and receipts for writers',
  usage: '',
  description:
    'Serves the ledger of the data directory (file store) or of --store (PostgreSQL) over HTTP: /checkpoint, /tile/<L>/<N> and /tile/entries/<N> as C2SP tlog-tiles, consistency proofs, /healthz and /metrics for anyone; POST /add and receipts for writers named in --writers (bearer tokens stored as SHA-256 hashes, or TLS client certificates by fingerprint). With --tls-cert and --tls-key it serves HTTPS and asks clients for a certificate (mTLS writers; readers need none). Seals pending records every --seal-every seconds when it holds the sequencer lease. Stop with Ctrl-C.',
  options: [
    {
      name: 'listen',
      type: 'string',
      value: '<host:port>',
      description: 'address to listen on (default 127.0.0.1:8080; port 0 picks a free one)',
    },
    {
      name: 'writers',
      type: 'string',
      value: '<file>',
      description:
        'JSON array of writers: [{"name", "sha256" (hex SHA-256 of the token) and/or "certSha256" (client certificate fingerprint), "ratePerSecond"?}]',
    },
    {
      name: 'tls-cert',
      type: 'string',
      value: '<file>',
      description: 'serve HTTPS with this PEM certificate chain (with --tls-key)',
    },
    {
      name: 'tls-key',
      type: 'string',
      value: '<file>',
      description: 'the PEM private key of --tls-cert',
    },
    {
      name: 'client-ca',
      type: 'string',
      value: '<file>',
      description:
        'PEM CA certificates a writer client certificate must chain to (else pinned fingerprints alone)',
    },
    {
      name: 'calendar',
      type: 'string',
      value: '<public-url|auto>',
      description:
        'also answer the OpenTimestamps calendar protocol (POST /digest, GET /timestamp/<hex>) for any client, naming this URL in pending attestations ("auto": the address it listens at); each digest becomes a ledger record',
    },
    {
      name: 'seal-every',
      type: 'string',
      value: '<seconds>',
      description: 'seal pending records this often (default 10; 0 never)',
    },
  ],
  examples: [
    ['medanchor serve --listen 127.0.0.1:8080', 'the log of the data directory'],
    [
      'medanchor serve --store postgres://db/ledger --writers writers.json --json',
      'a PostgreSQL ledger; the URL as JSON',
    ],
    [
      'medanchor serve --listen 0.0.0.0:8443 --tls-cert server.pem --tls-key server.key --writers writers.json',
      'HTTPS; writers by token or client certificate',
    ],
  ],
  arity: [0, 0],
  async run({ args, config, out, io }) {
    const { host, port } = parseListen(args.values['listen']);
    const sealSeconds = Number(args.values['seal-every'] ?? 10);
    if (!(Number.isFinite(sealSeconds) && sealSeconds >= 0))
      throw usageError('--seal-every takes a number of seconds >= 0');
    const writers = loadWriters(args.values['writers'], io.cwd);
    const tls = loadTls(args.values, io.cwd);
    const calendarUrl = args.values['calendar'];
    if (
      calendarUrl !== undefined &&
      calendarUrl !== 'auto' &&
      !/^https?:\/\/[A-Za-z0-9.\-_/:]+$/.test(calendarUrl)
    )
      throw usageError(
        '--calendar takes the public http(s) URL clients reach the server at (letters, digits and . - _ / : only, as OpenTimestamps allows), or auto',
      );
    const ws = await openWorkspace(config, io.env, { anchoring: false, headMap: true });
    try {
      let listening = '';
      const server = createLogServer({
        ledger: ws.ledger,
        ...(calendarUrl === undefined
          ? {}
          : {
              calendar: calendarRoutes({
                ledger: ws.ledger,
                publicUrl: () => (calendarUrl === 'auto' ? listening : calendarUrl),
              }),
            }),
        writers,
        ...(tls === undefined ? {} : { tls }),
        sealEveryMs: Math.round(sealSeconds * 1000),
        onError: (e) => out.info(`serve: ${e instanceof Error ? e.message : 'unexpected failure'}`),
      });
      const bound = await server.listen(port, host);
      listening = bound.url;
      out.result({ ok: true, url: bound.url, origin: ws.store.origin, writers: writers.length }, [
        `serving ${ws.store.origin} at ${bound.url} (${writers.length} writer(s)); Ctrl-C to stop`,
      ]);
      await new Promise<void>((done) => {
        if (io.signal === undefined || io.signal.aborted) return done();
        io.signal.addEventListener('abort', () => done(), { once: true });
      });
      await server.close();
      out.info('server stopped');
      return EXIT_OK;
    } finally {
      await ws.close();
    }
  },
});

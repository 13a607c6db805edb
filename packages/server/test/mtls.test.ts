import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateFingerprint,
  hashToken,
  normalizeFingerprint,
  WriterGate,
} from '../src/index.js';
import { digestOf, type Running, startServer, TOKEN } from './helpers.js';

// Writers authenticated by TLS client certificate (mTLS) instead of a bearer token. The
// certificates are real ones made by the openssl binary in a temp directory.
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!haveOpenssl)
  console.log('mTLS tests skipped: the openssl binary is not installed (apt-get install openssl)');

interface Pair {
  cert: string;
  key: string;
}

let dir = '';
const pki: Record<'ca' | 'server' | 'alice' | 'mallory' | 'selfSigned', Pair> = {} as never;

/** A P-256 key and certificate; signed by the test CA unless `issuer` is null. */
function makeCert(name: string, subject: string, issuer: string | null, ext: string[]): Pair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${subject}`,
      ...ext.flatMap((e) => ['-addext', e]),
      ...(issuer === null
        ? []
        : ['-CA', join(dir, `${issuer}.pem`), '-CAkey', join(dir, `${issuer}.key`)]),
    ],
    { stdio: 'pipe' },
  );
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

beforeAll(() => {
  if (!haveOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'medanchor-mtls-'));
  const leaf = 'basicConstraints=critical,CA:FALSE';
  pki.ca = makeCert('ca', 'medanchor test CA', null, []);
  pki.server = makeCert('server', '127.0.0.1', 'ca', ['subjectAltName=IP:127.0.0.1', leaf]);
  pki.alice = makeCert('alice', 'writer alice', 'ca', [leaf]);
  pki.mallory = makeCert('mallory', 'writer mallory', 'ca', [leaf]);
  pki.selfSigned = makeCert('self', 'writer self-signed', null, [leaf]);
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

interface Answer {
  status: number;
  body: string;
}

/** One HTTPS request that trusts the test CA for the server, with an optional client pair. */
function call(
  url: string,
  method: string,
  path: string,
  opts: { client?: Pair; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<Answer & { resumed: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method,
        ca: pki.ca.cert,
        ...(opts.client === undefined ? {} : { cert: opts.client.cert, key: opts.client.key }),
        headers: opts.headers ?? {},
        agent: opts.agent ?? false,
      },
      (res) => {
        const resumed = (res.socket as import('node:tls').TLSSocket).isSessionReused();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, resumed }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const add = (url: string, i: number, opts: { client?: Pair; headers?: Record<string, string> }) =>
  call(url, 'POST', '/add', {
    ...opts,
    headers: { 'Content-Type': 'application/json', ...opts.headers },
    body: JSON.stringify({ records: [{ digest: digestOf(i), recordId: `rec-${i}`, version: 1 }] }),
  });

describe.skipIf(!haveOpenssl)('mTLS writers', () => {
  it('admits a writer by its pinned client certificate; readers need none; others get 401 and write nothing', async () => {
    running = await startServer({
      tls: { cert: pki.server.cert, key: pki.server.key },
      writers: [
        { name: 'alice', certSha256: certificateFingerprint(pki.alice.cert), ratePerSecond: 1000 },
        { name: 'bearer', sha256: hashToken(TOKEN) },
      ],
    });
    const { url, store, ledger } = running;
    expect(url.startsWith('https://127.0.0.1:')).toBe(true);

    expect((await add(url, 1, { client: pki.alice })).status).toBe(200);
    expect(await store.pendingCount()).toBe(1);

    // A certificate of the same CA that the operator did not configure, no certificate, a
    // bad token: all refused, nothing stored.
    for (const opts of [
      { client: pki.mallory },
      {},
      { headers: { Authorization: 'Bearer not-the-token' } },
    ]) {
      const r = await add(url, 2, opts);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe('SERVER_UNAUTHORIZED');
      expect(r.body).toContain('client certificate');
    }
    expect(await store.pendingCount()).toBe(1);

    // Bearer tokens keep working over TLS, with or without a certificate.
    expect(
      (await add(url, 3, { client: pki.mallory, headers: { Authorization: `Bearer ${TOKEN}` } }))
        .status,
    ).toBe(200);
    expect(await store.pendingCount()).toBe(2);

    // The read side needs no certificate; receipts do.
    await ledger.seal();
    expect((await call(url, 'GET', '/checkpoint')).status).toBe(200);
    expect((await call(url, 'GET', '/tile/0/000.p/2')).status).toBe(200);
    expect((await call(url, 'GET', '/receipt/record/rec-1/1')).status).toBe(401);
    const receipt = await call(url, 'GET', '/receipt/record/rec-1/1', { client: pki.alice });
    expect(receipt.status).toBe(200);
    expect(JSON.parse(receipt.body).record.digest).toBe(digestOf(1));
  });

  it('with a client CA, a pinned certificate must also chain to it', async () => {
    const selfPrint = certificateFingerprint(pki.selfSigned.cert);
    const writers = [
      { name: 'self', certSha256: selfPrint },
      { name: 'alice', certSha256: certificateFingerprint(pki.alice.cert) },
    ];
    running = await startServer({
      tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert },
      writers,
    });
    expect((await add(running.url, 1, { client: pki.selfSigned })).status).toBe(401);
    expect((await add(running.url, 2, { client: pki.alice })).status).toBe(200);
    expect(await running.store.pendingCount()).toBe(1);
    await running.stop();

    // Pinning alone (no CA configured) accepts the self-signed one.
    running = await startServer({ tls: { cert: pki.server.cert, key: pki.server.key }, writers });
    expect((await add(running.url, 1, { client: pki.selfSigned })).status).toBe(200);
  });

  it('a resumed TLS session still names its writer', async () => {
    running = await startServer({
      tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert },
      writers: [{ name: 'alice', certSha256: certificateFingerprint(pki.alice.cert) }],
    });
    // No keep-alive: each request opens a connection, resuming the cached TLS session.
    const agent = new Agent({
      keepAlive: false,
      maxCachedSessions: 4,
      cert: pki.alice.cert,
      key: pki.alice.key,
      ca: pki.ca.cert,
    });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++)
        answers.push(
          await call(running.url, 'POST', '/add', {
            agent,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ records: [{ digest: digestOf(100 + i) }] }),
          }),
        );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers.some((a) => a.resumed)).toBe(true);
      expect(await running.store.pendingCount()).toBe(3);
    } finally {
      agent.destroy();
    }
  });

  it('a plain HTTP server ignores certSha256 writers (no certificate can reach it)', async () => {
    running = await startServer({
      writers: [{ name: 'alice', certSha256: certificateFingerprint(pki.alice.cert) }],
    });
    const r = await fetch(`${running.url}/add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ records: [{ digest: digestOf(1) }] }),
    });
    expect(r.status).toBe(401);
    expect(await running.store.pendingCount()).toBe(0);
  });

  it('computes the fingerprint openssl prints, and refuses what is not a certificate', () => {
    const printed = execFileSync(
      'openssl',
      ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'alice.pem')],
      { encoding: 'utf8' },
    );
    const colons = printed.trim().split('=')[1]!;
    expect(certificateFingerprint(pki.alice.cert)).toBe(normalizeFingerprint(colons));
    expect(() => certificateFingerprint('-----BEGIN CERTIFICATE-----\nAAAA\n')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    // The key's text never appears in the error.
    expect(() => certificateFingerprint(pki.alice.key)).toThrow(/not a PEM X\.509 certificate$/);
  });
});

describe('writer configuration', () => {
  it('needs a token hash or a certificate fingerprint, each well formed', () => {
    const bad = [
      { name: 'none' },
      { name: 'short', certSha256: 'ab:cd' },
      { name: 'upper-token', sha256: 'A'.repeat(64) },
      { name: '', sha256: 'a'.repeat(64) },
    ];
    for (const w of bad)
      expect(() => new WriterGate([w as never]), w.name).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    const gate = new WriterGate([{ name: 'c', certSha256: `${'AB:'.repeat(31)}AB` }]);
    expect(gate.admit(undefined, 1, 'ab'.repeat(32)).name).toBe('c');
    expect(() => gate.admit(undefined, 1, 'cd'.repeat(32))).toThrow(
      expect.objectContaining({ code: 'SERVER_UNAUTHORIZED' }),
    );
  });
});

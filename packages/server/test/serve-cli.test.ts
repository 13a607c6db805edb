// `medanchor serve` on the file store as a real child process, and its usage errors.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, initProject, startServe, stopChild } from '../../cli/test/harness.js';
import { certificateFingerprint, hashToken } from '../src/index.js';

const TOKEN = 'file-serve-writer-token';

describe('medanchor serve on the file store', () => {
  let cwd: string;
  let remove: () => void;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    ({ dir: cwd, remove } = await initProject('serve', 'clinic.example/serve'));
  });
  afterAll(async () => {
    await stopChild(child);
    remove();
  });

  it('refuses a bad --listen, --seal-every or writers file with exit 2 and a hint', async () => {
    writeFileSync(join(cwd, 'bad-writers.json'), '{"not": "an array"}');
    for (const [args, code] of [
      [['--listen', 'localhost'], 'CLI_USAGE'],
      [['--listen', '127.0.0.1:70000'], 'CLI_USAGE'],
      [['--seal-every', '-1'], 'CLI_USAGE'],
      [['--writers', 'bad-writers.json'], 'CLI_INPUT'],
      [['--writers', 'missing.json'], 'CLI_INPUT'],
      [['--tls-cert', 'server.pem'], 'CLI_USAGE'],
      [['--client-ca', 'ca.pem'], 'CLI_USAGE'],
      [['--tls-cert', 'missing.pem', '--tls-key', 'missing.key'], 'CLI_INPUT'],
    ] as const) {
      const r = await cli(['serve', ...args, '--json'], { cwd });
      expect(r.status, args.join(' ')).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe(code);
    }
  });

  it('serves the data directory, seals what writers submit, and stops on SIGINT', async () => {
    writeFileSync(
      join(cwd, 'writers.json'),
      JSON.stringify([{ name: 'w', sha256: hashToken(TOKEN) }]),
    );
    const serve = await startServe(['--writers', 'writers.json', '--seal-every', '0.2'], { cwd });
    child = serve.child;
    const started = serve.ready;
    expect(started.origin).toBe('clinic.example/serve');
    const res = await fetch(`${started.url}/add`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ records: [{ digest: 'ab'.repeat(32) }] }),
    });
    expect(res.status).toBe(200);
    let body = '';
    // Bounded by the clock, not by a count of polls (a loaded machine polls less often).
    const deadline = Date.now() + 30_000;
    while (!body.includes('\n1\n') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const cp = await fetch(`${started.url}/checkpoint`);
      body = cp.status === 200 ? await cp.text() : '';
    }
    // The signed note of the log key `medanchor init` made, with the head map's root line
    // (init turns the head map on for a signed log: docs/spec/head-map.md).
    expect(body).toMatch(
      /^clinic\.example\/serve\n1\n[A-Za-z0-9+/=]{44}\nmedanchor\/head-map\/v1 [A-Za-z0-9+/=]{44}\n\n\u2014 clinic\.example\/serve /,
    );
    expect(await stopChild(child)).toBe(0);
  });
});

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!haveOpenssl)
  console.log(
    'serve --tls test skipped: the openssl binary is not installed (apt-get install openssl)',
  );

describe.skipIf(!haveOpenssl)('medanchor serve --tls-cert (mTLS writers)', () => {
  let cwd: string;
  let remove: () => void;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    ({ dir: cwd, remove } = await initProject('serve-tls', 'clinic.example/tls'));
  });
  afterAll(async () => {
    await stopChild(child);
    remove();
  });

  it('serves HTTPS and takes submissions from a writer known by its client certificate', async () => {
    // Self-signed server and client certificates, each pinned by the other side.
    const make = (name: string, ext: string[]) =>
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
          ...['-keyout', join(cwd, `${name}.key`), '-out', join(cwd, `${name}.pem`)],
          ...['-days', '2', '-subj', `/CN=${name}`, ...ext.flatMap((e) => ['-addext', e])],
        ],
        { stdio: 'pipe' },
      );
    make('server', ['subjectAltName=IP:127.0.0.1']);
    make('client', []);
    const pem = (name: string) => readFileSync(join(cwd, name), 'utf8');
    writeFileSync(
      join(cwd, 'writers.json'),
      JSON.stringify([{ name: 'device', certSha256: certificateFingerprint(pem('client.pem')) }]),
    );
    const serve = await startServe(
      [
        ...['--writers', 'writers.json', '--tls-cert', 'server.pem', '--tls-key', 'server.key'],
        ...['--seal-every', '0'],
      ],
      { cwd },
    );
    child = serve.child;
    const started = serve.ready;
    expect(started.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const post = (withCert: boolean) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          `${started.url}/add`,
          {
            method: 'POST',
            ca: pem('server.pem'),
            ...(withCert ? { cert: pem('client.pem'), key: pem('client.key') } : {}),
            headers: { 'Content-Type': 'application/json' },
            agent: false,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ records: [{ digest: 'cd'.repeat(32) }] }));
      });
    expect(await post(false)).toBe(401);
    expect(await post(true)).toBe(200);
    expect(await stopChild(child)).toBe(0);
  });
});

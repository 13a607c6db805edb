import type { ChildProcess } from 'node:child_process';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeVerifierKey, generateNoteKey, sha256, toHex, utf8 } from '@medanchor/core';
import { hashToken } from '@medanchor/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, firstLine, spawnCli, tempDir } from '../../packages/cli/test/harness.js';

// Interop with an implementation that is not ours: Go's golang.org/x/mod/sumdb/tlog
// (Debian: golang-go, golang-golang-x-mod-dev) reads the tiles `medanchor serve` serves,
// checks them against the checkpoint, proves a record's inclusion and checks our
// consistency proof. test/go-tlog/main.go is the Go side.

const GOPATH = '/usr/share/gocode';
const goSource = fileURLToPath(new URL('../go-tlog/', import.meta.url));
const hasGo = spawnSync('go', ['version']).status === 0;
const hasMod = existsSync(join(GOPATH, 'src/golang.org/x/mod/sumdb/tlog/tlog.go'));
const why = !hasGo
  ? 'go is not installed (apt-get install golang-go)'
  : !hasMod
    ? `golang.org/x/mod is not in ${GOPATH} (apt-get install golang-golang-x-mod-dev)`
    : '';
if (why !== '') console.log(`skipping the Go tlog interop test: ${why}`);

const TOKEN = 'interop-writer-token';

describe.skipIf(why !== '')('Go sumdb/tlog verifies a log served by `medanchor serve`', () => {
  let cwd: string;
  let remove: () => void;
  let serve: ChildProcess;
  let url: string;
  let goBin: string;
  let lying: Server | undefined;
  let vkey: string;
  const commitments: string[] = [];

  // Asynchronous on purpose: a synchronous spawn would stall this process's event loop,
  // and with it the pipes of the server child it started.
  const runGo = (base: string, leaf: number, commitment: string, oldSize: number, key?: string) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        goBin,
        [base, String(leaf), commitment, String(oldSize), ...(key === undefined ? [] : [key])],
        { timeout: 60_000 },
        (e, stdout, stderr) =>
          resolve({
            status: e === null ? 0 : typeof e.code === 'number' ? e.code : -1,
            stdout,
            stderr,
          }),
      );
    });

  beforeAll(async () => {
    ({ dir: cwd, remove } = tempDir('go-tlog'));
    goBin = join(cwd, 'go-tlog');
    execFileSync('go', ['build', '-o', goBin, '.'], {
      cwd: goSource,
      env: {
        ...process.env,
        GOPATH,
        GO111MODULE: 'off',
        GOFLAGS: '',
        // Shared between runs: a cold cache compiles net/http and friends (minutes here).
        GOCACHE: join(tmpdir(), 'medanchor-go-build-cache'),
      },
    });
    const init = await cli(['init', '--origin', 'clinic.example/go-interop', '--json'], { cwd });
    expect(init.status).toBe(0);
    vkey = JSON.parse(init.stdout).vkey;
    writeFileSync(
      join(cwd, 'writers.json'),
      JSON.stringify([{ name: 'interop', sha256: hashToken(TOKEN), ratePerSecond: 100000 }]),
    );
    serve = spawnCli(
      [
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--writers',
        'writers.json',
        '--seal-every',
        '0.2',
        '--json',
      ],
      { cwd },
    );
    url = JSON.parse(await firstLine(serve)).url;
    for (let start = 0; start < 700; start += 350) {
      const records = [];
      for (let i = start; i < start + 350; i++)
        records.push({
          digest: toHex(sha256(utf8(`interop ${i}`))),
          recordId: `r${i}`,
          version: 1,
        });
      const res = await fetch(`${url}/add`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ records }),
      });
      expect(res.status).toBe(200);
      const { acks } = (await res.json()) as { acks: { commitment: string }[] };
      commitments.push(...acks.map((a) => a.commitment));
    }
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${url}/checkpoint`);
      if (res.status === 200 && (await res.text()).split('\n')[1] === '700') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 180_000);

  afterAll(async () => {
    lying?.close();
    if (serve !== undefined && serve.exitCode === null) {
      const exited = new Promise((done) => serve.once('exit', done));
      serve.kill('SIGINT');
      await exited;
    }
    remove?.();
  });

  it('opens the signed checkpoint with our vkey, checks the tree hash, proves inclusion and consistency', async () => {
    for (const [leaf, oldSize] of [
      [517, 300],
      [0, 1],
      [699, 256],
    ] as const) {
      const r = await runGo(url, leaf, commitments[leaf]!, oldSize, vkey);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^ok origin=clinic\\.example/go-interop signed-by=clinic\\.example/go-interop size=700 .* leaf=${leaf} `,
        ),
      );
    }
  });

  it('refuses the checkpoint under another key of the same name', async () => {
    const other = encodeVerifierKey(generateNoteKey('clinic.example/go-interop'));
    const r = await runGo(url, 517, commitments[517]!, 300, other);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FAIL note');
  });

  it('fails on a commitment that is not the leaf', async () => {
    const r = await runGo(url, 517, commitments[518]!, 300);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FAIL entry bundle');
  });

  it('fails when a tile is altered in transit (a lying proxy in front of the real server)', async () => {
    const upstream = new URL(url);
    lying = createServer((req, res) => {
      const up = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method },
        (u) => {
          const chunks: Buffer[] = [];
          u.on('data', (c: Buffer) => chunks.push(c));
          u.on('end', () => {
            const body = Buffer.concat(chunks);
            if (req.url?.startsWith('/tile/0/') && body.length > 40) body[40]! ^= 1;
            res.writeHead(u.statusCode ?? 502, { 'Content-Length': String(body.length) });
            res.end(body);
          });
        },
      );
      up.end();
    });
    await new Promise<void>((r) => lying!.listen(0, '127.0.0.1', r));
    const port = (lying.address() as AddressInfo).port;
    const r = await runGo(`http://127.0.0.1:${port}`, 517, commitments[517]!, 300);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/FAIL (tree hash|inclusion proof)/);
  });
});

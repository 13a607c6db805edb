import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeVerifierKey, generateNoteKey, sha256, toHex, utf8 } from '@medanchor/core';
import { hashToken } from '@medanchor/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject, startServe, stopChild } from '../../packages/cli/test/harness.js';
import { buildGo, goSkipReason, runGo as runGoBinary } from '../helpers/go-build.js';

// Interop with an implementation that is not ours: Go's golang.org/x/mod/sumdb/tlog
// (Debian: golang-go, golang-golang-x-mod-dev) reads the tiles `medanchor serve` serves,
// checks them against the checkpoint, proves a record's inclusion and checks our
// consistency proof. test/go-tlog/main.go is the Go side.

const goSource = fileURLToPath(new URL('../go-tlog/', import.meta.url));
const why = goSkipReason('sumdb/tlog/tlog.go');
if (why !== '') console.log(`skipping the Go tlog interop test: ${why}`);

const TOKEN = 'interop-writer-token';

describe.skipIf(why !== '')('Go sumdb/tlog verifies a log served by `medanchor serve`', () => {
  let cwd: string;
  let remove: () => void;
  let serve: ChildProcess | undefined;
  let url: string;
  let goBin: string;
  let lying: Server | undefined;
  let vkey: string;
  const commitments: string[] = [];

  const runGo = (base: string, leaf: number, commitment: string, oldSize: number, key?: string) =>
    runGoBinary(goBin, [
      base,
      String(leaf),
      commitment,
      String(oldSize),
      ...(key === undefined ? [] : [key]),
    ]);

  beforeAll(async () => {
    const project = await initProject('go-tlog', 'clinic.example/go-interop', ['--json']);
    ({ dir: cwd, remove } = project);
    vkey = JSON.parse(project.init.stdout).vkey;
    goBin = join(cwd, 'go-tlog');
    buildGo(goSource, goBin);
    writeFileSync(
      join(cwd, 'writers.json'),
      JSON.stringify([{ name: 'interop', sha256: hashToken(TOKEN), ratePerSecond: 100000 }]),
    );
    const started = await startServe(['--writers', 'writers.json', '--seal-every', '0.2'], { cwd });
    serve = started.child;
    url = started.ready.url;
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
    await stopChild(serve);
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

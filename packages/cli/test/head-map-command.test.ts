import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParsedArgs } from '../src/command.js';
import { resolveConfig } from '../src/config.js';
import { openWorkspace } from '../src/workspace.js';
import { cleanEnv, cli, initProject, spawnCli, startServe, stopChild } from './harness.js';

// `medanchor head-map check` and `rebuild` on real file stores in temporary folders, each
// verdict reached by a fixed change to the map's files; and every command that seals
// refuses (typed, writing nothing) when the map is gone. No anchoring is needed: the
// regtest default backend is not running, so each seal's anchor fails and its checkpoint
// stands, as in history-postgres.test.ts.

const removals: (() => void)[] = [];
afterAll(() => {
  for (const r of removals) r();
});

interface Project {
  cwd: string;
  run(args: string[]): ReturnType<typeof cli>;
  mapDir: string;
}

async function project(name: string): Promise<Project> {
  const p = await initProject(`head-map-${name}`, `clinic.example/head-map-${name}`);
  removals.push(p.remove);
  return {
    cwd: p.dir,
    run: (args) => cli(args, { cwd: p.dir }),
    mapDir: join(p.dir, '.medanchor', 'store', 'head-map'),
  };
}

/** Stamps the files (each a new version of its record) and seals them: the checkpoint size. */
async function stampAndSeal(p: Project, files: Record<string, number>): Promise<number> {
  for (const [file, value] of Object.entries(files))
    writeFileSync(join(p.cwd, file), JSON.stringify({ resourceType: 'Observation', value }));
  const stamp = await p.run(['stamp', ...Object.keys(files)]);
  expect(stamp.status, stamp.stderr).toBe(0);
  const seal = await p.run(['seal', '--json']);
  expect(seal.status, seal.stderr).toBe(0);
  return JSON.parse(seal.stdout).checkpoint.size;
}

async function check(p: Project) {
  const r = await p.run(['head-map', 'check', '--json']);
  return { status: r.status, doc: JSON.parse(r.stdout || '{}'), stderr: r.stderr };
}

async function proofs(p: Project, records: string[], asOf?: number) {
  const out: unknown[] = [];
  for (const record of records) {
    const r = await p.run([
      'history',
      'prove',
      record,
      ...(asOf === undefined ? [] : ['--as-of', String(asOf)]),
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    out.push(JSON.parse(r.stdout).proof);
  }
  return out;
}

/** Every file of a folder with its bytes (undefined: no folder). */
function snapshot(dir: string): Record<string, string> | undefined {
  if (!existsSync(dir)) return undefined;
  return Object.fromEntries(
    readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
  );
}

function errorOf(r: { stderr: string }): string {
  return r.stderr;
}

const RECORDS = ['a.json', 'b.json', 'c.json'];

describe('medanchor head-map check / rebuild (file store)', () => {
  it('ok on a sealed log; the nodes lost with the secret kept: missing, rebuilt to the same root and proofs', async () => {
    const p = await project('nodes');
    await stampAndSeal(p, { 'a.json': 1, 'b.json': 1 });
    const size = await stampAndSeal(p, { 'a.json': 2, 'c.json': 1 });
    const ok = await check(p);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.doc).toMatchObject({
      ok: true,
      verdict: 'ok',
      logSize: size,
      mapSize: size,
      secret: 'matches',
      entries: { records: 3, versions: 4, missing: 0, damaged: 0 },
    });
    const before = await proofs(p, RECORDS);
    const beforeOld = await proofs(p, ['a.json'], 2);

    rmSync(join(p.mapDir, 'nodes.bin'));
    rmSync(join(p.mapDir, 'nodes.idx'), { force: true });
    const missing = await check(p);
    expect(missing.status).toBe(1);
    expect(missing.doc).toMatchObject({ ok: false, verdict: 'missing', logSize: size });

    const rebuilt = await p.run(['head-map', 'rebuild', '--json']);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({
      ok: true,
      checkpoints: 2,
      size,
      root: ok.doc.signedRoot,
    });
    const again = await check(p);
    expect(again.status, again.stderr).toBe(0);
    expect(again.doc).toEqual(ok.doc);
    expect(await proofs(p, RECORDS)).toEqual(before);
    // Proofs at the older checkpoint too: every signed root was replayed.
    expect(await proofs(p, ['a.json'], 2)).toEqual(beforeOld);
    expect(existsSync(`${p.mapDir}.rebuild`) || existsSync(`${p.mapDir}.old`)).toBe(false);
    // The rebuilt map seals on.
    expect(await stampAndSeal(p, { 'b.json': 2 })).toBe(size + 1);
    expect((await check(p)).doc).toMatchObject({ verdict: 'ok', mapSize: size + 1 });
  }, 120_000);

  it('a swap cut short (the old map set aside, the new one not in place): rebuild puts it right', async () => {
    const p = await project('swap');
    const size = await stampAndSeal(p, { 'a.json': 1, 'b.json': 1 });
    const before = await proofs(p, ['a.json', 'b.json']);
    renameSync(p.mapDir, `${p.mapDir}.old`);
    expect((await check(p)).doc).toMatchObject({ verdict: 'missing' });
    const r = await p.run(['head-map', 'rebuild']);
    expect(r.status, r.stderr).toBe(0);
    expect((await check(p)).doc).toMatchObject({ verdict: 'ok', mapSize: size });
    expect(existsSync(`${p.mapDir}.old`)).toBe(false);
    expect(await proofs(p, ['a.json', 'b.json'])).toEqual(before);
  }, 120_000);

  it('a map restored from an older backup: behind; rebuild brings it level', async () => {
    const p = await project('behind');
    const first = await stampAndSeal(p, { 'a.json': 1, 'b.json': 1 });
    const backup = `${p.mapDir}.backup`;
    cpSync(p.mapDir, backup, { recursive: true });
    const size = await stampAndSeal(p, { 'b.json': 2, 'c.json': 1 });
    const before = await proofs(p, RECORDS);
    rmSync(p.mapDir, { recursive: true });
    renameSync(backup, p.mapDir);
    const behind = await check(p);
    expect(behind.status).toBe(1);
    expect(behind.doc).toMatchObject({
      verdict: 'behind',
      logSize: size,
      mapSize: first,
      entries: { missing: 1 },
    });
    const rebuilt = await p.run(['head-map', 'rebuild']);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toContain('2 signed root(s) matched');
    expect((await check(p)).doc).toMatchObject({ verdict: 'ok', mapSize: size });
    expect(await proofs(p, RECORDS)).toEqual(before);
  }, 120_000);

  it('a damaged node file and a map under another secret: diverged; a rebuild under another secret is refused and writes nothing', async () => {
    const p = await project('diverged');
    // One seal of three records: eight entries, the root written last (bottom-up), so
    // the first entry in nodes.bin is below the root and no older map is whole.
    const size = await stampAndSeal(p, { 'a.json': 1, 'b.json': 1, 'c.json': 1 });
    const before = await proofs(p, RECORDS);
    const bin = join(p.mapDir, 'nodes.bin');
    const damaged = readFileSync(bin);
    damaged[2] = damaged[2]! ^ 0xff;
    writeFileSync(bin, damaged);
    const bad = await check(p);
    expect(bad.status).toBe(1);
    expect(bad.doc).toMatchObject({ verdict: 'diverged', mapSize: 0 });
    expect(bad.doc.entries.damaged + bad.doc.entries.missing).toBeGreaterThan(0);
    const fixed = await p.run(['head-map', 'rebuild']);
    expect(fixed.status, fixed.stderr).toBe(0);
    expect((await check(p)).doc).toMatchObject({ verdict: 'ok', mapSize: size });
    expect(await proofs(p, RECORDS)).toEqual(before);

    // Another secret: the nodes are whole, but the records' keys are not those signed.
    writeFileSync(join(p.mapDir, 'secret'), new Uint8Array(32).fill(7));
    const other = await check(p);
    expect(other.status).toBe(1);
    expect(other.doc).toMatchObject({ verdict: 'diverged', secret: 'differs', mapSize: size });
    const files = snapshot(p.mapDir);
    const refused = await p.run(['head-map', 'rebuild', '--json']);
    expect(refused.status).toBe(2);
    expect(errorOf(refused)).toContain('CLI_HEAD_MAP_REBUILD');
    expect(snapshot(p.mapDir)).toEqual(files);
    expect(existsSync(`${p.mapDir}.rebuild`)).toBe(false);
  }, 120_000);

  it('the map folder deleted: missing; seal, serve and history refuse, and no new secret is made; rebuild refuses', async () => {
    const p = await project('gone');
    const size = await stampAndSeal(p, { 'a.json': 1 });
    rmSync(p.mapDir, { recursive: true });
    expect((await check(p)).doc).toMatchObject({ verdict: 'missing', logSize: size, mapSize: 0 });
    writeFileSync(join(p.cwd, 'b.json'), '{"value":1}');
    expect((await p.run(['stamp', 'b.json'])).status).toBe(0);

    const seal = await p.run(['seal', '--json']);
    expect(seal.status).toBe(2);
    expect(errorOf(seal)).toContain('CLI_HEAD_MAP_MISSING');
    const serve = spawnCli(['serve', '--listen', '127.0.0.1:0', '--json'], { cwd: p.cwd });
    let serveErr = '';
    serve.stderr!.on('data', (d: Buffer) => {
      serveErr += d.toString();
    });
    const serveExit = await new Promise<number | null>((done) => serve.on('exit', done));
    expect(serveExit).toBe(2);
    expect(serveErr).toContain('CLI_HEAD_MAP_MISSING');
    const history = await p.run(['history', 'prove', 'a.json']);
    expect(errorOf(history)).toContain('CLI_HEAD_MAP_MISSING');
    const rebuild = await p.run(['head-map', 'rebuild']);
    expect(rebuild.status).toBe(2);
    expect(errorOf(rebuild)).toContain('CLI_HEAD_MAP_REBUILD');
    // Nothing was sealed and no map was started under a new secret.
    expect(existsSync(p.mapDir)).toBe(false);
    expect(existsSync(`${p.mapDir}.rebuild`)).toBe(false);
    expect((await check(p)).doc).toMatchObject({ verdict: 'missing', logSize: size });
  }, 120_000);

  it('a record forgotten after its seal cannot be replayed: rebuild refuses and writes nothing', async () => {
    const p = await project('forgot');
    await stampAndSeal(p, { 'a.json': 1, 'b.json': 1 });
    const forget = await p.run(['forget', 'a.json']);
    expect(forget.status, forget.stderr).toBe(0);
    // The map itself is still whole: check says ok (the secret is checked on b.json).
    expect((await check(p)).doc).toMatchObject({ verdict: 'ok', secret: 'matches' });
    rmSync(join(p.mapDir, 'nodes.bin'));
    rmSync(join(p.mapDir, 'nodes.idx'), { force: true });
    const files = snapshot(p.mapDir);
    const refused = await p.run(['head-map', 'rebuild']);
    expect(refused.status).toBe(2);
    expect(errorOf(refused)).toContain('CLI_HEAD_MAP_REBUILD');
    expect(errorOf(refused)).toContain('size 2');
    expect(snapshot(p.mapDir)).toEqual(files);
  }, 120_000);

  it('serve seals with the map open: records added over HTTP are signed into a whole map', async () => {
    const p = await project('serve');
    const size = await stampAndSeal(p, { 'a.json': 1 });
    const token = 'head-map-serve-token-0123456789';
    writeFileSync(
      join(p.cwd, 'writers.json'),
      JSON.stringify([{ name: 'w', sha256: createHash('sha256').update(token).digest('hex') }]),
    );
    const { child, ready } = await startServe(
      ['--writers', 'writers.json', '--seal-every', '0.2'],
      {
        cwd: p.cwd,
      },
    );
    let exit: number | null;
    try {
      const records = [
        { recordId: 'Consent/c-1', version: 1 },
        { recordId: 'Consent/c-1', version: 2 },
        { recordId: 'Observation/o-1', version: 1 },
      ].map((r, i) => ({ ...r, digest: createHash('sha256').update(`r${i}`).digest('hex') }));
      const add = await fetch(`${ready.url}/add`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ records }),
      });
      expect(add.status).toBe(200);
      // Waits for the seal (bounded by the test's timeout, not by a clock of its own).
      for (;;) {
        const note = await (await fetch(`${ready.url}/checkpoint`)).text();
        if (Number(note.split('\n')[1]) === size + 3) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      exit = await stopChild(child);
    }
    expect(exit).toBe(0);
    expect((await check(p)).doc).toMatchObject({
      verdict: 'ok',
      mapSize: size + 3,
      secret: 'matches',
      entries: { records: 3, versions: 4 },
    });
    const prove = await p.run(['history', 'prove', 'Consent/c-1', '--json']);
    expect(JSON.parse(prove.stdout)).toMatchObject({ head: { leafIndex: size + 1, count: 2 } });
  }, 120_000);

  it('a command that did not open the map cannot seal: the ledger refuses with CLI_HEAD_MAP_NOT_OPEN', async () => {
    const p = await project('guard');
    const size = await stampAndSeal(p, { 'a.json': 1 });
    writeFileSync(join(p.cwd, 'b.json'), '{"value":2}');
    expect((await p.run(['stamp', 'b.json'])).status).toBe(0);
    const io = {
      cwd: p.cwd,
      env: cleanEnv(),
      stdout: () => {},
      stderr: () => {},
      stderrIsTTY: false,
    };
    const config = resolveConfig({ values: {}, positionals: [] } as ParsedArgs, io);
    const ws = await openWorkspace(config, io.env, { anchoring: false });
    try {
      expect(ws.headMap).toBe(false);
      await expect(ws.ledger.seal()).rejects.toMatchObject({ code: 'CLI_HEAD_MAP_NOT_OPEN' });
      expect((await ws.ledger.latestCheckpoint())?.size).toBe(size);
    } finally {
      await ws.close();
    }
    // The refused seal left the map whole and the record pending: `seal` seals it.
    expect((await check(p)).doc).toMatchObject({ verdict: 'ok', mapSize: size });
    const seal = await p.run(['seal', '--json']);
    expect(seal.status, seal.stderr).toBe(0);
    expect(JSON.parse(seal.stdout).checkpoint.size).toBe(size + 1);
  }, 120_000);

  it('a log that signs no map yet: check says ok, rebuild has nothing to do', async () => {
    const p = await project('empty');
    const c = await check(p);
    expect(c.status, c.stderr).toBe(0);
    expect(c.doc).toMatchObject({ verdict: 'ok', logSize: 0, signedRoot: null });
    const r = await p.run(['head-map', 'rebuild', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ checkpoints: 0, entries: 0 });
  }, 60_000);
});

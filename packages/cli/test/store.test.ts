import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fundingKeyFromSecret, regtest } from '@medanchor/chain';
import { createDevnet, type Devnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { fromHex } from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { offlineReceiptLevel } from '../src/receipt-files.js';
import { cli, tempDir } from './harness.js';

// The CLI on its ledger store, against an in-process devnet served over HTTP on a free
// port (blocks are mined only when a test says so).

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A devnet that funds the wallet of the project in `cwd`, served on 127.0.0.1. */
async function devnetFor(
  cwd: string,
  dataDir = '.medanchor',
): Promise<{ url: string; devnet: Devnet }> {
  const w = JSON.parse(readFileSync(join(cwd, dataDir, 'wallet.json'), 'utf8'));
  const key = fundingKeyFromSecret(fromHex(w.secretKey), w.keyType, regtest);
  const devnet = createDevnet({ seed: `cli store ${cwd}` });
  await devnet.test.mine(2, key.script);
  await devnet.test.mine(100);
  const server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close());
  return { url: server.url, devnet };
}

function project(prefix: string): string {
  const { dir, remove } = tempDir(prefix);
  cleanups.push(remove);
  return dir;
}

const level = (file: string) =>
  offlineReceiptLevel(JSON.parse(readFileSync(`${file}.receipt.json`, 'utf8')));

describe('medanchor --store', () => {
  it('refuses a store URL of an unknown scheme with CLI_STORE_SCHEME, naming the accepted ones, and writes nothing', async () => {
    const cwd = project('scheme');
    expect((await cli(['init'], { cwd })).status).toBe(0);
    writeFileSync(join(cwd, 'a.json'), '{}');
    const before = readdirSync(join(cwd, '.medanchor')).sort();
    for (const args of [
      ['stamp', '--store', 'mysql://db.example/ledger', 'a.json'],
      ['--store', 'mysql://db.example/ledger', 'stamp', 'a.json'],
    ]) {
      const r = await cli([...args, '--json'], { cwd });
      expect(r.status).toBe(2);
      const err = JSON.parse(r.stdout).error;
      expect(err.code).toBe('CLI_STORE_SCHEME');
      expect(err.message).toMatch(/"mysql:".*directory path/);
    }
    const env = await cli(['stamp', 'a.json'], { cwd, env: { MEDANCHOR_STORE: 'ftp://x/y' } });
    expect(env.stderr).toMatch(/CLI_STORE_SCHEME/);
    expect(readdirSync(join(cwd, '.medanchor')).sort()).toEqual(before);
  });

  it('keeps the ledger in the directory --store names', async () => {
    const cwd = project('store-dir');
    expect((await cli(['init', '--store', 'elsewhere'], { cwd })).status).toBe(0);
    const config = JSON.parse(readFileSync(join(cwd, 'medanchor.config.json'), 'utf8'));
    expect(config.store).toBe('elsewhere');
    writeFileSync(join(cwd, 'a.json'), '{"id":"a"}');
    const r = await cli(['stamp', '--json', 'a.json'], { cwd });
    expect(r.status).toBe(0);
    expect(existsSync(join(cwd, 'elsewhere'))).toBe(true);
    expect(existsSync(join(cwd, '.medanchor', 'store'))).toBe(false);
  });
});

describe('receipts beside files follow the store', () => {
  it('`anchor` between `seal` and `upgrade` leaves no receipt behind (regression)', async () => {
    const cwd = project('anchor-between');
    expect((await cli(['init'], { cwd })).status).toBe(0);
    const { url, devnet } = await devnetFor(cwd);
    const env = { MEDANCHOR_ESPLORA_URL: url };
    const files = ['a', 'b'].map((n) => {
      const f = join(cwd, `${n}.json`);
      writeFileSync(f, JSON.stringify({ resourceType: 'Observation', id: n }));
      return f;
    });
    expect((await cli(['stamp', ...files], { cwd, env })).status).toBe(0);
    expect((await cli(['seal'], { cwd, env })).status).toBe(0);
    expect(files.map(level)).toEqual([1, 1]);
    await devnet.test.mine(1);
    const anchor = await cli(['anchor', '--json'], { cwd, env });
    expect(anchor.status).toBe(0);
    expect(JSON.parse(anchor.stdout)).toMatchObject({
      receiptsWritten: 2,
      anchors: [{ status: 'confirmed', receipts: 2 }],
    });
    expect(files.map(level)).toEqual([2, 2]); // `anchor` wrote them
    await devnet.test.mine(5);
    const upgrade = await cli(['upgrade', '--json'], { cwd, env });
    expect(upgrade.status).toBe(0);
    const up = JSON.parse(upgrade.stdout);
    expect(up.anchors[0]).toMatchObject({ confirmations: 6 });
    expect(files.map(level)).toEqual([2, 2]);
    const verify = await cli(['verify', '--json', files[0]!, `${files[0]}.receipt.json`], {
      cwd,
      env,
    });
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, level: 3 });
  });

  it('re-stamping an anchored, unchanged file keeps its receipt; a changed one gets a new receipt beside the old', async () => {
    const cwd = project('restamp');
    expect((await cli(['init'], { cwd })).status).toBe(0);
    const { url, devnet } = await devnetFor(cwd);
    const env = { MEDANCHOR_ESPLORA_URL: url };
    const file = join(cwd, 'scan.json');
    writeFileSync(file, '{"resourceType":"Media","id":"scan"}');
    expect((await cli(['stamp', file], { cwd, env })).status).toBe(0);
    expect((await cli(['seal'], { cwd, env })).status).toBe(0);
    await devnet.test.mine(1);
    expect((await cli(['upgrade'], { cwd, env })).status).toBe(0);
    const anchored = readFileSync(`${file}.receipt.json`, 'utf8');
    expect(level(file)).toBe(2);

    const again = await cli(['stamp', file], { cwd, env });
    expect(again.stdout).toMatch(/unchanged since its stamp \(leaf 0\): its receipt is kept/);
    const seal = await cli(['seal', '--json'], { cwd, env });
    expect(JSON.parse(seal.stdout).sealed).toBe(0);
    expect(readFileSync(`${file}.receipt.json`, 'utf8')).toBe(anchored);

    writeFileSync(file, '{"resourceType":"Media","id":"scan","note":"re-read"}');
    const changed = JSON.parse((await cli(['stamp', '--json', file], { cwd, env })).stdout);
    const newReceipt = changed.stamped[0].receipt as string;
    expect(newReceipt).not.toBe(`${file}.receipt.json`);
    expect(JSON.parse((await cli(['seal', '--json'], { cwd, env })).stdout).sealed).toBe(1);
    expect(readFileSync(`${file}.receipt.json`, 'utf8')).toBe(anchored); // never replaced
    const fresh = JSON.parse(readFileSync(newReceipt, 'utf8'));
    expect(fresh.leafIndex).toBe(1);
    expect(
      (await cli(['verify', '--offline', '--min-level', '1', file, newReceipt], { cwd, env }))
        .status,
    ).toBe(0);
  });

  it('a project folder moved elsewhere keeps working: receipts land beside the moved files', async () => {
    const first = project('moved-a');
    expect((await cli(['init'], { cwd: first })).status).toBe(0);
    mkdirSync(join(first, 'records'));
    const name = join('records', 'lab.json');
    writeFileSync(join(first, name), '{"resourceType":"Observation","id":"lab"}');
    expect((await cli(['stamp', name], { cwd: first })).status).toBe(0);
    const moved = project('moved-b');
    cpSync(first, moved, { recursive: true });
    const { url } = await devnetFor(moved);
    const seal = await cli(['seal', '--json'], { cwd: moved, env: { MEDANCHOR_ESPLORA_URL: url } });
    expect(JSON.parse(seal.stdout)).toMatchObject({ sealed: 1, receiptsWritten: 1 });
    expect(existsSync(`${join(moved, name)}.receipt.json`)).toBe(true);
    expect(existsSync(`${join(first, name)}.receipt.json`)).toBe(false);
  });
});

describe('a data directory made by the previous release (0.0.0, before the store)', () => {
  const fixture = fileURLToPath(new URL('./fixtures/release-0.0.0', import.meta.url));

  it('is upgraded in place with a backup: old receipts verify, unsealed records get sealed and anchored, the log continues', async () => {
    const cwd = project('release');
    cpSync(fixture, cwd, { recursive: true });
    const madeIn = readFileSync(join(cwd, 'MADE-IN.txt'), 'utf8').trim();
    expect(madeIn).not.toBe(cwd); // the project moved: stamps.jsonl names the old place
    const { url, devnet } = await devnetFor(cwd);
    const env = { MEDANCHOR_ESPLORA_URL: url };
    const rec = (n: string) => join(cwd, 'records', `${n}.json`);
    const before = readFileSync(`${rec('a')}.receipt.json`, 'utf8');

    // `anchor` is the first command: it upgrades the directory and anchors the batch that
    // was sealed while the backend was down.
    const anchor = await cli(['anchor', '--json'], { cwd, env });
    expect(anchor.status).toBe(0);
    const backup = join(cwd, '.medanchor', 'pre-store-backup');
    for (const f of ['journal.bin', 'log', 'receipts', 'anchors.json', 'stamps.jsonl'])
      expect(existsSync(join(backup, f))).toBe(true);
    expect(existsSync(join(cwd, '.medanchor', 'journal.bin'))).toBe(false);
    const statuses = JSON.parse(anchor.stdout).anchors;
    expect(
      statuses.map((s: { status: string; receipts: number }) => [s.status, s.receipts]),
    ).toEqual([
      ['final', 3],
      ['pending', 2],
    ]);
    // The first batch's receipts are untouched and still verify (level 2 offline).
    expect(readFileSync(`${rec('a')}.receipt.json`, 'utf8')).toBe(before);
    for (const n of ['a', 'b', 'c']) {
      const v = await cli(['verify', '--offline', '--json', rec(n), `${rec(n)}.receipt.json`], {
        cwd,
      });
      expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, level: 2 });
    }
    // The records acknowledged but never sealed are sealed now, as the next leaves.
    const seal = JSON.parse((await cli(['seal', '--json'], { cwd, env })).stdout);
    expect(seal).toMatchObject({
      sealed: 2,
      checkpoint: { size: 7 },
      anchor: { status: 'pending' },
    });
    await devnet.test.mine(1);
    const up = JSON.parse((await cli(['upgrade', '--json'], { cwd, env })).stdout);
    expect(up.upgraded).toBe(4);
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => level(rec(n)))).toEqual([
      2, 2, 2, 2, 2, 2, 2,
    ]);
    expect(JSON.parse(readFileSync(`${rec('g')}.receipt.json`, 'utf8')).leafIndex).toBe(6);
    // New records continue the same log; an old, unchanged file is not stamped again.
    writeFileSync(rec('h'), '{"resourceType":"Observation","id":"h"}');
    const stamp = JSON.parse(
      (await cli(['stamp', '--json', rec('h'), rec('a')], { cwd, env })).stdout,
    );
    expect(
      stamp.stamped.map((s: { leafIndex: number; unchanged: boolean }) => [
        s.leafIndex,
        s.unchanged,
      ]),
    ).toEqual([
      [7, false],
      [0, true],
    ]);
    // stamps.jsonl now names files relative to the project folder.
    const lines = readFileSync(join(cwd, '.medanchor', 'stamps.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).path)).toContain('records/a.json');
  });

  it('refuses to upgrade a log of another origin (CLI_UPGRADE) and changes nothing; a half-built store from a crash is started over', async () => {
    const cwd = project('release-origin');
    cpSync(fixture, cwd, { recursive: true });
    const configPath = join(cwd, 'medanchor.config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(configPath, JSON.stringify({ ...config, origin: 'other.example/log' }));
    const before = readdirSync(join(cwd, '.medanchor')).sort();
    const r = await cli(['stamp', '--json', join(cwd, 'records', 'a.json')], { cwd });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'CLI_UPGRADE',
      message: expect.stringContaining('"clinic.example/release-fixture"'),
    });
    expect(readdirSync(join(cwd, '.medanchor')).sort()).toEqual(before);
    // With the right origin, and a store left half-built by a killed upgrade.
    writeFileSync(configPath, JSON.stringify(config));
    mkdirSync(join(cwd, '.medanchor', 'store.migrating'));
    writeFileSync(join(cwd, '.medanchor', 'store.migrating', 'junk'), 'x');
    const ok = await cli(['stamp', '--json', join(cwd, 'records', 'a.json')], { cwd });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).stamped[0]).toMatchObject({ leafIndex: 0, unchanged: true });
    expect(existsSync(join(cwd, '.medanchor', 'store.migrating'))).toBe(false);
  });
});

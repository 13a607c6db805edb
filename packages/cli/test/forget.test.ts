import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInTree, type Secret, secretForms } from '../../chain/test/ledger/forget-scenario.js';
import { cli, type DevnetProject, spawnCli, startDevnetProject } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// `medanchor forget` end to end: stamp, seal, anchor on a devnet child process, verify at
// level 3, encrypt one record, forget it; then every byte of every file of the project
// folder (the data directory .medanchor with its store, journal, index, stamp list,
// anchors and leftovers, the receipts and envelopes beside the files) is searched for the
// record's salt and digest.

let project: DevnetProject;
let cwd: string;
const env = () => project.env;

beforeAll(async () => {
  project = await startDevnetProject('forget', 'clinic.example/cli-forget');
  cwd = project.cwd;
});

afterAll(() => project?.stop());

const json = (r: { stdout: string }) => JSON.parse(r.stdout);

describe('medanchor forget', () => {
  it('erases a record from the data directory and beside it; the others verify at level 3', async () => {
    mkdirSync(join(cwd, 'records'));
    const files = ['obs-1', 'obs-2', 'obs-3'].map((id) => {
      const f = join(cwd, 'records', `${id}.json`);
      writeFileSync(f, JSON.stringify({ resourceType: 'Observation', id, valueQuantity: 7.8 }));
      return f;
    });
    const [obs1, obs2, obs3] = files as [string, string, string];
    expect((await cli(['stamp', ...files], { cwd, env: env() })).status).toBe(0);
    expect((await cli(['seal'], { cwd, env: env() })).status).toBe(0);
    const up = await cli(['upgrade', '--wait', '--interval', '0.2', '--timeout', '60'], {
      cwd,
      env: env(),
    });
    expect(up.status).toBe(0);
    for (const f of files) {
      const v = await cli(['verify', f, `${f}.receipt.json`, '--json'], { cwd, env: env() });
      expect(json(v)).toMatchObject({ ok: true, level: 3 });
    }
    expect((await cli(['keys', 'new', '-o', 'dr.key.json'], { cwd })).status).toBe(0);
    expect((await cli(['encrypt', '--to', 'dr.key.json', obs1], { cwd })).status).toBe(0);
    const receipt = JSON.parse(readFileSync(`${obs1}.receipt.json`, 'utf8'));
    const secrets: Secret[] = [
      ...secretForms('salt', fromHex(receipt.record.salt)),
      ...secretForms('digest', fromHex(receipt.record.digest)),
    ];
    // The search sees them before (receipt, stamp list, store files).
    const before = findInTree(cwd, secrets).hits;
    expect(before.some((h) => h.startsWith('.medanchor/'))).toBe(true);
    expect(before.some((h) => h.startsWith('records/obs-1.json.receipt.json'))).toBe(true);

    // Legal hold: refused, nothing erased.
    writeFileSync(
      join(cwd, '.medanchor', 'legal-holds.json'),
      JSON.stringify({ holds: [{ recordId: 'records/obs-2.json', reason: 'case 2026-17' }] }),
    );
    const held = await cli(['forget', obs2, '--json'], { cwd });
    expect(held.status).not.toBe(0);
    expect(json(held).error.code).toBe('LEDGER_LEGAL_HOLD');

    const forgot = await cli(['forget', 'records/obs-1.json', '--json'], { cwd });
    expect(forgot.status).toBe(0);
    const done = json(forgot);
    expect(done).toMatchObject({ ok: true, recordId: 'records/obs-1.json' });
    expect(done.forgotten).toEqual([
      { leafIndex: receipt.leafIndex, forgottenAt: expect.any(String) },
    ]);
    expect(done.envelopesShredded).toEqual([`${obs1}.menv`]);

    // Every byte of the project folder: nothing.
    const after = findInTree(cwd, secrets);
    expect(after.files).toBeGreaterThan(10);
    expect(after.hits).toEqual([]);

    // The receipt is a tombstone now: verify says forgotten, and when.
    const tomb = JSON.parse(readFileSync(`${obs1}.receipt.json`, 'utf8'));
    expect(tomb).toEqual({
      type: 'medanchor/tombstone',
      version: 1,
      origin: 'clinic.example/cli-forget',
      leafIndex: receipt.leafIndex,
      commitment: receipt.record.commitment,
      forgottenAt: done.forgotten[0].forgottenAt,
    });
    const v = await cli(['verify', obs1, `${obs1}.receipt.json`, '--json'], { cwd, env: env() });
    expect(v.status).toBe(1);
    expect(json(v)).toMatchObject({ ok: false, outcome: 'invalid', level: 0 });
    expect(json(v).levels[0]).toMatchObject({ status: 'fail', step: 'forgotten' });
    expect(json(v).levels[0].detail).toContain(`forgotten on ${done.forgotten[0].forgottenAt}`);
    const text = await cli(['verify', obs1, `${obs1}.receipt.json`], { cwd, env: env() });
    expect(text.stdout).toMatch(/FAIL level 1 .*step "forgotten": the record was forgotten on /);
    // The old receipt, salt and all, would still match the file: that is why it is gone.
    // The envelope cannot be opened by its recipient any more.
    const dec = await cli(['decrypt', '--key', 'dr.key.json', '-o', 'x.out', `${obs1}.menv`], {
      cwd,
    });
    expect(dec.status).toBe(1);
    expect(dec.stderr).toMatch(/ENVELOPE_SHREDDED/);

    // The others still verify at level 3, also after another seal.
    expect((await cli(['seal'], { cwd, env: env() })).status).toBe(0);
    expect(JSON.parse(readFileSync(`${obs1}.receipt.json`, 'utf8')).type).toBe(
      'medanchor/tombstone',
    );
    for (const f of [obs2, obs3]) {
      const r = await cli(['verify', f, `${f}.receipt.json`, '--json'], { cwd, env: env() });
      expect(json(r)).toMatchObject({ ok: true, level: 3 });
    }

    // Twice, and an id never stamped: nothing to forget, said so.
    for (const id of ['records/obs-1.json', 'records/never.json']) {
      const r = await cli(['forget', id, '--json'], { cwd });
      expect(r.status).toBe(2);
      expect(json(r).error.code).toBe('CLI_FORGET_UNKNOWN');
    }
    expect(findInTree(cwd, secrets).hits).toEqual([]);
  }, 120_000);

  it('a forget killed (SIGKILL) anywhere is finished by running it again', async () => {
    mkdirSync(join(cwd, 'records'), { recursive: true });
    const files = [0, 1, 2, 3, 4, 5, 6].map((i) => {
      const f = join(cwd, 'records', `crash-${i}.json`);
      writeFileSync(f, JSON.stringify({ resourceType: 'Observation', id: `crash-${i}` }));
      return f;
    });
    expect((await cli(['stamp', ...files], { cwd, env: env() })).status).toBe(0);
    expect((await cli(['seal'], { cwd, env: env() })).status).toBe(0);
    const landed = { before: 0, during: 0, after: 0 };
    // How long one whole run takes here (startup included): the kills are spread over its
    // last half, where the steps are.
    const t0 = Date.now();
    const whole = spawnCli(['forget', files[6]!], { cwd });
    await new Promise((done) => whole.once('exit', done));
    const runMs = Date.now() - t0;
    for (const [i, f] of files.slice(0, 6).entries()) {
      const receipt = JSON.parse(readFileSync(`${f}.receipt.json`, 'utf8'));
      const secrets: Secret[] = [
        ...secretForms('salt', fromHex(receipt.record.salt)),
        ...secretForms('digest', fromHex(receipt.record.digest)),
      ];
      // The real executable, killed after a delay spread over its run (startup included).
      const child = spawnCli(['forget', f], { cwd });
      const exited = new Promise((done) => child.once('exit', done));
      await sleep(Math.round(runMs * (0.5 + 0.11 * i)));
      child.kill('SIGKILL');
      await exited;
      const stamps = readFileSync(join(cwd, '.medanchor', 'stamps.jsonl'), 'utf8');
      const tombstoned = readFileSync(`${f}.receipt.json`, 'utf8').includes('medanchor/tombstone');
      const listed = stamps.includes(`crash-${i}.json`);
      // Again, in full: it finishes (or finds nothing left if the killed run had finished).
      const again = await cli(['forget', f, '--json'], { cwd });
      expect([0, 2]).toContain(again.status);
      if (again.status === 2) expect(json(again).error.code).toBe('CLI_FORGET_UNKNOWN');
      if (again.status === 2) landed.after++;
      else if (tombstoned || !listed) landed.during++;
      else landed.before++; // or inside the store's forget, which opening finishes
      expect(findInTree(cwd, secrets).hits).toEqual([]);
      expect(JSON.parse(readFileSync(`${f}.receipt.json`, 'utf8')).type).toBe(
        'medanchor/tombstone',
      );
    }
    // Where each kill landed is not controlled (timing); printed for the log.
    console.log(
      `forget kill test: one run ${runMs} ms; kills before or in the store step ${landed.before}, between the steps beside the files ${landed.during}, after the end ${landed.after}`,
    );
  }, 120_000);
});

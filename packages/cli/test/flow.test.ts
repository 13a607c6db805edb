import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, execCli, firstLine, spawnCli, tempDir } from './harness.js';

// The command line end to end, as a user runs it: `medanchor devnet` is a real child
// process serving the Esplora API on 127.0.0.1; the other commands talk to it over HTTP.
// Most run in-process (the executable's code path, faster); the exit statuses are also
// checked on the real executable.

let devnet: ChildProcess;
let url: string;
let cwd: string;
let remove: () => void;
const env = () => ({ MEDANCHOR_ESPLORA_URL: url });

beforeAll(async () => {
  ({ dir: cwd, remove } = tempDir('flow'));
  expect((await cli(['init', '--origin', 'clinic.example/cli-flow'], { cwd })).status).toBe(0);
  devnet = spawnCli(['devnet', '--port', '0', '--block-time', '0.25', '--json'], { cwd });
  const ready = JSON.parse(await firstLine(devnet));
  url = ready.url;
  expect(ready.funded).toHaveLength(1);
});

afterAll(async () => {
  if (devnet.exitCode === null) {
    const exited = new Promise((done) => devnet.once('exit', done));
    devnet.kill('SIGINT');
    await exited;
  }
  remove();
});

describe('medanchor on a devnet child process', () => {
  it('stamps, seals, anchors, upgrades and verifies at level 3; catches a changed file', async () => {
    const records = ['Patient', 'Observation', 'Condition'].map((type, i) => {
      const file = join(cwd, `${type}-${i}.json`);
      writeFileSync(file, JSON.stringify({ resourceType: type, id: `r${i}` }));
      return file;
    });
    const stamp = await cli(['stamp', '--json', ...records], { cwd, env: env() });
    expect(stamp.status).toBe(0);
    expect(JSON.parse(stamp.stdout).stamped).toHaveLength(3);

    const seal = await cli(['seal', '--json'], { cwd, env: env() });
    expect(seal.status).toBe(0);
    const sealed = JSON.parse(seal.stdout);
    expect(sealed).toMatchObject({
      sealed: 3,
      receiptsWritten: 3,
      checkpoint: { origin: 'clinic.example/cli-flow', size: 3 },
      anchor: { status: 'pending' },
    });
    expect(sealed.anchor.txid).toMatch(/^[0-9a-f]{64}$/);

    // Before the anchor confirms: valid at level 1 when that is asked; the default asks for
    // level 3 (a backend is configured), which a pending receipt does not reach (exit 1).
    const early = await cli(
      ['verify', '--min-level', '1', records[0]!, `${records[0]}.receipt.json`, '--json'],
      { cwd, env: env() },
    );
    expect(JSON.parse(early.stdout)).toMatchObject({ ok: true, level: 1 });
    const asked = await cli(['verify', records[0]!, `${records[0]}.receipt.json`, '--json'], {
      cwd,
      env: env(),
    });
    expect(asked.status).toBe(1);
    expect(JSON.parse(asked.stdout)).toMatchObject({
      ok: false,
      outcome: 'not-reached',
      asked: 3,
      level: 1,
      statement: expect.stringMatching(/^is in log clinic\.example\/cli-flow .*no time is proven$/),
    });
    expect(
      (
        await cli(['verify', '--min-level', '2', records[0]!, `${records[0]}.receipt.json`], {
          cwd,
          env: env(),
        })
      ).status,
    ).toBe(1);

    const upgrade = await cli(
      ['upgrade', '--wait', '--interval', '0.2', '--timeout', '60', '--json'],
      { cwd, env: env() },
    );
    expect(upgrade.status).toBe(0);
    const up = JSON.parse(upgrade.stdout);
    expect(up.upgraded).toBe(3);
    expect(up.anchors[0]).toMatchObject({ txid: sealed.anchor.txid });
    expect(up.anchors[0].confirmations).toBeGreaterThanOrEqual(6);

    for (const file of records) {
      const r = await cli(['verify', file, `${file}.receipt.json`, '--json'], { cwd, env: env() });
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.level).toBe(3);
      expect(doc.facts).toMatchObject({
        network: { value: 'regtest', bound: false },
        height: { value: up.anchors[0].height, bound: true },
        time: { bound: false },
        testNetwork: true,
      });
      expect(doc.statement).toMatch(
        new RegExp(
          `^existed no later than .* UTC as the block claims, time not bound \\(block ${up.anchors[0].height} on Bitcoin regtest \\(claimed\\), \\d+ confirmations\\), in log clinic\\.example/cli-flow \\(test network: proves nothing about time\\)$`,
        ),
      );
      expect(doc.levels.map((l: { status: string }) => l.status)).toEqual(['pass', 'pass', 'pass']);
    }
    // Offline: level 2 from the receipt alone.
    const offline = await cli(
      ['verify', '--offline', records[1]!, `${records[1]}.receipt.json`, '--json'],
      { cwd },
    );
    expect(JSON.parse(offline.stdout)).toMatchObject({ ok: true, level: 2 });
    // More confirmations than exist: valid at 2, level 3 fails and says why.
    const deep = await cli(
      [
        'verify',
        '--confirmations',
        '100000',
        '--min-level',
        '3',
        records[1]!,
        `${records[1]}.receipt.json`,
      ],
      { cwd, env: env() },
    );
    expect(deep.status).toBe(1);
    expect(deep.stdout).toMatch(/FAIL level 3 .*100000/);
    // The text names the proof in words, the height as claimed at level 2.
    expect(deep.stdout).toMatch(/block claimed at height \d+ on Bitcoin regtest \(claimed\)/);

    // A backend that cannot be reached (a port that was free a moment ago): its own exit
    // status (3) and message, never VALID.
    const closedPort = await new Promise<number>((done) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => done(port));
      });
    });
    const nowhere = `http://127.0.0.1:${closedPort}`;
    const down = await cli(
      ['verify', '--esplora', nowhere, records[1]!, `${records[1]}.receipt.json`],
      { cwd, env: env() },
    );
    expect(down.status).toBe(3);
    expect(down.stdout).toMatch(/\?\?\?\s+level 3 .*no answer/);
    expect(down.stdout).toMatch(/NOT VERIFIED at level 3: the level 3 check could not be made/);
    expect(down.stdout).not.toMatch(/^VALID/m);
    // Two backends, the second down: with the default quorum (all) it cannot be checked; the
    // JSON reports each backend.
    const split = await cli(
      [
        'verify',
        '--json',
        '--esplora',
        env()['MEDANCHOR_ESPLORA_URL']!,
        '--esplora',
        nowhere,
        records[1]!,
        `${records[1]}.receipt.json`,
      ],
      { cwd, env: env() },
    );
    expect(split.status).toBe(3);
    expect(JSON.parse(split.stdout).levels[2]).toMatchObject({
      level: 3,
      status: 'could-not-check',
      detail: expect.stringMatching(/1 of 2 backends .*no answer/),
    });

    const audit = await cli(['verify', '--beside', '--progress', '--json', ...records], {
      cwd,
      env: env(),
    });
    expect(audit.status).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, verified: 3, failed: 0 });
    expect(audit.stderr).toMatch(/verify \[#+\] 3\/3 100%/);

    // Level 3 is per receipt, at its own height: a copy of a receipt of the same block with
    // its height edited fails, in whichever order the files come (no verdict cached by block).
    const edited = join(cwd, 'edited.json');
    writeFileSync(edited, readFileSync(records[1]!));
    const moved = JSON.parse(readFileSync(`${records[1]}.receipt.json`, 'utf8'));
    moved.anchors[0].height += 1;
    writeFileSync(`${edited}.receipt.json`, JSON.stringify(moved));
    for (const order of [
      [records[0]!, edited],
      [edited, records[0]!],
    ]) {
      const r = await cli(['verify', '--beside', '--json', ...order], { cwd, env: env() });
      expect(r.status).toBe(1);
      const doc = JSON.parse(r.stdout);
      const byFile = new Map(doc.files.map((f: { file: string }) => [f.file, f]));
      expect(byFile.get(records[0]!)).toMatchObject({ ok: true, level: 3 });
      expect(byFile.get(edited)).toMatchObject({ ok: false, level: 2 });
      expect(JSON.stringify(byFile.get(edited))).toMatch(
        /not the validated chain's block at height/,
      );
    }

    writeFileSync(
      records[2]!,
      JSON.stringify({ resourceType: 'Condition', id: 'r2', note: 'edited' }),
    );
    const tampered = await cli(['verify', records[2]!, `${records[2]}.receipt.json`], {
      cwd,
      env: env(),
    });
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toMatch(/INVALID: level 1 failed at step "content"/);
    const audit2 = await cli(['verify', '--beside', ...records], { cwd, env: env() });
    expect(audit2.status).toBe(1);
    expect(audit2.stdout).toContain(`${records[2]}: level 1 failed at step "content"`);
    expect(audit2.stdout).toMatch(/2 of 3 file\(s\) valid \(2 at level 3\), 1 NOT valid/);

    // A receipt whose anchor was swapped for another block's fails at level 2, naming the step.
    const receipt = JSON.parse(readFileSync(`${records[0]}.receipt.json`, 'utf8'));
    receipt.anchors[0].txid = 'ab'.repeat(32);
    writeFileSync(join(cwd, 'swapped.receipt.json'), JSON.stringify(receipt));
    const swapped = await cli(['verify', records[0]!, 'swapped.receipt.json', '--json'], {
      cwd,
      env: env(),
    });
    expect(swapped.status).toBe(1);
    expect(JSON.parse(swapped.stdout).levels[1]).toMatchObject({ level: 2, status: 'fail' });

    // OpenTimestamps export (the chain package's tests check it with the opentimestamps package).
    expect((await cli(['ots', 'export', `${records[0]}.receipt.json`], { cwd })).status).toBe(0);
    const otsPath = `${records[0]}.ots`;
    const otsCheck = await cli(['ots', 'verify', records[0]!, otsPath, '--json'], {
      cwd,
      env: env(),
    });
    expect(otsCheck.status).toBe(0);
    const height = JSON.parse(otsCheck.stdout).confirmed[0].height as number;
    expect(JSON.parse(otsCheck.stdout).statement).toMatch(
      /existed no later than .* UTC \(block \d+ on Bitcoin regtest, its header validated from a trusted checkpoint\) \(test network: proves nothing about time\)$/,
    );
    // The proof is of the file's SHA-256 (a detached file: 31-byte magic, version, op, digest).
    const ots = readFileSync(otsPath);
    const digest = createHash('sha256').update(readFileSync(records[0]!)).digest();
    expect(ots.subarray(33, 65).equals(digest)).toBe(true);
    expect(height).toBe(up.anchors[0].height);
    expect((await cli(['ots', 'verify', records[2]!, otsPath], { cwd, env: env() })).status).toBe(
      1,
    );

    const anchors = await cli(['anchor', '--json'], { cwd, env: env() });
    expect(JSON.parse(anchors.stdout).anchors).toEqual([
      expect.objectContaining({ receipts: 3, txid: sealed.anchor.txid }),
    ]);
  });

  it('the executable: exit 0 valid, 1 invalid, 2 usage; a second command waits its turn', async () => {
    const file = join(cwd, 'exe.json');
    writeFileSync(file, '{"resourceType":"Observation","id":"exe"}');
    expect((await execCli(['stamp', file], { cwd, env: env() })).status).toBe(0);
    expect((await execCli(['seal'], { cwd, env: env() })).status).toBe(0);
    // --offline asks for level 2, which a receipt not yet anchored does not reach.
    const pending = await execCli(['verify', '--offline', file, `${file}.receipt.json`], { cwd });
    expect(pending.status).toBe(1);
    expect(pending.stdout).toMatch(/NOT VALID at level 2: reached level 1/);
    const valid = await execCli(
      ['verify', '--offline', '--min-level', '1', file, `${file}.receipt.json`],
      { cwd },
    );
    expect(valid.status).toBe(0);
    expect(valid.stdout).toMatch(/VALID at level 1/);
    writeFileSync(file, '{"resourceType":"Observation","id":"EXE"}');
    expect((await execCli(['verify', file, `${file}.receipt.json`], { cwd })).status).toBe(1);
    const usage = await execCli(['verify', file], { cwd });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/CLI_USAGE/);

    // The data directory is locked while a command runs: the devnet child's pid stands in
    // for a live holder; a dead holder's lock is taken over.
    const lock = join(cwd, '.medanchor', 'lock');
    writeFileSync(lock, `${devnet.pid}\n`);
    const busy = await cli(['stamp', file], { cwd });
    expect(busy.status).toBe(2);
    expect(busy.stderr).toMatch(/CLI_BUSY: another medanchor command \(pid \d+\)/);
    writeFileSync(lock, '999999999\n');
    expect((await cli(['stamp', file], { cwd })).status).toBe(0);
  });

  it('seals without funds: receipts stand at level 1 and `anchor` finishes once funded', async () => {
    const other = join(cwd, 'unfunded');
    const r = await cli(['init', '--data-dir', other], {
      cwd,
      env: { MEDANCHOR_CONFIG: join(cwd, 'unfunded.config.json') },
    });
    expect(r.status).toBe(0);
    const cfg = { env: { ...env(), MEDANCHOR_CONFIG: join(cwd, 'unfunded.config.json') }, cwd };
    const file = join(cwd, 'late.json');
    writeFileSync(file, '{"resourceType":"Observation","id":"late"}');
    expect((await cli(['stamp', file], cfg)).status).toBe(0);
    const seal = await cli(['seal', '--json'], cfg);
    expect(seal.status).toBe(0);
    expect(JSON.parse(seal.stdout).anchor).toMatchObject({
      status: 'not-anchored',
      error: expect.stringMatching(/INSUFFICIENT_FUNDS/),
    });
    expect(
      (await cli(['verify', '--min-level', '1', file, `${file}.receipt.json`, '--json'], cfg))
        .status,
    ).toBe(0);
    const status = await cli(['anchor', '--json'], cfg);
    expect(JSON.parse(status.stdout).anchors[0]).toMatchObject({ status: 'unanchored' });
  });
});

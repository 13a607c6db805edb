import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeVerifierKey,
  formatAddCheckpoint,
  generateNoteKey,
  generateWitnessKey,
  leafHash,
  parseVerifierKey,
  signCheckpoint,
  toHex,
  utf8,
  verifyCosignatures,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { readLogKey } from '../src/log-key.js';
import { cleanEnv, cli, tempDir } from './harness.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Runs a long-lived command in this process; resolves with its first JSON output. */
async function startLongRunning(args: string[], cwd: string) {
  const stop = new AbortController();
  let stdout = '';
  let stderr = '';
  let first: (v: Record<string, unknown>) => void = () => {};
  const ready = new Promise<Record<string, unknown>>((r) => {
    first = r;
  });
  const done = runCli(args, {
    stdout: (t) => {
      stdout += t;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) first(JSON.parse(line));
    },
    stderr: (t) => {
      stderr += t;
    },
    env: cleanEnv(),
    cwd,
    stderrIsTTY: false,
    columns: 100,
    signal: stop.signal,
  });
  const early = done.then((status) => {
    throw new Error(`${args[0]} exited ${status}: ${stderr}`);
  });
  const info = await Promise.race([ready, early]);
  const stopIt = async () => {
    stop.abort();
    expect(await done).toBe(0);
  };
  return { info, stop: stopIt, stderr: () => stderr };
}

const ORIGIN = 'clinic.example/witnessed';

describe('medanchor witness', () => {
  it('makes its key (0600) on first start, cosigns over HTTP, and keeps key and state across a restart', async () => {
    const t = tempDir('witness');
    cleanup.push(t.remove);
    const log = generateNoteKey(ORIGIN);
    const args = ['witness', '--listen', '127.0.0.1:0', '--log', encodeVerifierKey(log)];
    const first = await startLongRunning(
      [...args, '--name', 'witness.example/cli', '--json'],
      t.dir,
    );
    expect(first.info).toMatchObject({ ok: true, keyCreated: true, logs: [ORIGIN] });
    const keyFile = join(t.dir, '.medanchor', 'witness-key.json');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const vkey = String(first.info['vkey']);
    expect(parseVerifierKey(vkey).type).toBe(0x04);
    const leaves = Array.from({ length: 3 }, (_, i) => leafHash(utf8(`r${i}`)));
    const { MerkleLog } = await import('@medanchor/core');
    const tree = new MerkleLog();
    tree.append(leaves);
    const note = new TextDecoder().decode(
      signCheckpoint({ origin: ORIGIN, size: 3, root: tree.root() }, log),
    );
    const post = (url: unknown, oldSize: number) =>
      fetch(`${String(url)}/add-checkpoint`, {
        method: 'POST',
        body: new TextDecoder().decode(formatAddCheckpoint({ oldSize, proof: [], note })),
      });
    const ok = await post(first.info['url'], 0);
    expect(ok.status).toBe(200);
    const lines = await ok.text();
    expect(verifyCosignatures(`${note}${lines}`, [parseVerifierKey(vkey)]).ok).toBe(true);
    await first.stop();
    // The secret key never reaches the output.
    expect(first.stderr()).not.toContain('PRIVATE+KEY');

    const second = await startLongRunning([...args, '--json'], t.dir);
    cleanup.push(second.stop);
    expect(second.info).toMatchObject({ keyCreated: false, vkey });
    const again = await post(second.info['url'], 0);
    expect(again.status).toBe(409);
    expect(await again.text()).toBe('3\n');
    const hash = createHash('sha256').update(ORIGIN).digest('hex');
    const latest = await fetch(`${String(second.info['url'])}/${hash}/checkpoint`);
    expect(await latest.text()).toBe(`${note}${lines}`);
  });

  it('refuses to start without a log, with a log key of the wrong type, or a damaged key file', async () => {
    const t = tempDir('witness-bad');
    cleanup.push(t.remove);
    const none = await cli(['witness', '--listen', '127.0.0.1:0'], { cwd: t.dir });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('--log');
    const wkey = encodeVerifierKey(generateWitnessKey('w.example/w'));
    const wrong = await cli(['witness', '--listen', '127.0.0.1:0', '--log', wkey], {
      cwd: t.dir,
    });
    expect(wrong.status).toBe(2);
    writeFileSync(
      join(t.dir, 'bad-key.json'),
      '{"type":"medanchor/witness-key","skey":"PRIVATE+KEY+x',
    );
    const log = encodeVerifierKey(generateNoteKey(ORIGIN));
    const damaged = await cli(
      ['witness', '--listen', '127.0.0.1:0', '--log', log, '--key', 'bad-key.json'],
      { cwd: t.dir },
    );
    expect(damaged.status).not.toBe(0);
    expect(damaged.stderr).not.toContain('PRIVATE+KEY+x');
  });
});

describe('a log configured with witnesses (config "witnesses")', () => {
  it('medanchor serve seals and its receipts carry the cosignature; verify checks it with minCosignatures', async () => {
    const t = tempDir('witnessed-log');
    cleanup.push(t.remove);
    expect((await cli(['init', '--origin', ORIGIN], { cwd: t.dir })).status).toBe(0);
    const logKey = readLogKey(join(t.dir, '.medanchor', 'log-key.json'))!;
    const logVkey = encodeVerifierKey(logKey);
    const w = await startLongRunning(
      [
        'witness',
        '--listen',
        '127.0.0.1:0',
        '--log',
        logVkey,
        '--name',
        'witness.example/w1',
        '--key',
        'w1.json',
        '--state',
        'w1-state',
        '--json',
      ],
      t.dir,
    );
    cleanup.push(w.stop);
    const vkey = String(w.info['vkey']);
    const configPath = join(t.dir, 'medanchor.config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(
      configPath,
      JSON.stringify({
        ...config,
        witnesses: [{ url: w.info['url'], vkey }],
        trust: {
          logs: [{ origin: ORIGIN, keys: [logVkey] }],
          witnesses: [vkey],
          minCosignatures: 1,
        },
      }),
    );
    const token = 'witness-test-token-0123456789';
    writeFileSync(
      join(t.dir, 'writers.json'),
      JSON.stringify([{ name: 'w', sha256: createHash('sha256').update(token).digest('hex') }]),
    );
    const serve = await startLongRunning(
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
      t.dir,
    );
    cleanup.push(serve.stop);
    const url = String(serve.info['url']);
    const auth = { Authorization: `Bearer ${token}` };
    const bytes = utf8('{"resourceType":"Observation","id":"w-1"}');
    writeFileSync(join(t.dir, 'obs.json'), bytes);
    const add = await fetch(`${url}/add`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        records: [
          {
            digest: toHex(createHash('sha256').update(bytes).digest()),
            recordId: 'obs-w-1',
            version: 1,
          },
        ],
      }),
    });
    expect(add.status).toBe(200);
    let receipt: { checkpoint: { note?: string } } | undefined;
    for (let i = 0; i < 100 && receipt === undefined; i++) {
      const r = await fetch(`${url}/receipt/record/obs-w-1/1`, { headers: auth });
      if (r.status === 200) {
        const got = (await r.json()) as { checkpoint: { note?: string } };
        if (got.checkpoint.note?.includes('witness.example/w1')) receipt = got;
      }
      if (receipt === undefined) await new Promise((d) => setTimeout(d, 100));
    }
    expect(receipt, 'a receipt with the witness cosignature').toBeDefined();
    // GET /checkpoint serves the same note, cosignature line included (as tlog-witness logs do).
    const served = await fetch(`${url}/checkpoint`);
    expect(await served.text()).toBe(receipt!.checkpoint.note);
    writeFileSync(join(t.dir, 'obs.json.receipt.json'), JSON.stringify(receipt));
    const v = await cli(
      ['verify', '--min-level', '1', '--json', 'obs.json', 'obs.json.receipt.json'],
      { cwd: t.dir },
    );
    expect(v.status, v.stdout + v.stderr).toBe(0);
    // Two cosignatures required, one present: the witness's line is what passed above.
    const stranger = encodeVerifierKey(generateWitnessKey('witness.example/other'));
    writeFileSync(
      configPath,
      JSON.stringify({
        ...config,
        trust: {
          logs: [{ origin: ORIGIN, keys: [logVkey] }],
          witnesses: [vkey, stranger],
          minCosignatures: 2,
        },
      }),
    );
    const short = await cli(
      ['verify', '--min-level', '1', '--json', 'obs.json', 'obs.json.receipt.json'],
      { cwd: t.dir },
    );
    expect(short.status).toBe(1);
    expect(JSON.parse(short.stdout).levels[0]).toMatchObject({ status: 'fail', step: 'signature' });
  });
});

describe('config "witnesses" is checked when read', () => {
  it('refuses a log key as a witness vkey, a URL that is not http(s), and unknown keys', async () => {
    const t = tempDir('witness-config');
    cleanup.push(t.remove);
    expect((await cli(['init', '--origin', ORIGIN], { cwd: t.dir })).status).toBe(0);
    const configPath = join(t.dir, 'medanchor.config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    const witnessVkey = encodeVerifierKey(generateWitnessKey('witness.example/w1'));
    for (const [witnesses, says] of [
      [
        [{ url: 'http://127.0.0.1:1', vkey: encodeVerifierKey(generateNoteKey(ORIGIN)) }],
        'type 0x04',
      ],
      [[{ url: 'ftp://witness.example', vkey: witnessVkey }], 'http(s) URL'],
      [[{ url: 'http://127.0.0.1:1', vkey: witnessVkey, name: 'w1' }], 'unknown key "name"'],
      [{ url: 'http://127.0.0.1:1', vkey: witnessVkey }, 'must be an array'],
    ] as const) {
      writeFileSync(configPath, JSON.stringify({ ...config, witnesses }));
      const r = await cli(['verify', 'a', 'b'], { cwd: t.dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(says);
    }
  });
});

describe('medanchor verify --checkpoint: equivocation', () => {
  it('two signed checkpoints of one log at one size with different roots: exit 1, both notes as evidence', async () => {
    const t = tempDir('equivocation');
    cleanup.push(t.remove);
    expect((await cli(['init', '--origin', ORIGIN], { cwd: t.dir })).status).toBe(0);
    const key = readLogKey(join(t.dir, '.medanchor', 'log-key.json'))!;
    const { buildReceipt, commitRecord, encodeReceipt } = await import('@medanchor/core');
    const bytes = utf8('{"resourceType":"Observation","id":"e1"}');
    writeFileSync(join(t.dir, 'lab.json'), bytes);
    const commitment = commitRecord(bytes);
    const cp = { origin: ORIGIN, size: 1, root: leafHash(commitment.commitment) };
    const note = signCheckpoint(cp, key);
    writeFileSync(
      join(t.dir, 'lab.json.receipt.json'),
      encodeReceipt(
        buildReceipt({ commitment, leafIndex: 0, checkpoint: cp, inclusionProof: [], note }),
      ),
    );
    const other = signCheckpoint({ ...cp, root: leafHash(utf8('another history')) }, key);
    writeFileSync(join(t.dir, 'seen.note'), other);
    const configPath = join(t.dir, 'medanchor.config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(
      configPath,
      JSON.stringify({
        ...config,
        trust: { logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(key)] }] },
      }),
    );
    const args = ['verify', '--min-level', '1', 'lab.json', 'lab.json.receipt.json'];
    const clean = await cli(args, { cwd: t.dir });
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    const same = await cli([...args, '--checkpoint', 'lab.json.receipt.json'], { cwd: t.dir });
    expect(same.status).toBe(2); // a receipt is not a note file
    writeFileSync(join(t.dir, 'same.note'), note);
    expect((await cli([...args, '--checkpoint', 'same.note'], { cwd: t.dir })).status).toBe(0);
    const forked = await cli([...args, '--checkpoint', 'seen.note', '--json'], { cwd: t.dir });
    expect(forked.status).toBe(1);
    const out = JSON.parse(forked.stdout);
    expect(out.ok).toBe(false);
    expect(out.equivocations).toHaveLength(1);
    expect(out.equivocations[0]).toMatchObject({ origin: ORIGIN, size: 1 });
    expect(out.equivocations[0].evidence).toEqual([
      new TextDecoder().decode(note),
      new TextDecoder().decode(other),
    ]);
    const text = await cli([...args, '--checkpoint', 'seen.note'], { cwd: t.dir });
    expect(text.stdout).toContain('EQUIVOCATION: log clinic.example/witnessed');
  });
});

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';
import { cli, tempDir } from './harness.js';

const cleanups: (() => void)[] = [];
function workdir(prefix: string): string {
  const t = tempDir(prefix);
  cleanups.push(t.remove);
  return t.dir;
}
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('help and usage', () => {
  it('lists every command, and every command has --help with options and examples', async () => {
    const cwd = workdir('help');
    const main = await cli(['--help'], { cwd });
    expect(main.status).toBe(0);
    for (const c of COMMANDS) {
      expect(main.stdout).toContain(`  ${c.path.join(' ')} `);
      const help = await cli([...c.path, '--help'], { cwd });
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`Usage: medanchor ${c.path.join(' ')}`);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).toMatch(new RegExp(`\\$ medanchor ${c.path.join(' ')}`));
      expect(help.stdout).toContain('--json');
    }
  });

  it('exits 2 with a hint on bad usage, and never runs the command', async () => {
    const cwd = workdir('usage');
    const none = await cli([], { cwd });
    expect(none.status).toBe(2);
    expect(none.stdout).toContain('Commands:');
    const unknown = await cli(['stmap', 'a.json'], { cwd });
    expect(unknown).toMatchObject({ status: 2 });
    expect(unknown.stderr).toMatch(/CLI_USAGE: unknown command "stmap"/);
    const group = await cli(['ots'], { cwd });
    expect(group.stderr).toMatch(/needs a subcommand: export, verify/);
    const option = await cli(['verify', '--frobnicate', 'a', 'b'], { cwd });
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/frobnicate.*--help/);
    const arity = await cli(['verify', 'only-one'], { cwd });
    expect(arity.status).toBe(2);
    expect(arity.stderr).toMatch(/takes <file> <receipt> \(or --beside <files\.\.\.>\), got 1/);
  });

  it('reports errors as one JSON document with --json', async () => {
    const cwd = workdir('json-error');
    const r = await cli(['stamp', 'a.json', '--json'], { cwd });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      error: { code: 'CLI_NOT_INITIALIZED' },
    });
    expect(r.stderr).toMatch(/run `medanchor init` first/);
  });
});

describe('configuration: defaults < file < environment < flags', () => {
  it('takes the network from each layer in turn', async () => {
    const cwd = workdir('config');
    const address = async (env: Record<string, string> = {}, flags: string[] = []) => {
      const r = await cli(
        ['keys', 'new', '--type', 'secp256k1', '--force', '-o', 'k.json', '--json', ...flags],
        { cwd, env },
      );
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout).p2tr as string;
    };
    expect(await address()).toMatch(/^bcrt1p/); // default regtest
    writeFileSync(join(cwd, 'medanchor.config.json'), JSON.stringify({ network: 'signet' }));
    expect(await address()).toMatch(/^tb1p/);
    expect(await address({ MEDANCHOR_NETWORK: 'mainnet' })).toMatch(/^bc1p/);
    expect(await address({ MEDANCHOR_NETWORK: 'mainnet' }, ['--network', 'regtest'])).toMatch(
      /^bcrt1p/,
    );
    writeFileSync(join(cwd, 'other.json'), JSON.stringify({ network: 'mainnet' }));
    expect(await address({ MEDANCHOR_CONFIG: 'other.json' })).toMatch(/^bc1p/);
  });

  it('rejects a broken config with the field at fault, and secrets in files', async () => {
    const cwd = workdir('bad-config');
    const file = join(cwd, 'medanchor.config.json');
    writeFileSync(file, '{"network": ');
    expect((await cli(['keys', 'new', '-o', 'k.json'], { cwd })).stderr).toMatch(
      /CLI_CONFIG: the config file .* is not valid JSON/,
    );
    writeFileSync(file, JSON.stringify({ network: 'moonnet' }));
    expect((await cli(['keys', 'new', '-o', 'k.json'], { cwd })).stderr).toMatch(
      /unknown network "moonnet"/,
    );
    writeFileSync(
      file,
      JSON.stringify({
        backend: { type: 'core-rpc', url: 'http://127.0.0.1:1', user: 'u', password: 'hunter2' },
      }),
    );
    const r = await cli(['keys', 'new', '-o', 'k.json'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/MEDANCHOR_RPC_PASSWORD/);
    expect(r.stderr).not.toContain('hunter2');
    writeFileSync(file, JSON.stringify({ confirmations: 0 }));
    expect((await cli(['keys', 'new', '-o', 'k.json'], { cwd })).stderr).toMatch(
      /confirmations must be a positive integer/,
    );
    expect(
      (await cli(['keys', 'new', '-o', 'k.json', '--config', 'missing.json'], { cwd })).stderr,
    ).toMatch(/does not exist/);
  });
});

describe('keys, encrypt and decrypt', () => {
  it('round-trips a file for two recipients; a stranger, a tampered and a truncated envelope fail', async () => {
    const cwd = workdir('envelope');
    for (const name of ['dr', 'nurse', 'stranger'])
      expect((await cli(['keys', 'new', '-o', `${name}.key.json`], { cwd })).status).toBe(0);
    expect(statSync(join(cwd, 'dr.key.json')).mode & 0o777).toBe(0o600);
    const nursePub = JSON.parse(
      (await cli(['keys', 'show', 'nurse.key.json', '--json'], { cwd })).stdout,
    ).publicKey;
    expect(readFileSync(join(cwd, 'dr.key.json'), 'utf8')).toContain('privateKey');
    expect((await cli(['keys', 'show', 'dr.key.json'], { cwd })).stdout).not.toContain(
      'privateKey',
    );

    // 3 MiB: several 64 KiB chunks, streamed both ways.
    const record = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    writeFileSync(join(cwd, 'scan.bin'), record);
    const enc = await cli(
      [
        'encrypt',
        '--to',
        'dr.key.json',
        '--to',
        nursePub,
        '--record-id',
        'DocumentReference/9',
        'scan.bin',
        '--json',
      ],
      { cwd },
    );
    expect(enc.status).toBe(0);
    expect(JSON.parse(enc.stdout)).toMatchObject({
      recipients: 2,
      context: { recordId: 'DocumentReference/9' },
    });
    for (const who of ['dr', 'nurse']) {
      const dec = await cli(
        ['decrypt', '--key', `${who}.key.json`, '-o', `${who}.out`, 'scan.bin.menv'],
        { cwd },
      );
      expect(dec.status).toBe(0);
      expect(Buffer.compare(readFileSync(join(cwd, `${who}.out`)), record)).toBe(0);
    }
    const stranger = await cli(
      ['decrypt', '--key', 'stranger.key.json', '-o', 's.out', 'scan.bin.menv'],
      { cwd },
    );
    expect(stranger.status).toBe(2);
    expect(stranger.stderr).toMatch(/NOT_A_RECIPIENT/);
    const wrongRecord = await cli(
      [
        'decrypt',
        '--key',
        'dr.key.json',
        '--expect-record-id',
        'Other/1',
        '-o',
        'w.out',
        'scan.bin.menv',
      ],
      { cwd },
    );
    expect(wrongRecord.status).toBe(1);
    expect(wrongRecord.stderr).toMatch(/CONTEXT_MISMATCH/);

    const envelope = new Uint8Array(readFileSync(join(cwd, 'scan.bin.menv')));
    const flipped = envelope.slice();
    flipped[flipped.length - 40]! ^= 1;
    writeFileSync(join(cwd, 'flipped.menv'), flipped);
    const tampered = await cli(['decrypt', '--key', 'dr.key.json', '-o', 't.out', 'flipped.menv'], {
      cwd,
    });
    expect(tampered.status).toBe(1);
    expect(() => statSync(join(cwd, 't.out'))).toThrow(); // no partial plaintext left
    writeFileSync(join(cwd, 'short.menv'), envelope.subarray(0, envelope.length - 70_000));
    const truncated = await cli(
      ['decrypt', '--key', 'dr.key.json', '-o', 'short.out', 'short.menv'],
      { cwd },
    );
    expect(truncated.status).not.toBe(0);
    expect(() => statSync(join(cwd, 'short.out'))).toThrow();
    expect(truncated.stderr).not.toMatch(/privateKey|[0-9a-f]{64}/);
  });

  it('refuses to overwrite a key file and to use the wrong kind of key', async () => {
    const cwd = workdir('keys');
    expect((await cli(['keys', 'new', '-o', 'k.json'], { cwd })).status).toBe(0);
    const again = await cli(['keys', 'new', '-o', 'k.json'], { cwd });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/CLI_EXISTS: .*--force/);
    writeFileSync(join(cwd, 'f.txt'), 'x');
    const wrong = await cli(
      [
        'consent',
        'grant',
        '-k',
        'k.json',
        '--patient',
        'Patient/1',
        '--grantee',
        'Practitioner/2',
        '--category',
        'Observation',
      ],
      { cwd },
    );
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/not a secp256k1 key file/);
    expect((await cli(['encrypt', '--to', 'nobody', 'f.txt'], { cwd })).stderr).toMatch(
      /neither 64 hex digits nor a readable key file/,
    );
  });
});

describe('consent grant, check and revoke', () => {
  it('permits in scope (exit 0), denies out of scope, expired or revoked (exit 1) and names why', async () => {
    const cwd = workdir('consent');
    await cli(['keys', 'new', '--type', 'secp256k1', '-o', 'patient.key.json'], { cwd });
    for (const scheme of ['bip340', 'p2tr', 'p2wpkh']) {
      const grant = await cli(
        [
          'consent',
          'grant',
          '-k',
          'patient.key.json',
          '--patient',
          'Patient/pat-0',
          '--grantee',
          'Practitioner/dr-lind',
          '--category',
          'Observation',
          '--record',
          'DocumentReference/9',
          '--until',
          '2030-01-01T00:00:00Z',
          '--scheme',
          scheme,
          '-o',
          `grant-${scheme}.json`,
        ],
        { cwd },
      );
      expect(grant.status).toBe(0);
      const ask = (extra: string[]) =>
        cli(
          [
            'consent',
            'check',
            `grant-${scheme}.json`,
            '--grantee',
            'Practitioner/dr-lind',
            '--json',
            ...extra,
          ],
          { cwd },
        );
      expect((await ask(['--category', 'Observation'])).status).toBe(0);
      expect((await ask(['--record', 'DocumentReference/9'])).status).toBe(0);
      const outOfScope = await ask(['--category', 'Condition']);
      expect(outOfScope.status).toBe(1);
      expect(JSON.parse(outOfScope.stdout)).toMatchObject({
        decision: 'deny',
        reason: 'out-of-scope',
      });
      const late = await ask(['--category', 'Observation', '--at', '2031-01-01T00:00:00Z']);
      expect(JSON.parse(late.stdout).decision).toBe('deny');
    }
    expect(
      (
        await cli(
          ['consent', 'revoke', '-k', 'patient.key.json', 'grant-bip340.json', '-o', 'rev.json'],
          { cwd },
        )
      ).status,
    ).toBe(0);
    const revoked = await cli(
      [
        'consent',
        'check',
        'grant-bip340.json',
        '--grantee',
        'Practitioner/dr-lind',
        '--category',
        'Observation',
        '--revocation',
        'rev.json',
      ],
      { cwd },
    );
    expect(revoked.status).toBe(1);
    expect(revoked.stdout).toMatch(/^DENY \(revoked\)/);

    // A grant edited after signing is denied for its signature, whatever it now says.
    const signed = JSON.parse(readFileSync(join(cwd, 'grant-p2tr.json'), 'utf8'));
    signed.grant.grantee = 'Practitioner/mallory';
    writeFileSync(join(cwd, 'forged.json'), JSON.stringify(signed));
    const forged = await cli(
      [
        'consent',
        'check',
        'forged.json',
        '--grantee',
        'Practitioner/mallory',
        '--category',
        'Observation',
        '--json',
      ],
      { cwd },
    );
    expect(forged.status).toBe(1);
    expect(JSON.parse(forged.stdout).reason).toMatch(/signature/);
    expect(
      (await cli(['consent', 'revoke', '-k', 'patient.key.json', 'forged.json'], { cwd })).status,
    ).toBe(2);
  });
});

describe('stamping on files', () => {
  it('needs init, refuses missing files, draws progress, and keeps stamps across runs', async () => {
    const cwd = workdir('stamp');
    expect((await cli(['stamp', 'x.json'], { cwd })).stderr).toMatch(/CLI_NOT_INITIALIZED/);
    expect((await cli(['init'], { cwd })).status).toBe(0);
    expect((await cli(['init'], { cwd })).stderr).toMatch(/exists; pass --force/);
    expect((await cli(['stamp', 'missing.json'], { cwd })).stderr).toMatch(
      /CLI_INPUT: cannot read .*missing.json/,
    );
    const files: string[] = [];
    for (let i = 0; i < 250; i++) {
      const f = `r${i}.json`;
      writeFileSync(join(cwd, f), JSON.stringify({ resourceType: 'Observation', id: `o${i}` }));
      files.push(f);
    }
    const first = await cli(['stamp', '--progress', ...files.slice(0, 200)], { cwd });
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/stamp \[#+\] 200\/200 100%/);
    expect(first.stdout).toMatch(/200 file\(s\) stamped and durable/);
    const tty = await cli(['stamp', ...files.slice(200)], { cwd, tty: true });
    expect(tty.stderr).toContain('\r');
    expect(tty.stderr).toMatch(/50\/50 100%/);
    // Stamping an unchanged file again makes no new leaf: its stamp (and receipt) stand.
    // (Files stamped in one run are added concurrently, so which of leaves 0..199 a file
    // got is the sequencer's order, not the argument order.)
    const again = await cli(['stamp', '--json', files[0]!], { cwd });
    expect(again.stderr).toBe('');
    const [kept] = JSON.parse(again.stdout).stamped;
    expect(kept).toMatchObject({ unchanged: true });
    expect(kept.leafIndex).toBeGreaterThanOrEqual(0);
    expect(kept.leafIndex).toBeLessThan(200);
    expect((await cli(['stamp', files[1]!], { cwd })).stdout).toMatch(
      /r1\.json is unchanged since its stamp \(leaf (1?\d{1,2})\): its receipt is kept/,
    );
    // A changed file is a new record: the log continues where the previous run stopped,
    // and its receipt gets a name of its own beside the first one.
    writeFileSync(join(cwd, files[0]!), JSON.stringify({ resourceType: 'Observation', id: 'o0b' }));
    const changed = await cli(['stamp', '--json', files[0]!], { cwd });
    const [entry] = JSON.parse(changed.stdout).stamped;
    expect(entry).toMatchObject({ leafIndex: 250, unchanged: false });
    expect(entry.receipt).toMatch(/r0\.json\.[0-9a-f]{16}\.receipt\.json$/);
    // One line per stamp (compacted), paths relative to the project folder.
    const stamps = readFileSync(join(cwd, '.medanchor', 'stamps.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(stamps).toHaveLength(251);
    expect(new Set(stamps.map((l) => l.leaf)).size).toBe(251);
    expect(stamps.find((l) => l.path === 'r0.json' && l.leaf === kept.leafIndex)).toMatchObject({
      receipt: 'r0.json.receipt.json',
    });
  });

  it('verify: an unreadable receipt is an input error (2); a malformed one is invalid (1)', async () => {
    const cwd = workdir('verify-input');
    writeFileSync(join(cwd, 'a.json'), '{}');
    writeFileSync(join(cwd, 'not-json.receipt.json'), 'nope');
    writeFileSync(join(cwd, 'bad.receipt.json'), JSON.stringify({ version: 1 }));
    expect((await cli(['verify', 'a.json', 'nowhere.json'], { cwd })).status).toBe(2);
    expect((await cli(['verify', 'a.json', 'not-json.receipt.json'], { cwd })).status).toBe(2);
    const bad = await cli(['verify', 'a.json', 'bad.receipt.json', '--json'], { cwd });
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      ok: false,
      level: 0,
      levels: [{ level: 1, status: 'fail', step: 'parse' }],
    });
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './harness.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function workdir(prefix: string): string {
  const t = tempDir(prefix);
  cleanups.push(t.remove);
  return t.dir;
}

const grantArgs = (keys: string[], scheme: string, out: string, extra: string[] = []) => [
  'consent',
  'grant',
  ...keys.flatMap((k) => ['-k', k]),
  '--patient',
  'Patient/pat-0',
  '--grantee',
  'Practitioner/2',
  '--category',
  'Observation',
  '--scheme',
  scheme,
  '-o',
  out,
  '--json',
  ...extra,
];
const checkArgs = (file: string, extra: string[] = []) => [
  'consent',
  'check',
  file,
  '--grantee',
  'Practitioner/2',
  '--category',
  'Observation',
  '--json',
  ...extra,
];

describe('consent grants signed by each address type, end to end through the CLI', () => {
  it('grant, check (permit), revoke, check (deny) for P2PKH, P2SH-P2WPKH, P2WPKH, P2TR and P2WSH 2-of-3', async () => {
    const cwd = workdir('consent-addr');
    for (const k of ['a', 'b', 'c']) {
      const made = await cli(['keys', 'new', '--type', 'secp256k1', '-o', `${k}.key.json`], {
        cwd,
      });
      expect(made.status).toBe(0);
    }
    const cases: { scheme: string; keys: string[]; extra?: string[]; prefix: RegExp }[] = [
      { scheme: 'p2pkh', keys: ['a.key.json'], prefix: /^[mn]/ },
      { scheme: 'p2sh-p2wpkh', keys: ['a.key.json'], prefix: /^2/ },
      { scheme: 'p2wpkh', keys: ['a.key.json'], prefix: /^bcrt1q/ },
      { scheme: 'p2tr', keys: ['a.key.json'], prefix: /^bcrt1p/ },
      {
        scheme: 'p2wsh-multisig',
        keys: ['a.key.json', 'b.key.json', 'c.key.json'],
        extra: ['--threshold', '2'],
        prefix: /^bcrt1q.{58}$/,
      },
    ];
    for (const c of cases) {
      const file = `grant-${c.scheme}.json`;
      const made = await cli(grantArgs(c.keys, c.scheme, file, c.extra), { cwd });
      expect(made.status, made.stderr).toBe(0);
      const signer = JSON.parse(made.stdout).signer;
      expect(signer.scheme).toBe('bip322');
      expect(signer.address).toMatch(c.prefix);
      const permit = await cli(checkArgs(file), { cwd });
      expect(permit.status, `${c.scheme}: ${permit.stdout}`).toBe(0);
      expect(JSON.parse(permit.stdout).decision).toBe('permit');
      const rev = `rev-${c.scheme}.json`;
      const revoked = await cli(
        [
          'consent',
          'revoke',
          ...c.keys.flatMap((k) => ['-k', k]),
          ...(c.extra ?? []),
          file,
          '-o',
          rev,
        ],
        { cwd },
      );
      expect(revoked.status, revoked.stderr).toBe(0);
      const deny = await cli(checkArgs(file, ['--revocation', rev]), { cwd });
      expect(deny.status).toBe(1);
      expect(JSON.parse(deny.stdout)).toMatchObject({ decision: 'deny', reason: 'revoked' });
      // Another key cannot revoke it (for the multisig: one key is below the threshold).
      const other = await cli(['consent', 'revoke', '-k', 'b.key.json', file, '-o', 'x.json'], {
        cwd,
      });
      expect(other.status).toBe(2);
    }
  });

  it('grant text that repeats a member name is refused (exit 2), not permitted', async () => {
    const cwd = workdir('consent-dup');
    await cli(['keys', 'new', '--type', 'secp256k1', '-o', 'p.key.json'], { cwd });
    const made = await cli(grantArgs(['p.key.json'], 'p2wpkh', 'g.json'), { cwd });
    expect(made.status).toBe(0);
    const text = readFileSync(join(cwd, 'g.json'), 'utf8');
    // The signed grantee is Practitioner/2; a second "grantee" before it would win in
    // some readers and lose in others.
    const forged = text.replace(
      '"grantee": "Practitioner/2"',
      '"grantee": "Practitioner/evil", "grantee": "Practitioner/2"',
    );
    expect(forged).not.toBe(text);
    writeFileSync(join(cwd, 'dup.json'), forged);
    for (const grantee of ['Practitioner/2', 'Practitioner/evil']) {
      const r = await cli(
        ['consent', 'check', 'dup.json', '--grantee', grantee, '--category', 'Observation'],
        { cwd },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/repeats a member name/);
    }
    const revoked = await cli(['consent', 'revoke', '-k', 'p.key.json', 'dup.json'], { cwd });
    expect(revoked.status).toBe(2);
  });

  it('usage errors: unknown scheme, several keys for a one-key scheme, bad threshold', async () => {
    const cwd = workdir('consent-usage');
    await cli(['keys', 'new', '--type', 'secp256k1', '-o', 'a.key.json'], { cwd });
    await cli(['keys', 'new', '--type', 'secp256k1', '-o', 'b.key.json'], { cwd });
    expect((await cli(grantArgs(['a.key.json'], 'p2sh', 'g.json'), { cwd })).status).toBe(2);
    expect(
      (await cli(grantArgs(['a.key.json', 'b.key.json'], 'p2wpkh', 'g.json'), { cwd })).status,
    ).toBe(2);
    const bad = await cli(
      grantArgs(['a.key.json', 'b.key.json'], 'p2wsh-multisig', 'g.json', ['--threshold', '3']),
      { cwd },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--threshold/);
  });
});

import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fundingKeyFromSecret, regtest } from '@medanchor/chain';
import { createDevnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { fromHex } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, initProject, tempDir } from './harness.js';

// `medanchor consent status` end to end on a real project: a file store in a temporary
// folder, anchors on an in-process devnet served over HTTP on a free port of 127.0.0.1,
// real grant and revocation files signed by `consent grant` and `consent revoke`. The
// revocation is stamped as the next version of its grant's record, so the head proof as
// of the checkpoint before it shows the grant in force and the one after shows it revoked;
// an auditor with no data directory checks the saved proofs offline.

const ORIGIN = 'clinic.example/cli-consent-status';
let cwd: string;
let env: Record<string, string>;
let vkey: string;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  const p = await initProject('consent-status', ORIGIN);
  cleanups.push(p.remove);
  cwd = p.dir;
  vkey = JSON.parse((await cli(['init', '--force', '--json'], { cwd })).stdout).vkey;
  const w = JSON.parse(readFileSync(join(cwd, '.medanchor', 'wallet.json'), 'utf8'));
  const key = fundingKeyFromSecret(fromHex(w.secretKey), w.keyType, regtest);
  const devnet = createDevnet({ seed: `cli consent status ${cwd}` });
  await devnet.test.mine(2, key.script);
  await devnet.test.mine(100);
  const server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close());
  env = { MEDANCHOR_ESPLORA_URL: server.url };
  const k = await run(['keys', 'new', '--type', 'secp256k1', '-o', 'patient.key.json']);
  expect(k.status, k.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const run = (args: string[], dir = cwd) => cli(args, { cwd: dir, env });
const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const grant = async (out: string, extra: string[] = []) => {
  const r = await run([
    'consent',
    'grant',
    '-k',
    'patient.key.json',
    '--patient',
    'Patient/p-1',
    '--grantee',
    'Practitioner/dr-lind',
    '--category',
    'Observation',
    '--from',
    '2020-01-01T00:00:00Z',
    ...extra,
    '-o',
    out,
  ]);
  expect(r.status, r.stderr).toBe(0);
};
const revoke = async (grantFile: string, out: string) => {
  const r = await run(['consent', 'revoke', '-k', 'patient.key.json', grantFile, '-o', out]);
  expect(r.status, r.stderr).toBe(0);
  return r;
};
const stamp = async (...args: string[]) => {
  const r = await run(['stamp', '--json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return json(r).stamped as { file: string; record: string; leafIndex: number }[];
};
const seal = async () => {
  const r = await run(['seal', '--json']);
  expect(r.status, r.stderr).toBe(0);
  return json(r).checkpoint.size as number;
};
const status = (...args: string[]) => run(['consent', 'status', '--json', ...args]);

describe('medanchor consent status', () => {
  let before: number; // the checkpoint sealed with the grant, before the revocation
  let after: number; // the one sealed with the revocation
  let revocationLeaf: number;

  it('grant, seal, revoke, seal: in force as of the first checkpoint, revoked as of the second', async () => {
    await grant('grant.json');
    const [g] = await stamp('grant.json');
    expect(g!.record).toBe('grant.json');
    before = await seal();
    const revoked = await revoke('grant.json', 'revocation.json');
    expect(revoked.stdout).toMatch(/medanchor stamp revocation\.json/);
    // The revocation is added as the next version of the grant's record.
    const [r] = await stamp('revocation.json');
    expect(r!.record).toBe('grant.json');
    revocationLeaf = r!.leafIndex;
    expect(revocationLeaf).toBeGreaterThanOrEqual(before);
    after = await seal();

    const first = await status('grant.json', '--as-of', String(before), '-o', 'before.json');
    expect(first.status, first.stderr).toBe(0);
    expect(json(first)).toMatchObject({
      ok: true,
      verdict: 'in-force',
      leafIndex: g!.leafIndex,
      grant: { record: 'grant.json' },
      checkpoint: { origin: ORIGIN, size: before },
    });
    const second = await status('grant.json', '--as-of', String(after), '-o', 'after.json');
    expect(second.status, second.stderr).toBe(1);
    expect(json(second)).toMatchObject({
      ok: false,
      verdict: 'revoked',
      leafIndex: revocationLeaf,
      revocation: { name: 'revocation.json', ordered: true },
    });
    // latest is the second checkpoint; the text names the verdict and the leaf.
    const text = await run(['consent', 'status', 'grant.json']);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(
      new RegExp(`NOT IN FORCE \\(revoked\\): revoked at leaf ${revocationLeaf}`),
    );
    // history prove of the grant's record names the revocation's stamp as a local version.
    const prove = await run(['history', 'prove', 'grant.json', '--json']);
    expect(prove.status, prove.stderr).toBe(0);
    expect(json(prove).head.leafIndex).toBe(revocationLeaf);
    expect(json(prove).newestReceipt).toBe(join(cwd, 'revocation.json.receipt.json'));
  }, 120_000);

  it('an auditor with no data directory checks the saved proofs; a withheld revocation is unseen', async () => {
    const { dir, remove } = tempDir('consent-auditor');
    cleanups.push(remove);
    for (const f of [
      'grant.json',
      'grant.json.receipt.json',
      'revocation.json',
      'revocation.json.receipt.json',
      'before.json',
      'after.json',
    ])
      copyFileSync(join(cwd, f), join(dir, f));
    const offline = (...args: string[]) =>
      run(['consent', 'status', '--json', 'grant.json', '--vkey', vkey, ...args], dir);

    const inForce = await offline('--proof', 'before.json', '--revocation', 'revocation.json');
    expect(inForce.status, inForce.stderr).toBe(0);
    expect(json(inForce)).toMatchObject({ verdict: 'in-force', keys: 'the --vkey given' });
    const revoked = await offline('--proof', 'after.json', '--revocation', 'revocation.json');
    expect(revoked.status, revoked.stderr).toBe(1);
    expect(json(revoked)).toMatchObject({ verdict: 'revoked', leafIndex: revocationLeaf });
    const withheld = await offline('--proof', 'after.json');
    expect(withheld.status, withheld.stderr).toBe(1);
    expect(json(withheld)).toMatchObject({ verdict: 'unseen', leafIndex: revocationLeaf });
    expect(json(withheld).statement).toMatch(/a revocation may be withheld/);

    // The same file is a head proof `history verify` accepts.
    const h = await run(['history', 'verify', 'after.json', '--vkey', vkey], dir);
    expect(h.status, h.stderr).toBe(0);

    // A proof for another record, or one with its head changed, is refused (exit 1).
    const other = await offline('--proof', 'after.json', '--record', 'other.json');
    expect(other.status).toBe(1);
    expect(json(other)).toMatchObject({ verdict: 'refused', step: 'record' });
    const tampered = JSON.parse(readFileSync(join(dir, 'after.json'), 'utf8'));
    tampered.head.leafIndex = 0;
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
    const bad = await offline('--proof', 'tampered.json');
    expect(bad.status).toBe(1);
    expect(json(bad)).toMatchObject({ ok: false, verdict: 'refused', step: 'path' });
  }, 60_000);

  it('bad arguments exit 2 and write nothing', async () => {
    await grant('unstamped.json');
    // A repeated member name: readers would disagree on the grant, so it is refused.
    const signed = readFileSync(join(cwd, 'grant.json'), 'utf8');
    writeFileSync(join(cwd, 'repeated.json'), signed.replace(/^\{/, '{"signature": "00",'));
    const repeated = await status('repeated.json');
    expect(json(repeated).error.message).toMatch(/repeats a member name/);
    const cases: [string[], string][] = [
      [['repeated.json'], 'CLI_INPUT'],
      [['grant.json', '--as-of', '0'], 'CLI_USAGE'],
      [['grant.json', '--as-of', String(after + 50)], 'HEAD_MAP_UNAVAILABLE'],
      [['grant.json', '--at', 'yesterday'], 'CLI_USAGE'],
      [['grant.json', '--vkey', vkey], 'CLI_USAGE'],
      [['grant.json', '--proof', 'after.json', '--as-of', '1'], 'CLI_USAGE'],
      [['revocation.json'], 'CLI_INPUT'],
      [['missing.json'], 'CLI_INPUT'],
      [['unstamped.json'], 'CLI_CONSENT_NOT_STAMPED'],
      [['grant.json', '--proof', 'grant.json'], 'CLI_INPUT'],
    ];
    for (const [args, code] of cases) {
      // (--out with --proof is refused by itself: tested below)
      const r = await status(...args, ...(args.includes('--proof') ? [] : ['-o', 'refused.json']));
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(json(r).error.code, args.join(' ')).toBe(code);
      expect(existsSync(join(cwd, 'refused.json')), args.join(' ')).toBe(false);
    }
    const both = await status('grant.json', '--proof', 'after.json', '-o', 'refused.json');
    expect(both.status).toBe(2);
    expect(existsSync(join(cwd, 'refused.json'))).toBe(false);
    const many = await run(['stamp', '--record-id', 'grant.json', 'grant.json', 'unstamped.json']);
    expect(many.status).toBe(2);
  }, 60_000);

  it('an old-style revocation (stamped as its own record) is reported as such, and stamping it again orders it', async () => {
    await grant('old-grant.json');
    await stamp('old-grant.json');
    await seal();
    await revoke('old-grant.json', 'old-revocation.json');
    // As an older medanchor stamped it: under its own path.
    const [own] = await stamp('--record-id', 'old-revocation.json', 'old-revocation.json');
    expect(own!.record).toBe('old-revocation.json');
    await seal();
    const r = await status('old-grant.json');
    expect(r.status, r.stderr).toBe(1);
    expect(json(r)).toMatchObject({
      verdict: 'revoked',
      leafIndex: own!.leafIndex,
      revocation: { name: 'old-revocation.json', ordered: false },
    });
    expect(json(r).notes.join('\n')).toMatch(/stamped as its own record/);

    // Stamping the same file again adds it as the next version of the grant's record.
    const [again] = await stamp('old-revocation.json');
    expect(again).toMatchObject({ record: 'old-grant.json', unchanged: false });
    await seal();
    const ordered = await status('old-grant.json');
    expect(ordered.status).toBe(1);
    expect(json(ordered)).toMatchObject({
      verdict: 'revoked',
      leafIndex: again!.leafIndex,
      revocation: { ordered: true },
    });
  }, 120_000);

  it('a grant stamped before stamps marked consents is still found; period and unsealed verdicts', async () => {
    await grant('expired.json', ['--until', '2021-01-01T00:00:00Z']);
    await grant('pending.json');
    await stamp('expired.json', 'pending.json');
    // A stamp list written by an older medanchor has no consent marks.
    const list = join(cwd, '.medanchor', 'stamps.jsonl');
    const lines = readFileSync(list, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    writeFileSync(list, lines.map(({ consent: _, ...l }) => `${JSON.stringify(l)}\n`).join(''));
    await revoke('pending.json', 'pending-revocation.json');
    const [routed] = await stamp('pending-revocation.json');
    expect(routed!.record).toBe('pending.json');
    await seal();

    const expired = await status('expired.json');
    expect(expired.status).toBe(1);
    expect(json(expired)).toMatchObject({ verdict: 'expired' });
    const then = await status('expired.json', '--at', '2020-06-01T00:00:00Z');
    expect(then.status, then.stderr).toBe(0);
    expect(json(then)).toMatchObject({ verdict: 'in-force' });
    const early = await status('expired.json', '--at', '2019-06-01T00:00:00Z');
    expect(early.status).toBe(1);
    expect(json(early)).toMatchObject({ verdict: 'not-yet-valid' });

    await grant('later.json');
    await stamp('later.json');
    const unsealed = await status('later.json');
    expect(unsealed.status).toBe(1);
    expect(json(unsealed)).toMatchObject({ verdict: 'not-committed' });
  }, 120_000);

  it('forget of a grant erases its revocation stamped under its record too', async () => {
    // The revocation alone is no record of its own: refused, naming the grant's record.
    const alone = await run(['forget', 'revocation.json', '--json']);
    expect(alone.status).toBe(2);
    expect(json(alone).error.code).toBe('CLI_FORGET_UNKNOWN');
    expect(json(alone).error.message).toMatch(/medanchor forget grant\.json/);
    expect(readFileSync(join(cwd, 'revocation.json.receipt.json'), 'utf8')).toMatch(/"salt"/);
    const f = await run(['forget', 'grant.json', '--json']);
    expect(f.status, f.stderr).toBe(0);
    const tomb = JSON.parse(readFileSync(join(cwd, 'revocation.json.receipt.json'), 'utf8'));
    expect(tomb.type).toBe('medanchor/tombstone');
    expect(readFileSync(join(cwd, '.medanchor', 'stamps.jsonl'), 'utf8')).not.toMatch(
      /"revocation\.json"/,
    );
  }, 60_000);
});

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consentSignerForKey, createConsentGrant, signConsentGrant } from '@medanchor/crypto';
import { auditEventFor } from '@medanchor/fhir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type DevnetProject, startDevnetProject } from './harness.js';

// `medanchor audit record | list | verify` against a real devnet child process: FHIR
// AuditEvents validated, committed, sealed, anchored and verified; a malformed one refused
// with its element path and nothing recorded; an edited stored event caught.

let project: DevnetProject;
let cwd: string;
const env = () => project.env;

beforeAll(async () => {
  project = await startDevnetProject('audit', 'clinic.example/cli-audit');
  cwd = project.cwd;
});

afterAll(() => project?.stop());

const write = (name: string, value: unknown) => {
  const file = join(cwd, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
};

const base = {
  patient: 'Patient/p-42',
  user: 'Practitioner/dr-okafor',
  server: 'Device/ehr',
  client: 'Device/ward-7-pc',
  purposes: ['TREAT'],
} as const;

describe('medanchor audit', () => {
  it('refuses a malformed event by element path and records nothing', async () => {
    const good = write(
      'ok.json',
      auditEventFor({ ...base, action: 'read', record: 'Observation/o-1' }),
    );
    const bad = write('bad.json', {
      ...auditEventFor({ ...base, action: 'read', record: 'Observation/o-1' }),
      agent: 'x',
    });
    const r = await cli(['audit', 'record', good, bad, '--json'], { cwd, env: env() });
    expect(r.status).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/AuditEvent\.agent/);
    const list = JSON.parse((await cli(['audit', 'list', '--json'], { cwd })).stdout);
    expect(list.events).toEqual([]);
  });

  it('records, lists, seals, anchors and verifies at level 3; an edited stored event fails', async () => {
    const files = [
      write(
        'create.json',
        auditEventFor({
          ...base,
          action: 'create',
          record: 'Observation/o-1/_history/1',
          recorded: '2026-03-10T09:00:00Z',
        }),
      ),
      write(
        'read.json',
        auditEventFor({
          ...base,
          action: 'read',
          record: 'Observation/o-1/_history/1',
          recorded: '2026-03-10T09:30:00Z',
        }),
      ),
      write(
        'disclose.json',
        auditEventFor({
          ...base,
          action: 'disclose',
          record: 'Observation/o-1/_history/1',
          recipient: 'Organization/insurer-9',
          recorded: '2026-03-10T10:00:00Z',
        }),
      ),
    ];
    const rec = await cli(['audit', 'record', ...files, '--json'], { cwd, env: env() });
    expect(rec.status).toBe(0);
    expect(JSON.parse(rec.stdout).stamped).toHaveLength(3);

    const before = JSON.parse((await cli(['audit', 'list', '--json'], { cwd })).stdout).events;
    expect(before.map((e: { interaction: string }) => e.interaction)).toEqual([
      'create',
      'read',
      'disclose',
    ]);
    expect(before.every((e: { receiptLevel: number | null }) => e.receiptLevel === null)).toBe(
      true,
    );
    expect(before[2]).toMatchObject({ user: 'Practitioner/dr-okafor', patient: 'Patient/p-42' });

    expect((await cli(['seal', '--json'], { cwd, env: env() })).status).toBe(0);
    const up = await cli(['upgrade', '--wait', '--interval', '0.2', '--timeout', '60', '--json'], {
      cwd,
      env: env(),
    });
    expect(up.status).toBe(0);
    const after = JSON.parse((await cli(['audit', 'list', '--json'], { cwd })).stdout).events;
    expect(after.map((e: { receiptLevel: number }) => e.receiptLevel)).toEqual([2, 2, 2]);

    const verified = await cli(['audit', 'verify', '--json'], { cwd, env: env() });
    expect(verified.status).toBe(0);
    const report = JSON.parse(verified.stdout);
    expect(report).toMatchObject({ ok: true, verified: 3, failed: 0 });
    expect(report.files.map((f: { level: number }) => f.level)).toEqual([3, 3, 3]);

    // An auditor's copy edited after the fact: still a valid AuditEvent, no longer the one proven.
    const dir = join(cwd, '.medanchor', 'audit');
    const stored = readdirSync(dir)
      .filter((f) => !f.endsWith('.receipt.json'))
      .sort();
    const target = join(dir, stored[1]!);
    writeFileSync(
      target,
      readFileSync(target, 'utf8').replace('Practitioner/dr-okafor', 'Practitioner/dr-other'),
    );
    const caught = await cli(['audit', 'verify', target, '--json'], { cwd, env: env() });
    expect(caught.status).toBe(1);
    expect(JSON.parse(caught.stdout).files[0].levels[0]).toMatchObject({
      level: 1,
      status: 'fail',
    });
  });

  it('list --grant flags the accesses the consent did not cover (exit 1)', async () => {
    const key = new Uint8Array(32).fill(7);
    const grant = signConsentGrant(
      createConsentGrant({
        patient: 'Patient/p-42',
        signer: consentSignerForKey(key),
        grantee: 'Practitioner/dr-okafor',
        actions: ['access', 'collect'],
        purposes: ['TREAT'],
        scope: { records: ['Observation/o-1'] },
        validFrom: '2026-01-01T00:00:00Z',
      }),
      key,
    );
    const file = write('grant.json', grant);
    const r = await cli(['audit', 'list', '--grant', file, '--json'], { cwd });
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.outsideConsent).toBe(2);
    expect(
      doc.events.map((e: { interaction: string; consent: string }) => [e.interaction, e.consent]),
    ).toEqual([
      ['create', 'permit'],
      ['read', 'deny (wrong-grantee)'], // the edited copy of the previous test names dr-other
      ['disclose', 'deny (action-not-granted)'],
    ]);
  });
});

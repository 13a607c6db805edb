import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildReceipt,
  commitRecord,
  encodeReceipt,
  encodeVerifierKey,
  generateNoteKey,
  leafHash,
  signCheckpoint,
  utf8,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readLogKey } from '../src/log-key.js';
import { cli, tempDir } from './harness.js';

const dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

const ORIGIN = 'clinic.example/records';

/** A project after `init`, with lab.json and a one-leaf receipt beside it (signed or not). */
async function project(signed: boolean) {
  const t = tempDir('trust');
  dirs.push(t);
  const init = await cli(['init', '--origin', ORIGIN, '--json'], { cwd: t.dir });
  expect(init.status, init.stderr).toBe(0);
  const key = readLogKey(join(t.dir, '.medanchor', 'log-key.json'))!;
  const bytes = utf8('{"resourceType":"Observation","id":"a1"}');
  writeFileSync(join(t.dir, 'lab.json'), bytes);
  const commitment = commitRecord(bytes);
  const cp = { origin: ORIGIN, size: 1, root: leafHash(commitment.commitment) };
  const receipt = buildReceipt({
    commitment,
    leafIndex: 0,
    checkpoint: cp,
    inclusionProof: [],
    ...(signed ? { note: signCheckpoint(cp, key) } : {}),
  });
  writeFileSync(join(t.dir, 'lab.json.receipt.json'), encodeReceipt(receipt));
  const configPath = join(t.dir, 'medanchor.config.json');
  const setTrust = (trust: unknown) => {
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(configPath, JSON.stringify({ ...config, trust }));
  };
  return { cwd: t.dir, vkey: encodeVerifierKey(key), setTrust };
}

describe('medanchor verify with a trust policy from the config (key "trust")', () => {
  it('a receipt signed by the configured log key passes level 1; an unsigned one fails at signature', async () => {
    const signed = await project(true);
    signed.setTrust({ logs: [{ origin: ORIGIN, keys: [signed.vkey] }] });
    const ok = await cli(
      ['verify', '--json', '--min-level', '1', 'lab.json', 'lab.json.receipt.json'],
      { cwd: signed.cwd },
    );
    expect(ok.stdout, ok.stderr).toMatch(/"status":\s*"pass"/);

    const unsigned = await project(false);
    unsigned.setTrust({ logs: [{ origin: ORIGIN, keys: [unsigned.vkey] }] });
    const bad = await cli(
      ['verify', '--json', '--min-level', '1', 'lab.json', 'lab.json.receipt.json'],
      { cwd: unsigned.cwd },
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/"step":\s*"signature"/);
    expect(bad.stdout).toMatch(/not signed/);

    // Signed, but by a key the policy does not trust for the origin.
    const other = encodeVerifierKey(generateNoteKey(ORIGIN));
    signed.setTrust({ logs: [{ origin: ORIGIN, keys: [other] }] });
    const untrusted = await cli(
      ['verify', '--json', '--min-level', '1', 'lab.json', 'lab.json.receipt.json'],
      {
        cwd: signed.cwd,
      },
    );
    expect(untrusted.stdout).toMatch(/"step":\s*"signature"/);
  });

  it('stamp and seal sign with the key from init: the receipt beside the file passes under the policy', async () => {
    const t = tempDir('trust-seal');
    dirs.push(t);
    const init = await cli(['init', '--origin', ORIGIN, '--json'], { cwd: t.dir });
    const { vkey } = JSON.parse(init.stdout) as { vkey: string };
    writeFileSync(join(t.dir, 'lab.json'), '{"resourceType":"Observation","id":"b2"}');
    expect((await cli(['stamp', 'lab.json'], { cwd: t.dir })).status).toBe(0);
    const sealed = await cli(['seal'], { cwd: t.dir });
    expect(sealed.status, sealed.stderr).toBe(0);
    const receipt = JSON.parse(readFileSync(join(t.dir, 'lab.json.receipt.json'), 'utf8'));
    expect(receipt.checkpoint.note).toMatch(/^clinic\.example\/records\n1\n/);
    const configPath = join(t.dir, 'medanchor.config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(
      configPath,
      JSON.stringify({ ...config, trust: { logs: [{ origin: ORIGIN, keys: [vkey] }] } }),
    );
    const r = await cli(
      ['verify', '--json', '--min-level', '1', 'lab.json', 'lab.json.receipt.json'],
      {
        cwd: t.dir,
      },
    );
    expect(r.stdout, r.stderr).toMatch(/"status":\s*"pass"/);
  });

  it('a malformed policy is CLI_CONFIG naming trust', async () => {
    const p = await project(true);
    p.setTrust({ logs: [{ origin: ORIGIN, keys: ['not-a-vkey'] }] });
    const r = await cli(['verify', '--min-level', '1', 'lab.json', 'lab.json.receipt.json'], {
      cwd: p.cwd,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /CLI_CONFIG: .*trust: trust policy logs\[0\]\.keys\[0\] is not a valid vkey/,
    );
  });
});

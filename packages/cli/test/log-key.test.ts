import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isMedanchorError,
  parseVerifierKey,
  signCheckpoint,
  verifyCheckpointNote,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readLogKey } from '../src/log-key.js';
import { cli, tempDir } from './harness.js';

const dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe('medanchor init: the log signing key', () => {
  it('writes log-key.json (0600), prints its vkey, and keeps it across init --force', async () => {
    const t = tempDir('logkey');
    dirs.push(t);
    const r = await cli(['init', '--origin', 'clinic.example/records', '--json'], { cwd: t.dir });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { logKey: string; vkey: string };
    const path = join(t.dir, '.medanchor', 'log-key.json');
    expect(out.logKey).toBe(path);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    const vkey = parseVerifierKey(out.vkey);
    expect(vkey.name).toBe('clinic.example/records');
    // The key in the file signs checkpoints that the printed vkey verifies.
    const key = readLogKey(path)!;
    const cp = { origin: 'clinic.example/records', size: 1, root: new Uint8Array(32) };
    expect(verifyCheckpointNote(signCheckpoint(cp, key), [vkey]).ok).toBe(true);

    const again = await cli(['init', '--force'], { cwd: t.dir });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(out.vkey);
    expect(again.stdout).toContain('(kept)');
  });

  it('a damaged key file is CLI_INPUT and the message never quotes the key', () => {
    const t = tempDir('logkey-bad');
    dirs.push(t);
    const path = join(t.dir, 'log-key.json');
    expect(readLogKey(path)).toBeUndefined();
    for (const text of [
      'PRIVATE+KEY+clinic.example/records+00000000+AQ secret-ish',
      JSON.stringify({ type: 'medanchor/log-key', skey: 'PRIVATE+KEY+x+00000000+AQsecretsecret' }),
      JSON.stringify({ type: 'other', skey: 'x' }),
    ]) {
      writeFileSync(path, text);
      try {
        readLogKey(path);
        expect.unreachable();
      } catch (e) {
        expect(isMedanchorError(e, 'CLI_INPUT')).toBe(true);
        expect((e as Error).message).not.toContain('secret');
        expect(String((e as Error).cause ?? '')).not.toContain('secret');
      }
    }
    expect(readFileSync(path, 'utf8')).toContain('other');
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './harness.js';

// `medanchor verify --json` on a receipt that `forget` replaced by its tombstone: the time
// of erasure is a top-level member (and one per file with --beside), not only words in
// levels[0].detail. Offline: a tombstone needs no chain.

const FORGOTTEN_AT = '2026-03-04T05:06:07.089Z';

function project(forgottenAt = FORGOTTEN_AT): { cwd: string; file: string; remove: () => void } {
  const { dir: cwd, remove } = tempDir('verify-tombstone');
  const file = join(cwd, 'obs.json');
  writeFileSync(file, '{"resourceType":"Observation","id":"gone"}');
  writeFileSync(
    `${file}.receipt.json`,
    JSON.stringify({
      type: 'medanchor/tombstone',
      version: 1,
      origin: 'clinic.example/forgotten',
      leafIndex: 4,
      commitment: 'ab'.repeat(32),
      forgottenAt,
    }),
  );
  return { cwd, file, remove };
}

describe('medanchor verify --json on a tombstone', () => {
  it('names forgottenAt at the top level, and per file with --beside', async () => {
    const { cwd, file, remove } = project();
    try {
      const one = await cli(['verify', '--offline', '--json', file, `${file}.receipt.json`], {
        cwd,
      });
      expect(one.status).toBe(1);
      const out = JSON.parse(one.stdout);
      expect(out).toMatchObject({
        ok: false,
        outcome: 'invalid',
        origin: 'clinic.example/forgotten',
        forgottenAt: FORGOTTEN_AT,
      });
      expect(out.levels[0]).toMatchObject({ status: 'fail', step: 'forgotten' });

      const many = await cli(['verify', '--offline', '--json', '--beside', file], { cwd });
      expect(many.status).toBe(1);
      expect(JSON.parse(many.stdout).files).toEqual([
        expect.objectContaining({ file, ok: false, forgottenAt: FORGOTTEN_AT }),
      ]);
    } finally {
      remove();
    }
  });

  it('has no forgottenAt when the tombstone is damaged (fails at step "tombstone")', async () => {
    const { cwd, file, remove } = project('yesterday');
    try {
      const r = await cli(['verify', '--offline', '--json', file, `${file}.receipt.json`], {
        cwd,
      });
      expect(r.status).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.forgottenAt).toBeUndefined();
      expect(out.levels[0]).toMatchObject({ status: 'fail', step: 'tombstone' });
    } finally {
      remove();
    }
  });
});

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { vectorPath, vectorsDir } from './vectors.js';

describe('vectors helper', () => {
  const saved = process.env['MEDANCHOR_VECTORS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['MEDANCHOR_VECTORS'];
    else process.env['MEDANCHOR_VECTORS'] = saved;
  });

  it('honours MEDANCHOR_VECTORS when it names a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medanchor-vectors-'));
    try {
      process.env['MEDANCHOR_VECTORS'] = dir;
      expect(vectorsDir()).toBe(dir);
      expect(vectorPath('no-such-folder')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reports no folder when MEDANCHOR_VECTORS names a missing one', () => {
    process.env['MEDANCHOR_VECTORS'] = join(tmpdir(), 'medanchor-definitely-missing');
    expect(vectorsDir()).toBeUndefined();
  });

  it('falls back to ../shared/vectors beside the repository', () => {
    delete process.env['MEDANCHOR_VECTORS'];
    const dir = vectorsDir();
    if (dir === undefined) {
      console.warn('[vectors] ../shared/vectors is absent here; fallback not exercised');
      expect(dir).toBeUndefined();
    } else {
      expect(existsSync(join(dir, 'README.md'))).toBe(true);
    }
  });
});

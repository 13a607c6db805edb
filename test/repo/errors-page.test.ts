import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMedanchorError, MedanchorError } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { CATALOGUES, renderErrorsPage } from '../../scripts/errors-page.js';
import { repoPath } from '../helpers/vectors.js';

// The error catalogues against the page generated from them and against the sources
// that throw the codes.

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && d.name !== 'error-codes.ts')
    .map((d) => join(d.parentPath, d.name));
}

describe('error codes', () => {
  it('docs/errors.md is the page the catalogues generate (run `pnpm docs:errors` when this fails)', () => {
    const page = readFileSync(repoPath('docs', 'errors.md'), 'utf8');
    expect(page).toBe(renderErrorsPage());
  });

  it('declares each code in one catalogue, with a meaning and an action that are sentences', () => {
    const owner = new Map<string, string>();
    for (const { pkg, codes } of CATALOGUES) {
      for (const [code, entry] of Object.entries(codes)) {
        expect(owner.get(code), `${code} is declared by ${owner.get(code)} and ${pkg}`).toBe(
          undefined,
        );
        owner.set(code, pkg);
        expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
        for (const text of [entry.meaning, entry.action]) expect(text, code).toMatch(/^\S.*[.)]$/);
      }
    }
    expect(owner.size).toBeGreaterThan(150);
  });

  it('lists no code that no package source uses', () => {
    const sources = readdirSync(repoPath('packages'))
      .flatMap((p) => {
        try {
          return sourceFiles(repoPath('packages', p, 'src'));
        } catch {
          return [];
        }
      })
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = CATALOGUES.flatMap(({ codes }) => Object.keys(codes)).filter(
      (code) => !sources.includes(`'${code}'`),
    );
    expect(unused).toEqual([]);
  });

  it('refuses unknown codes at compile time (tsc checks the expect-error lines)', () => {
    const e: unknown = new MedanchorError('INVALID_ARGUMENT', 'threads must be a positive integer');
    // @ts-expect-error a misspelt code is no catalogued code
    expect(isMedanchorError(e, 'INVALID_ARGUMNET')).toBe(false);
    expect(isMedanchorError(e, 'INVALID_ARGUMENT')).toBe(true);
    // @ts-expect-error a throw needs a catalogued code
    expect(new MedanchorError('NO_SUCH_CODE', 'x').code).toBe('NO_SUCH_CODE');
  });
});

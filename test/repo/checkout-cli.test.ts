import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/vectors.js';

// `pnpm medanchor <args>` / `npm run medanchor -- <args>` from a checkout: the root script
// runs the CLI from its sources in the directory the user typed the command in (INIT_CWD,
// which both package managers set), not in the repository root.

const work = mkdtempSync(join(tmpdir(), 'medanchor-checkout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function medanchor(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [repoPath('scripts', 'medanchor.mjs'), ...args],
      { cwd: repoPath(), env: { ...process.env, INIT_CWD: work } },
      (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the medanchor script of the root package.json', () => {
  it('is declared as `node scripts/medanchor.mjs`', () => {
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
    expect(pkg.scripts.medanchor).toBe('node scripts/medanchor.mjs');
  });

  it('runs `init` in the directory the command was typed in and passes on the exit status', async () => {
    const init = await medanchor(['init', '--json']);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ ok: true, network: 'regtest' });
    expect(existsSync(join(work, 'medanchor.config.json'))).toBe(true);
    expect(existsSync(repoPath('medanchor.config.json'))).toBe(false);
    const again = await medanchor(['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
  });
});

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/vectors.js';

// Every ```ts code block in the READMEs (root, packages, examples) and docs/**/*.md is a program that the suite runs,
// so the docs cannot rot. A block whose fence line says `ts no-run` is shown, not run.
// Each block runs as its own module (imports resolve to the workspace sources) and
// must finish without throwing; samples assert what they claim with node:assert.

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'api' || name === 'node_modules') return [];
    if (statSync(p).isDirectory()) return markdownFiles(p);
    return name.endsWith('.md') ? [p] : [];
  });
}

interface Sample {
  file: string;
  line: number;
  code: string;
}

function samples(file: string): Sample[] {
  const out: Sample[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(ts|typescript)(\s.*)?$/.exec(lines[i]!);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    if (!(fence[2] ?? '').includes('no-run')) {
      out.push({ file, line: start, code: lines.slice(start, end).join('\n') });
    }
    i = end;
  }
  return out;
}

const files = [
  repoPath('README.md'),
  ...['core', 'crypto', 'chain'].map((p) => repoPath('packages', p, 'README.md')),
  ...markdownFiles(repoPath('docs')),
  ...markdownFiles(repoPath('examples')),
];
const all = files.flatMap(samples);
const scratch = repoPath('.tmp', 'doc-samples');
mkdirSync(scratch, { recursive: true });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('code samples in the docs run', () => {
  it('finds samples to run', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  all.forEach((s, n) => {
    const where = `${relative(repoPath(), s.file)}:${s.line}`;
    it(`${where} runs`, async () => {
      const path = join(scratch, `sample-${n}.ts`);
      writeFileSync(path, `${s.code}\nexport {};\n`);
      await expect(import(/* @vite-ignore */ path)).resolves.toBeDefined();
    });
  });
});

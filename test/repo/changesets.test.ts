import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/vectors.js';

// Changesets are YAML front matter; a Markdown formatter once turned the closing `---`
// into a heading underline, which silently dropped every release. Guard the format.
describe('.changeset files', () => {
  const packages = readdirSync(repoPath('packages')).map(
    (p) => JSON.parse(readFileSync(repoPath('packages', p, 'package.json'), 'utf8')).name as string,
  );
  const files = readdirSync(repoPath('.changeset')).filter(
    (f) => f.endsWith('.md') && f !== 'README.md',
  );

  it('has changesets to release', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file}: front matter names workspace packages and a bump, then a summary`, () => {
      const text = readFileSync(repoPath('.changeset', file), 'utf8');
      const m =
        /^---\n((?:['"]@medanchor\/[a-z-]+['"]: (?:major|minor|patch)\n)+)---\n\n(\S[\s\S]*)$/.exec(
          text,
        );
      expect(m, `${file} must start with YAML front matter`).not.toBeNull();
      for (const line of m![1]!.trim().split('\n')) {
        const name = /^['"]([^'"]+)['"]/.exec(line)![1]!;
        expect(packages).toContain(name);
      }
    });
  }
});

import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkDistFresh,
  DIST_TSCONFIG,
  distPackages,
  measuredLine,
  REPO_ROOT,
} from '../../bench/dist-build.js';
import { BenchUsageError, parseBenchArgs } from '../../bench/run-args.js';
import { repoPath } from '../helpers/vectors.js';

// `pnpm bench --dist` (bench/run.ts): the argument rules, the dist freshness check on package
// trees written here with chosen file times, the bench importing packages only by their
// entries (so the dist tsconfig redirects all of them), and bench/run.ts itself run once in
// each mode on a cheap slice of a section.

const SECTIONS = ['anchor', 'chain', 'core', 'sizes'];

describe('bench arguments', () => {
  it('measures the sources and every section unless told otherwise', () => {
    expect(parseBenchArgs([], SECTIONS)).toEqual({ dist: false, sections: SECTIONS, help: false });
  });

  it('takes --dist anywhere among the sections, which keep their order', () => {
    expect(parseBenchArgs(['sizes', '--dist', 'core'], SECTIONS)).toEqual({
      dist: true,
      sections: ['sizes', 'core'],
      help: false,
    });
    expect(parseBenchArgs(['--dist'], SECTIONS).sections).toEqual(SECTIONS);
    expect(parseBenchArgs(['-h'], SECTIONS).help).toBe(true);
  });

  it('refuses an unknown option or section and a section named twice', () => {
    const refused = (argv: string[]) => () => parseBenchArgs(argv, SECTIONS);
    expect(refused(['--dsit'])).toThrow(BenchUsageError);
    expect(refused(['--dsit'])).toThrow('unknown option "--dsit"');
    expect(refused(['cor'])).toThrow(
      'unknown section "cor"; available: anchor, chain, core, sizes',
    );
    expect(refused(['core', 'core'])).toThrow('a section is named twice');
  });
});

describe('dist freshness', () => {
  const root = mkdtempSync(join(tmpdir(), 'medanchor-bench-dist-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const at = (iso: string) => new Date(iso);
  const write = (path: string, time: Date) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '// test\n');
    utimesSync(path, time, time);
  };
  // A package with two ESM entries (and a CJS one, which the bench does not load).
  const makePackage = (name: string, built: Date, changed: Date) => {
    const dir = join(root, 'packages', name);
    mkdirSync(dir, { recursive: true });
    const entry = (f: string) => ({
      import: { types: `./dist/${f}.d.ts`, default: `./dist/${f}.js` },
      require: { default: `./dist/${f}.cjs` },
    });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ exports: { '.': entry('index'), './internal': entry('internal') } }),
    );
    write(join(dir, 'dist', 'index.js'), built);
    write(join(dir, 'dist', 'internal.js'), at('2026-01-01T10:00:05Z'));
    write(join(dir, 'src', 'deep', 'module.ts'), changed);
    write(join(dir, 'src', 'index.ts'), at('2026-01-01T08:00:00Z'));
    return dir;
  };

  it('passes a dist written after its sources and reports the oldest entry time', () => {
    makePackage('fresh', at('2026-01-01T10:00:00Z'), at('2026-01-01T09:00:00Z'));
    const state = checkDistFresh(root, ['fresh']);
    expect(state).toEqual({ ok: true, builtAt: at('2026-01-01T10:00:00Z') });
    expect(measuredLine({ dist: true, builtAt: at('2026-01-01T10:00:00Z') })).toBe(
      'measured: dist (built 2026-01-01 10:00:00 UTC)',
    );
    expect(measuredLine({ dist: false })).toBe('measured: sources via tsx');
  });

  it('refuses a dist older than a source file deep in src, naming the file', () => {
    makePackage('stale', at('2026-01-01T10:00:00Z'), at('2026-01-01T11:30:00Z'));
    const state = checkDistFresh(root, ['fresh', 'stale']);
    expect(state).toEqual({
      ok: false,
      problems: [
        '@medanchor/stale: its dist (built 10:00:00 UTC) is older than packages/stale/src/deep/module.ts (changed 11:30:00 UTC)',
      ],
    });
  });

  it('refuses a dist older than the build config', () => {
    const dir = makePackage('config', at('2026-01-01T10:00:00Z'), at('2026-01-01T09:00:00Z'));
    write(join(dir, 'tsup.config.ts'), at('2026-01-01T12:00:00Z'));
    const state = checkDistFresh(root, ['config']);
    expect(state.ok).toBe(false);
    expect(!state.ok && state.problems[0]).toContain('older than packages/config/tsup.config.ts');
  });

  it('refuses a missing entry, a package never built, and one that is not there', () => {
    const dir = makePackage('partial', at('2026-01-01T10:00:00Z'), at('2026-01-01T09:00:00Z'));
    rmSync(join(dir, 'dist', 'internal.js'));
    const unbuilt = makePackage('unbuilt', at('2026-01-01T10:00:00Z'), at('2026-01-01T09:00:00Z'));
    rmSync(join(unbuilt, 'dist'), { recursive: true });
    const state = checkDistFresh(root, ['partial', 'unbuilt', 'absent']);
    expect(state).toEqual({
      ok: false,
      problems: [
        '@medanchor/partial is not built (missing packages/partial/dist/internal.js)',
        '@medanchor/unbuilt is not built (missing packages/unbuilt/dist/index.js, packages/unbuilt/dist/internal.js)',
        'packages/absent/package.json cannot be read',
      ],
    });
  });
});

// Every file the bench runs, and the example helper its sections share.
function benchFiles(dir = repoPath('bench')): string[] {
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...benchFiles(path));
    else if (/\.(ts|mjs)$/.test(e.name)) files.push(path);
  }
  return files;
}

describe('what --dist redirects', () => {
  it('maps the packages the bench imports, each to its dist', () => {
    expect(distPackages()).toEqual(['chain', 'core', 'crypto', 'postgres', 'server']);
    const paths = JSON.parse(readFileSync(DIST_TSCONFIG, 'utf8')).compilerOptions.paths;
    for (const targets of Object.values(paths) as string[][]) {
      for (const t of targets) expect(t).toMatch(/^\.\.\/packages\/[a-z]+\/dist\/(index|\*)\.js$/);
    }
  });

  it('the bench imports packages only through their entries, never packages/*/src', () => {
    const files = [...benchFiles(), repoPath('examples', 'shared', 'dev-anchoring.ts')];
    const specifiers = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1]!;
        expect(spec, `${file} imports ${spec}`).not.toMatch(/packages\/[^/]+\/src\//);
        if (spec.startsWith('@medanchor/')) specifiers.add(spec);
      }
    }
    expect(specifiers.has('@medanchor/core/internal')).toBe(true);
    for (const spec of specifiers) {
      const [, name, ...rest] = spec.split('/');
      expect(distPackages(), spec).toContain(name);
      const pkg = JSON.parse(readFileSync(repoPath('packages', name!, 'package.json'), 'utf8'));
      const sub = rest.length === 0 ? '.' : `./${rest.join('/')}`;
      expect(Object.keys(pkg.exports), spec).toContain(sub);
    }
  });

  it('keeps the internal entries out of the size budgets', async () => {
    const { publicEntries } = (await import(repoPath('scripts', 'bundle-size.mjs'))) as {
      publicEntries: () => { name: string }[];
    };
    const names = publicEntries().map((e) => e.name);
    expect(names).toContain('@medanchor/core');
    expect(names.filter((n) => n.endsWith('/internal'))).toEqual([]);
  });

  it('keeps the internal entries out of the API docs', () => {
    for (const name of ['core', 'chain', 'crypto']) {
      const docs = JSON.parse(readFileSync(repoPath('packages', name, 'typedoc.json'), 'utf8'));
      expect(docs.entryPoints).not.toContain('src/internal.ts');
      const source = readFileSync(repoPath('packages', name, 'src', 'internal.ts'), 'utf8');
      expect(source).toContain('@internal');
    }
  });
});

describe('bench/run.ts', () => {
  function bench(args: string[], env: Record<string, string> = {}) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        repoPath('node_modules', '.bin', 'tsx'),
        [repoPath('bench', 'run.ts'), ...args],
        { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('exits 2 with the usage on a bad argument, before measuring anything', async () => {
    const r = await bench(['--dist', 'no-such-section']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('unknown section "no-such-section"');
    expect(r.stderr).toContain('usage: pnpm bench [--dist] [section ...]');
    expect(r.stdout).toBe('');
  });

  it('says on its first line that it measured the sources by default', async () => {
    // The chain section with no table selected: its imports load, nothing is timed.
    const r = await bench(['chain'], { MEDANCHOR_BENCH_CHAIN: 'none' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('measured: sources via tsx');
    expect(r.stdout).toContain('\n## chain');
  });

  it('a section process refuses to run when its imports did not resolve to the build asked for', async () => {
    // A section process told --dist but started without the dist tsconfig (as a broken
    // loader would leave it): @medanchor/core resolves to the sources, so it stops.
    const r = await bench(['--dist', 'sizes'], { MEDANCHOR_BENCH_SECTION_CHILD: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('asked to measure dist, but @medanchor/core resolves to sources');
    expect(r.stdout).not.toContain('## sizes');
  });

  it('with --dist runs a section on the built packages, or refuses a stale build', async () => {
    // The SPV table of the chain section (a few seconds, no shared vectors needed); the
    // section's imports load chain's and core's dist, internal entries included.
    const r = await bench(['--dist', 'chain'], { MEDANCHOR_BENCH_CHAIN: 'spv' });
    if (r.code === 0) {
      expect(r.stdout.split('\n')[0]).toMatch(
        /^measured: dist \(built \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$/,
      );
      expect(r.stdout).toContain('\n## chain');
      expect(r.stdout).toContain('### SPV verification (level 2)');
      expect(r.stdout).toMatch(/\| case +\| median ms/);
      return;
    }
    // CI builds before it tests, so there the dist run itself must pass.
    expect(process.env['CI'], `a CI run found the dist unusable:\n${r.stderr}`).toBeUndefined();
    console.info(
      `bench --dist refused the local dist (run \`pnpm build\` to run it):\n${r.stderr}`,
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/is not built|is older than/);
    expect(r.stderr).toContain('Run `pnpm build` first');
    expect(r.stdout).toBe('');
  });
});

// Same-process A/B of a seal with the head map: `npx tsx bench/head-map-ab.ts <base-rev>
// [--rounds N] [--n N]`. The core and chain sources of <base-rev> (git archive) and of this
// work tree are each bundled with bench/head-map-ab-case.ts, both bundles are loaded into
// one process, and their seals run interleaved (the side that goes first alternates), so
// load that comes and goes hits both alike; the machine is shared, so figures are CPU time
// of this process, never wall time. Prints, per store and side, the seal's CPU with and
// without the map and what the map adds, with the load average during the run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { fmt, median } from './head-map-fill.js';

type SealNew = (kind: 'memory' | 'file', withMap: boolean, n: number) => Promise<number>;

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  const v = at < 0 ? fallback : Number(args[at + 1]);
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};
const base = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (base === undefined) {
  console.error('usage: npx tsx bench/head-map-ab.ts <base-rev> [--rounds N] [--n N]');
  process.exit(2);
}
const rounds = flag('--rounds', 5);
const n = flag('--n', 10_000);

// One side's bundle: the case with @medanchor/core, core/node and chain taken from `src`
// (a directory holding packages/core/src and packages/chain/src).
async function bundle(src: string, out: string): Promise<SealNew> {
  const pkg = (p: string) => join(src, 'packages', p);
  await build({
    entryPoints: [join(root, 'bench', 'head-map-ab-case.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'error',
    alias: {
      '@medanchor/core/node': pkg('core/src/node.ts'),
      '@medanchor/core': pkg('core/src/index.ts'),
      '@medanchor/chain': pkg('chain/src/index.ts'),
    },
    // The base tree's sources resolve their npm packages from this work tree.
    nodePaths: ['core', 'chain'].map((p) => join(root, 'packages', p, 'node_modules')),
  });
  return ((await import(pathToFileURL(out).href)) as { sealNew: SealNew }).sealNew;
}

const work = mkdtempSync(join(tmpdir(), 'medanchor-head-map-ab-'));
try {
  const baseDir = join(work, 'base');
  mkdirSync(baseDir);
  const tar = execFileSync(
    'git',
    ['archive', base, '--', 'packages/core/src', 'packages/chain/src'],
    { cwd: root, maxBuffer: 1 << 28 },
  );
  execFileSync('tar', ['-x', '-C', baseDir], { input: tar });
  const sides: [string, SealNew][] = [
    [`base ${base}`, await bundle(baseDir, join(work, 'base.mjs'))],
    ['ours (work tree)', await bundle(root, join(work, 'ours.mjs'))],
  ];
  const loads = [loadavg()[0]!];
  console.log(
    `\nseal of ${fmt(n)} new records, same-process A/B, ${rounds} interleaved rounds (CPU ms of this process; median [min-max])`,
  );
  console.log('| store | side | with the map | without | the map adds | records per CPU second |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const kind of ['memory', 'file'] as const) {
    const runs = sides.map(() => ({ map: [] as number[], plain: [] as number[] }));
    // A round not counted: each side's code compiled and warm before the first timed seal.
    for (const [, seal] of sides) for (const withMap of [false, true]) await seal(kind, withMap, n);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const s of order) {
        runs[s]!.plain.push(await sides[s]![1](kind, false, n));
        runs[s]!.map.push(await sides[s]![1](kind, true, n));
      }
      loads.push(loadavg()[0]!);
    }
    sides.forEach(([name], s) => {
      const { map, plain } = runs[s]!;
      const range = (xs: number[]) =>
        `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}]`;
      const extra = Math.max(0.001, median(map) - median(plain));
      console.log(
        `| ${kind} | ${name} | ${range(map)} | ${range(plain)} | ${extra.toFixed(0)} | ${fmt((n * 1000) / extra)} |`,
      );
    });
  }
  console.log(`load average (1 min) during the run: ${loads.map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

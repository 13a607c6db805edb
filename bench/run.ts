// `pnpm bench [--dist] [section...]`: runs the benchmark sections (core, crypto, chain...)
// and prints one table per figure, each next to its peers measured in the same run. Each
// section runs in a process of its own, so no section measures the heap, threads or JIT
// state an earlier one left (the consent rows ran ~45% slower after the core section's
// million-leaf trees than alone). By default the packages are their sources under tsx (what
// `pnpm bench:ab` compares across revisions); `--dist` measures the built packages users
// install, since a regression can live in one and not the other.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  checkDistFresh,
  DIST_TSCONFIG,
  distPackages,
  measuredLine,
  REPO_ROOT,
  resolvedBuild,
} from './dist-build.js';
import { machineLine } from './harness.js';
import { BENCH_USAGE, type BenchArgs, BenchUsageError, parseBenchArgs } from './run-args.js';

const CHILD = 'MEDANCHOR_BENCH_SECTION_CHILD';
const dir = new URL('./sections/', import.meta.url);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

let args: BenchArgs;
try {
  args = parseBenchArgs(process.argv.slice(2), available);
} catch (e) {
  if (!(e instanceof BenchUsageError)) throw e;
  console.error(`${e.message}\n\n${BENCH_USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(BENCH_USAGE);
  process.exit(0);
}

if (process.env[CHILD] === '1') {
  // The parent chose the build through the tsconfig it handed tsx; make sure it took.
  const want = args.dist ? 'dist' : 'sources';
  const got = resolvedBuild();
  if (got !== want) {
    console.error(`bench: asked to measure ${want}, but @medanchor/core resolves to ${got}`);
    process.exit(1);
  }
  for (const name of args.sections) {
    console.log(`\n## ${name}`);
    const mod = (await import(new URL(`./sections/${name}.ts`, import.meta.url).href)) as {
      run: () => Promise<void>;
    };
    await mod.run();
  }
} else {
  let measured = measuredLine({ dist: false });
  const env: NodeJS.ProcessEnv = { ...process.env, [CHILD]: '1' };
  if (args.dist) {
    const state = checkDistFresh(REPO_ROOT, distPackages());
    if (!state.ok) {
      console.error(
        `bench --dist: the built packages cannot be measured:\n${state.problems.map((p) => `  ${p}`).join('\n')}\nRun \`pnpm build\` first (or drop --dist to measure the sources).`,
      );
      process.exit(1);
    }
    measured = measuredLine({ dist: true, builtAt: state.builtAt });
    // tsx in each section process (and in any process a section starts with tsx) reads it.
    env['TSX_TSCONFIG_PATH'] = DIST_TSCONFIG;
  }
  console.log(`${measured}\n\n# medanchor benchmarks\n\n${machineLine()}`);
  for (const name of args.sections) {
    // The same runtime and loader flags (tsx) as this process, one section.
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), ...(args.dist ? ['--dist'] : []), name],
      { stdio: 'inherit', env },
    );
    if (child.status !== 0) {
      console.error(`section ${name} failed (${child.signal ?? `exit ${child.status}`})`);
      process.exit(1);
    }
  }
}

// `pnpm bench:ab <base-rev> [section ...] [--rounds N] [--out DIR]`: is this tree at least as
// fast as <base-rev>, row by row? One run of each proves little (rows drift up to 1.5x between
// runs on a shared machine), so this checks <base-rev> out as a git worktree in a temporary
// directory (beside a `shared` link to our ../shared, so its benches find the vectors),
// installs and builds it, builds ours, then runs `pnpm bench <section>` for each section in
// both trees, one process each, alternately (base first in odd rounds, ours first in even
// ones), and compares every row with a noise rule (bench/ab-verdict.ts). Logs and the report stay in the results directory it
// prints; the worktree is removed at the end, also on failure and on Ctrl-C.
// Exit code: 0 with a report (slower rows included), 1 when a step fails, 2 on bad arguments.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbUsageError, chooseSections, parseAbArgs, USAGE } from './ab-args.js';
import { type ParsedLog, parseBenchLog } from './ab-parse.js';
import { compareRuns, formatReport } from './ab-verdict.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The same pnpm everywhere, whichever one (if any) started us.
const PNPM = ['npx', '-y', 'pnpm@10.34.9'];

class StepFailed extends Error {}

let current: ChildProcess | undefined;
let cleanup: (() => void) | undefined;

function git(args: string[]): string {
  return execFileSync('git', args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Runs a command with its output in files; resolves on exit 0, rejects with StepFailed
 * otherwise. The child leads its own process group so an interrupt can end all of it.
 */
function run(what: string, cmd: string[], cwd: string, out: string, err = out): Promise<void> {
  const outFd = openSync(out, 'w');
  const errFd = err === out ? outFd : openSync(err, 'w');
  return new Promise((done, fail) => {
    const child = spawn(cmd[0]!, cmd.slice(1), {
      cwd,
      stdio: ['ignore', outFd, errFd],
      detached: true,
    });
    current = child;
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      closeSync(outFd);
      if (errFd !== outFd) closeSync(errFd);
    };
    child.on('error', (e) => {
      current = undefined;
      close();
      fail(new StepFailed(`${what}: could not start ${cmd[0]}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      current = undefined;
      close();
      if (code === 0) done();
      else {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        fail(new StepFailed(`${what} failed (${why}); log ${err}:\n${tail(err)}`));
      }
    });
  });
}

/** Bench section names of a tree: its bench/sections/*.ts. */
function sectionsAt(rev: string): string[] {
  const names = git(['ls-tree', '--name-only', `${rev}:bench/sections`]).split('\n');
  return names.filter((n) => n.endsWith('.ts')).map((n) => n.slice(0, -3));
}

function ourSections(): string[] {
  return readdirSync(join(ROOT, 'bench', 'sections'))
    .filter((n) => n.endsWith('.ts'))
    .map((n) => n.slice(0, -3));
}

function usage(message: string): never {
  console.error(`bench:ab: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseAbArgs>;
  try {
    args = parseAbArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof AbUsageError) usage(e.message);
    throw e;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let sha: string;
  try {
    sha = git(['rev-parse', '--verify', '--quiet', `${args.base}^{commit}`]);
  } catch {
    usage(`"${args.base}" is not a commit of this repository`);
  }
  let baseSections: string[];
  try {
    baseSections = sectionsAt(sha);
  } catch {
    usage(`${args.base} has no bench/sections`);
  }
  let sections: string[];
  try {
    sections = chooseSections(args.sections, baseSections, ourSections());
  } catch (e) {
    if (e instanceof AbUsageError) usage(e.message);
    throw e;
  }
  if (args.out !== undefined && existsSync(args.out) && !statSync(args.out).isDirectory()) {
    usage(`--out ${args.out} is a file`);
  }

  const results = args.out
    ? resolve(args.out)
    : mkdtempSync(join(tmpdir(), 'medanchor-ab-results-'));
  mkdirSync(results, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'medanchor-ab-'));
  const baseTree = join(work, 'base');
  let worktreeAdded = false;
  cleanup = () => {
    cleanup = undefined;
    if (worktreeAdded) {
      try {
        git(['worktree', 'remove', '--force', baseTree]);
      } catch (e) {
        console.error(
          `bench:ab: git worktree remove failed (${(e as Error).message.split('\n')[0]}); removing by hand`,
        );
      }
    }
    rmSync(work, { recursive: true, force: true });
    if (worktreeAdded) {
      try {
        git(['worktree', 'prune']);
      } catch {
        // Nothing left to prune is the usual case.
      }
      console.log(`bench:ab: removed the worktree of ${args.base}`);
    }
  };

  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const head = git(['rev-parse', '--short', 'HEAD']);
  const labels = {
    base: `${args.base} (${sha.slice(0, 7)})`,
    ours: `this tree (HEAD ${head}${dirty ? ' with uncommitted changes' : ''})`,
  };
  console.log(`bench:ab: ${labels.ours} against ${labels.base}`);
  console.log(
    `bench:ab: sections ${sections.join(' ')}, ${args.rounds} round(s); results in ${results}`,
  );

  // The base tree's benches read ../shared/vectors: give its parent a `shared` like ours.
  const shared = resolve(ROOT, '..', 'shared');
  if (existsSync(shared)) symlinkSync(realpathSync(shared), join(work, 'shared'));
  else console.log(`bench:ab: no ${shared}; benches that need the shared vectors will skip them`);

  git(['worktree', 'add', '--detach', baseTree, sha]);
  worktreeAdded = true;
  const setup = (name: string) => join(results, `setup-${name}.log`);
  console.log('bench:ab: installing the base tree');
  try {
    await run(
      'base install (offline)',
      [...PNPM, 'install', '--frozen-lockfile', '--offline'],
      baseTree,
      setup('base-install-offline'),
    );
  } catch {
    console.log('bench:ab: offline install failed; trying online');
    await run(
      'base install',
      [...PNPM, 'install', '--frozen-lockfile'],
      baseTree,
      setup('base-install'),
    );
  }
  console.log('bench:ab: building the base tree and ours');
  await run('base build', [...PNPM, 'run', 'build'], baseTree, setup('base-build'));
  await run('our build', [...PNPM, 'run', 'build'], ROOT, setup('ours-build'));

  const trees = { base: baseTree, ours: ROOT } as const;
  const parsed: { base: ParsedLog[]; ours: ParsedLog[] } = { base: [], ours: [] };
  // One `pnpm bench <section>` per section and side, so both trees run every section in a
  // process of its own (older trees ran all sections in one process, where a section measured
  // the heap an earlier one left), and the two sides of a section run next to each other.
  for (let round = 1; round <= args.rounds; round++) {
    const order = round % 2 === 1 ? (['base', 'ours'] as const) : (['ours', 'base'] as const);
    const text = { base: '', ours: '' };
    for (const section of sections) {
      for (const side of order) {
        const log = join(results, `round${round}-${side}-${section}.log`);
        const err = join(results, `round${round}-${side}-${section}.stderr.log`);
        const t0 = performance.now();
        process.stdout.write(`bench:ab: round ${round}/${args.rounds}, ${section}, ${side}... `);
        await run(
          `round ${round} ${side} bench ${section}`,
          [...PNPM, 'run', 'bench', section],
          trees[side],
          log,
          err,
        );
        console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s`);
        if (readFileSync(err, 'utf8') === '') rmSync(err);
        text[side] += readFileSync(log, 'utf8');
      }
    }
    for (const side of order) parsed[side].push(parseBenchLog(text[side]));
  }
  cleanup?.();

  const report = formatReport(compareRuns(parsed.base, parsed.ours), labels);
  writeFileSync(join(results, 'report.md'), `${report}\n`);
  console.log(`\n${report}\n\nbench:ab: logs and report.md in ${results}`);
  return 0;
}

function interrupted(signal: NodeJS.Signals): void {
  console.error(`\nbench:ab: ${signal}; stopping the run and removing the worktree`);
  // Our child leads its own process group: end the group, not just the pnpm at its top.
  if (current?.pid !== undefined) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  cleanup?.();
  process.exit(130);
}
process.on('SIGINT', interrupted);
process.on('SIGTERM', interrupted);

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`\nbench:ab: ${e instanceof StepFailed ? e.message : (e as Error).stack}`);
    cleanup?.();
    process.exit(1);
  },
);

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { runCli } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(root, 'packages', 'cli', 'src', 'bin.ts');
const TSX = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;

/** What a command printed and returned. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Environment without the caller's MEDANCHOR_* settings, so tests see only their own. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('MEDANCHOR_')) env[k] = v;
  return { ...env, ...extra };
}

/** Runs the CLI in this process with captured output (the code path of the executable). */
export async function cli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; tty?: boolean; signal?: AbortSignal },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: cleanEnv(options.env),
    cwd: options.cwd,
    stderrIsTTY: options.tty === true,
    columns: 100,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { status, stdout, stderr };
}

/** Starts the real executable (`node bin.ts` through tsx) as a child process. */
export function spawnCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv({ TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'), ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the real executable to its end. */
export function execCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliRun> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/** Waits for the first line a child prints on stdout. */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let errors = '';
    child.stderr!.on('data', (d: Buffer) => {
      errors += d.toString();
    });
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) resolve(buffered.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing: ${errors}`)));
  });
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `medanchor-cli-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh temporary project folder where `medanchor init --origin <origin>` has run. */
export async function initProject(
  prefix: string,
  origin: string,
  extra: string[] = [],
): Promise<{ dir: string; remove: () => void; init: CliRun }> {
  const { dir, remove } = tempDir(prefix);
  const init = await cli(['init', '--origin', origin, ...extra], { cwd: dir });
  expect(init.status, init.stderr).toBe(0);
  return { dir, remove, init };
}

/**
 * Starts a long-running command (`serve`, `devnet`, `witness` with `--json`) as a child
 * process and resolves with the JSON line it prints once it listens.
 */
export async function startCliServer<T = { url: string }>(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawnCli(args, options);
  return { child, ready: JSON.parse(await firstLine(child)) as T };
}

/**
 * Starts `medanchor serve --listen 127.0.0.1:0 <args> --json` (a free port) as a child process
 * and resolves once it listens, with what it printed then.
 */
export function startServe(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ child: ChildProcess; ready: { url: string; origin: string } }> {
  return startCliServer(['serve', '--listen', '127.0.0.1:0', ...args, '--json'], options);
}

/**
 * Stops a child with SIGINT, as a user's Ctrl-C, and resolves with its exit code; a child
 * not started or already ended is left alone (its exit code, if it had one).
 */
export async function stopChild(child: ChildProcess | undefined): Promise<number | null> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null)
    return child?.exitCode ?? null;
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  child.kill('SIGINT');
  return exited;
}

/** A project folder with a `medanchor devnet` child process serving Esplora on 127.0.0.1. */
export interface DevnetProject {
  /** The project folder. */
  readonly cwd: string;
  /** The devnet's Esplora URL. */
  readonly url: string;
  /** What `medanchor devnet --json` printed when ready. */
  readonly ready: { url: string; funded: unknown[] };
  /** The environment that points the CLI at the devnet. */
  readonly env: Record<string, string>;
  /** Stops the devnet (SIGINT) and removes the folder. */
  stop(): Promise<void>;
}

/** `medanchor init --origin <origin>` in a fresh folder, then `medanchor devnet` there. */
export async function startDevnetProject(prefix: string, origin: string): Promise<DevnetProject> {
  const { dir, remove } = await initProject(prefix, origin);
  let started: { child: ChildProcess; ready: DevnetProject['ready'] };
  try {
    started = await startCliServer(['devnet', '--port', '0', '--block-time', '0.25', '--json'], {
      cwd: dir,
    });
  } catch (e) {
    remove();
    throw e;
  }
  const { child, ready } = started;
  return {
    cwd: dir,
    url: ready.url,
    ready,
    env: { MEDANCHOR_ESPLORA_URL: ready.url },
    async stop() {
      await stopChild(child);
      remove();
    },
  };
}

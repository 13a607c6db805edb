// A real PostgreSQL server for tests: initdb into a temp dir, started on a free 127.0.0.1 port
// as a non-root user, killable with SIGKILL and restartable on the same data directory.
// No pg-mem, no mocks: when the binaries are missing, `findPostgresBin` says why and tests skip.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../../../test/helpers/free-port.js';

function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesized command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(name));
    } catch {
      // the process left meanwhile
    }
  }
  return out;
}

/** True while `pid` runs: not gone, not a zombie (a zombie has released its memory). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Where initdb/postgres live, or why they are not usable here. */
export type PostgresBin = { dir: string } | { missing: string };

/**
 * Debian installs one directory per major version; the newest wins. `MEDANCHOR_PG_BIN`
 * names another directory holding initdb and postgres.
 */
export function findPostgresBin(): PostgresBin {
  const root = '/usr/lib/postgresql';
  const override = process.env.MEDANCHOR_PG_BIN;
  if (override !== undefined)
    return existsSync(join(override, 'initdb'))
      ? { dir: override }
      : { missing: `MEDANCHOR_PG_BIN=${override} has no initdb` };
  if (!existsSync(root))
    return { missing: `${root} does not exist: install Debian's "postgresql" package (CI does)` };
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0)
    return { missing: `no ${root}/*/bin/initdb: install Debian's "postgresql" package (CI does)` };
  return { dir: join(root, versions[0] as string, 'bin') };
}

/** The skip reason for `describe.skipIf`, printed once so a skipped run says why. */
export function postgresSkipReason(): string | undefined {
  const bin = findPostgresBin();
  if ('missing' in bin) {
    console.warn(`[postgres tests skipped] ${bin.missing}`);
    return bin.missing;
  }
  return undefined;
}

interface RunAs {
  uid: number;
  gid: number;
}

// The server refuses to run as root; as root we run it as the `postgres` system user
// (Debian's package creates it) or `nobody`.
function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      if (Number.isInteger(uid) && uid > 0) return { uid, gid };
    } catch {
      // try the next name
    }
  }
  throw new Error('running as root and neither a "postgres" nor a "nobody" user exists');
}

/** The superuser the harness creates, with a password so bad credentials can be tested. */
export const PG_SUPERUSER = 'medanchor';
const PG_PASSWORD = 'test-only-password';

/** A running (or stopped) test server. */
export interface PgServer {
  readonly port: number;
  readonly dataDir: string;
  /** A connection URL for `database` (default `postgres`) as the superuser. */
  url(database?: string, credentials?: { user: string; password: string }): string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** SIGKILL of the postmaster and every backend: a crash, not a shutdown. */
  kill(): void;
  /** SIGSTOP of every server process: it keeps its sockets but answers nothing (a hang). */
  pause(): void;
  /** SIGCONT after {@link PgServer.pause}. */
  resume(): void;
  /** Starts the server again on the same data directory and port (crash recovery runs). */
  start(): Promise<void>;
  /** Fast shutdown and removal of the data directory (resumes a paused server first). */
  stop(): Promise<void>;
}

let dbCounter = 0;

/** initdb + start on a free port; resolves once the server accepts connections. */
export async function startPgServer(opts: { fsync?: boolean } = {}): Promise<PgServer> {
  const bin = findPostgresBin();
  if ('missing' in bin) throw new Error(bin.missing);
  const user = runAs();
  const root = mkdtempSync(join(tmpdir(), 'medanchor-pg-'));
  const dataDir = join(root, 'data');
  const sockDir = join(root, 'sock');
  const pwFile = join(root, 'pw');
  writeFileSync(pwFile, PG_PASSWORD);
  execFileSync('mkdir', [dataDir, sockDir]);
  if (user !== undefined) {
    for (const p of [root, dataDir, sockDir, pwFile]) chownSync(p, user.uid, user.gid);
  }
  chmodSync(root, 0o700);
  const initdb = () =>
    execFileSync(
      join(bin.dir, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        PG_SUPERUSER,
        `--pwfile=${pwFile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '--no-sync',
        '-E',
        'UTF8',
        '--locale=C',
      ],
      { stdio: 'pipe', ...(user ?? {}) },
    );
  try {
    initdb();
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const args = [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      sockDir,
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=64MB',
      // Tests run many servers' worth of work on 2 cores; the crash tests turn fsync on.
      '-c',
      `fsync=${opts.fsync === true ? 'on' : 'off'}`,
      '-c',
      'logging_collector=off',
    ];
    // Detached: a Ctrl-C of the test run does not reach it before stop() does.
    const c = spawn(join(bin.dir, 'postgres'), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      ...(user ?? {}),
    });
    let log = '';
    c.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`postgres exited at start: ${log}`);
      const client = new pg.Client({ connectionString: urlFor('postgres') });
      try {
        await client.connect();
        await client.query('select 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        if (Date.now() > deadline) throw new Error(`postgres did not become ready: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const urlFor = (database: string, cred = { user: PG_SUPERUSER, password: PG_PASSWORD }) =>
    `postgres://${encodeURIComponent(cred.user)}:${encodeURIComponent(cred.password)}@127.0.0.1:${port}/${database}`;

  // Every backend calls setsid(), so a process-group signal misses them: find the
  // postmaster's children in /proc and signal each (a crash takes them all down together).
  // Processes SIGKILLed by kill(): a restart waits until they are gone, since a backend
  // still exiting holds the shared memory and the new postmaster refuses to start
  // ("pre-existing shared memory block is still in use", seen on a loaded machine).
  const killed = new Set<number>();
  const killGroup = (signal: NodeJS.Signals) => {
    const c = child;
    if (c?.pid === undefined || c.exitCode !== null) return;
    if (c.signalCode !== null && c.signalCode !== 'SIGSTOP' && c.signalCode !== 'SIGCONT') return;
    // A stopped postmaster forks no more backends (a fork with a signal pending is undone),
    // so the children listed after this are all of them.
    if (signal === 'SIGKILL') {
      try {
        process.kill(c.pid, 'SIGSTOP');
      } catch {}
    }
    const pids = [c.pid, ...childPids(c.pid)];
    if (signal === 'SIGKILL') for (const pid of pids) killed.add(pid);
    // Stop the parent first so it cannot fork replacements while we signal its children.
    for (const pid of signal === 'SIGCONT' ? pids.reverse() : pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  const killedGone = async () => {
    const deadline = Date.now() + 30_000;
    while ([...killed].some(running) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    killed.clear();
  };

  try {
    await start();
  } catch (e) {
    // A server that never came up leaves no process and no directory behind.
    killGroup('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    dataDir,
    url: (database = 'postgres', credentials) => urlFor(database, credentials),
    async createDatabase(name) {
      const db = name ?? `t_${process.pid}_${++dbCounter}_${Date.now() % 1e6}`;
      const client = new pg.Client({ connectionString: urlFor('postgres') });
      await client.connect();
      try {
        await client.query(`create database "${db}"`);
      } finally {
        await client.end();
      }
      return urlFor(db);
    },
    kill() {
      killGroup('SIGKILL');
    },
    pause() {
      killGroup('SIGSTOP');
    },
    resume() {
      killGroup('SIGCONT');
    },
    async start() {
      await exited;
      await killedGone();
      await start();
    },
    async stop() {
      killGroup('SIGCONT');
      killGroup('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      killGroup('SIGKILL');
      await exited;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

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

/** The state letter of a process (R, S, D, T, Z, ...), or undefined once it is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}

// Atomics.wait on a cell nobody notifies: a synchronous sleep.
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Waits (synchronously, so kill() stays synchronous) until `pid` is stopped or gone. A
 * SIGSTOP takes effect only when the process next leaves the kernel: one in the middle of
 * fork() finishes it first (only a fatal signal aborts a fork), so a /proc scan made before
 * the stop shows can miss the newest backend (seen twice in a run of 40 kills during a connection storm).
 */
function awaitStopped(pid: number, boundMs: number): void {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const state = procState(pid);
    if (state === undefined || state === 'T' || state === 't' || state === 'Z' || state === 'X')
      return;
    if (Date.now() > deadline) return;
    Atomics.wait(sleepCell, 0, 0, 1);
  }
}

/** The System V segment a postmaster recorded on line 7 of postmaster.pid (key and id). */
interface ShmSegment {
  key: number;
  shmid: number;
}

function recordedSegment(dataDir: string): ShmSegment | undefined {
  try {
    const line = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[6] ?? '';
    const [key = 0, shmid = -1] = line.trim().split(/\s+/).map(Number);
    if (Number.isInteger(key) && Number.isInteger(shmid) && key > 0 && shmid >= 0)
      return { key, shmid };
  } catch {
    // no lock file: nothing to wait for
  }
  return undefined;
}

/** How many processes have the segment attached, from /proc/sysvipc/shm (0 once removed). */
function attachCount(seg: ShmSegment): number {
  const [head = '', ...lines] = readFileSync('/proc/sysvipc/shm', 'utf8').trim().split('\n');
  const cols = head.trim().split(/\s+/);
  const keyAt = cols.indexOf('key');
  const idAt = cols.indexOf('shmid');
  const nAt = cols.indexOf('nattch');
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (Number(f[idAt]) === seg.shmid && Number(f[keyAt]) === seg.key) return Number(f[nAt]);
  }
  return 0;
}

/** The processes mapping the segment: /proc/<pid>/maps names it `/SYSV<key, 8 hex digits>`. */
function attachedPids(seg: ShmSegment): number[] {
  const name = `/SYSV${seg.key.toString(16).padStart(8, '0')}`;
  const out: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/maps`, 'utf8').includes(name)) out.push(Number(pid));
    } catch {
      // the process left meanwhile
    }
  }
  return out;
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
  const killGroup = (signal: NodeJS.Signals) => {
    const c = child;
    if (c?.pid === undefined || c.exitCode !== null) return;
    if (c.signalCode !== null && c.signalCode !== 'SIGSTOP' && c.signalCode !== 'SIGCONT') return;
    // Stop the postmaster and list its children only once it is stopped: it forks no more
    // backends then, so the list is all of them.
    if (signal === 'SIGKILL' || signal === 'SIGSTOP') {
      try {
        process.kill(c.pid, 'SIGSTOP');
      } catch {}
      awaitStopped(c.pid, 5_000);
    }
    const pids = [c.pid, ...childPids(c.pid)];
    for (const pid of signal === 'SIGCONT' ? pids.reverse() : pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };

  // PostgreSQL refuses to start while any process still has the last server's segment
  // attached ("pre-existing shared memory block ... is still in use"): a SIGKILLed backend
  // holds it until its exit has unmapped it, which takes a while on a loaded machine. Only
  // called once the postmaster has exited, so whatever still maps the segment belongs to the
  // killed server: it is killed (again) and waited for.
  const segmentReleased = async (boundMs = 30_000) => {
    const seg = recordedSegment(dataDir);
    if (seg === undefined) return;
    const deadline = Date.now() + boundMs;
    for (;;) {
      const n = attachCount(seg);
      if (n === 0) return;
      const pids = attachedPids(seg);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (Date.now() > deadline) {
        const who = pids.map((p) => `${p} (state ${procState(p) ?? 'gone'})`).join(', ');
        throw new Error(
          `postgres cannot restart on ${dataDir}: its shared memory segment (key ${seg.key}, id ${seg.shmid}) is still attached by ${n} process(es) after ${boundMs / 1000} s: ${who || 'none found in /proc/*/maps'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  // The wait above makes the refusal unexpected; should it come anyway, the start is retried
  // (twice, each after the wait) before the error reaches the test.
  const restart = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      await segmentReleased();
      try {
        await start();
        return;
      } catch (e) {
        if (attempt >= 3 || !String(e).includes('pre-existing shared memory block')) throw e;
        await exited;
      }
    }
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
      await restart();
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

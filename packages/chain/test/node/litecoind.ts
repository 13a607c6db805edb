// Starts a real litecoind in regtest for integration tests: temporary datadir, loopback
// RPC on a free port, -txindex, no wallet. Litecoin Core 0.21 is a Bitcoin Core 0.21 fork
// with the same JSON-RPC, so it stands in for bitcoind where Debian has no bitcoind.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../../../../test/helpers/free-port.js';

/** A running regtest node and how to reach it. */
export interface Litecoind {
  url: string;
  user: string;
  password: string;
  /** The `.cookie` file the node writes (cookie auth works alongside rpcauth). */
  cookiePath: string;
  datadir: string;
  rpcPort: number;
  /** Process id of litecoind. */
  pid: number;
  /** Raw JSON-RPC call; throws an Error carrying `code` on an RPC error. */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /**
   * Stops the node (RPC `stop`, then SIGKILL when it has not exited after `graceMs`,
   * default 15 000) and deletes the datadir, whatever happens.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** Path of the litecoind binary, or undefined (with a printed reason) when absent. */
export function litecoindPath(): string | undefined {
  const fromEnv = process.env['LITECOIND'];
  const candidates = fromEnv
    ? [fromEnv]
    : (process.env['PATH'] ?? '/usr/bin').split(delimiter).map((d) => join(d, 'litecoind'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  console.warn(
    fromEnv
      ? `[litecoind] skipping real-node tests: LITECOIND=${fromEnv} is not an executable file`
      : '[litecoind] skipping real-node tests: litecoind is not installed (apt-get install litecoind, or set LITECOIND=/path/to/litecoind)',
  );
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `litecoind -regtest` and resolves once its RPC answers. */
export async function startLitecoind(options: { extraArgs?: string[] } = {}): Promise<Litecoind> {
  const bin = litecoindPath();
  if (bin === undefined) throw new Error('litecoind is not installed');
  const datadir = await mkdtemp(join(tmpdir(), 'medanchor-ltc-'));
  const rpcPort = await freePort();
  let p2pPort = await freePort();
  while (p2pPort === rpcPort) p2pPort = await freePort();
  const user = 'medanchor';
  const password = randomBytes(16).toString('hex');
  const salt = randomBytes(16).toString('hex');
  const hmac = createHmac('sha256', salt).update(password).digest('hex');
  const args = [
    '-regtest',
    `-datadir=${datadir}`,
    '-server',
    '-listen=0',
    `-port=${p2pPort}`,
    `-rpcport=${rpcPort}`,
    '-rpcbind=127.0.0.1',
    '-rpcallowip=127.0.0.1',
    `-rpcauth=${user}:${salt}$${hmac}`,
    '-txindex',
    '-fallbackfee=0.0002',
    '-disablewallet',
    '-printtoconsole=0',
    '-discover=0',
    '-dnsseed=0',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${rpcPort}/`;
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  let id = 0;
  const rpc = async <T>(method: string, params: unknown[] = [], timeoutMs = 60_000): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '1.0', id: ++id, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { result: T; error: { code: number; message: string } };
    if (body.error) {
      throw Object.assign(new Error(`${method}: ${body.error.message}`), {
        code: body.error.code,
      });
    }
    return body.result;
  };

  let stopped = false;
  const stop = async (stopOptions: { graceMs?: number } = {}) => {
    if (stopped) return;
    stopped = true;
    const graceMs = stopOptions.graceMs ?? 15_000;
    try {
      if (child.exitCode === null && child.signalCode === null) {
        // A frozen node never answers: the RPC gets the same grace as the exit.
        await rpc('stop', [], graceMs).catch(() => undefined);
        if (!(await exited(child, graceMs))) {
          child.kill('SIGKILL');
          await exited(child, 5_000);
        }
      }
    } finally {
      await rm(datadir, { recursive: true, force: true });
    }
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`litecoind exited with ${child.exitCode}: ${stderr.trim().slice(0, 500)}`);
    }
    try {
      await rpc('getblockchaininfo');
      break;
    } catch (e) {
      // Connection refused while starting, or -28 "Loading block index" while warming up.
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`litecoind RPC not ready after 60 s: ${String(e)}`);
      }
      await sleep(100);
    }
  }
  return {
    url,
    user,
    password,
    cookiePath: join(datadir, 'regtest', '.cookie'),
    datadir,
    rpcPort,
    pid: child.pid ?? -1,
    rpc: (method, params) => rpc(method, params),
    stop,
  };
}

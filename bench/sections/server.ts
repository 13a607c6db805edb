// `pnpm bench server`: the log server over real HTTP on 127.0.0.1 with keep-alive, on the
// file store. Tile requests/s (full level-0 tiles, served from the server's cache) and
// authenticated submissions/s (batching clients, every batch durable before its answer).
// The load comes from a child process, so the server's event loop is not shared with its
// clients; on a 2-core machine the two still share the CPU, so what the client spends per
// request is taken from the server. Tiles are therefore measured with two clients, side by
// side: autocannon, and a lean client of our own (bench/tile-load.mjs: raw sockets, every
// answer's status and length checked) with and without HTTP/1.1 pipelining.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLedger } from '@medanchor/chain';
import { type LedgerStore, sha256, toHex, utf8 } from '@medanchor/core';
import { openFileLedgerStore } from '@medanchor/core/node';
import { createLogServer, formatTilePath, hashToken } from '@medanchor/server';
import { witnessCosignRoundTrip } from '../witness-cosign.js';

const TOKEN = 'bench-writer-token';
const SECONDS = 5;
const TILE_CONNECTIONS = 64;
const SUBMIT_CONNECTIONS = 8;
const BATCH = 500;
const LOADER = fileURLToPath(new URL('../server-load.mjs', import.meta.url));
const LEAN_LOADER = fileURLToPath(new URL('../tile-load.mjs', import.meta.url));
/** Requests in flight per connection for the pipelined row (1 is plain keep-alive). */
const PIPELINE_DEPTH = 8;

interface LoadResult {
  /** CPU seconds this process (the server) spent during the run. */
  serverCpu: number;
  /** CPU seconds the load generator spent during the run. */
  clientCpu: number;
  /** The 1-minute load average when the run ended. */
  loadAfter: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  p50: number;
  p99: number;
}

/** Runs a load generator in its own Node process and returns what it counted. */
function loadFromChild(spec: Record<string, unknown>, loader = LOADER): Promise<LoadResult> {
  const cpu0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [loader, JSON.stringify(spec)],
      { maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`load generator failed: ${stderr || err.message}`));
        const used = process.cpuUsage(cpu0);
        const r = JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult;
        r.serverCpu = (used.user + used.system) / 1e6;
        r.loadAfter = loadavg()[0]!;
        if (r.non2xx > 0 || r.errors > 0)
          return reject(new Error(`load generator saw ${r.non2xx} non-2xx, ${r.errors} errors`));
        resolve(r);
      },
    );
  });
}

/** One setup request from this process (filling the log before the measured run). */
function call(agent: Agent, port: number, method: string, path: string, body?: string) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method,
        path,
        headers:
          body === undefined
            ? {}
            : {
                'Content-Type': 'application/json',
                Authorization: `Bearer ${TOKEN}`,
                'Content-Length': Buffer.byteLength(body),
              },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Prints a markdown table with columns padded to their widest cell. */
function markdownTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
  console.log('');
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-bench-server-'));
  try {
    const origin = 'bench.example/server';
    const before = load();
    const tiles = await measureTiles(await openFileLedgerStore(join(dir, 'tiles'), { origin }));
    const rate = (r: LoadResult) => Math.round(r.ok / r.seconds);
    const us = (cpu: number, r: LoadResult) => ((cpu / r.ok) * 1e6).toFixed(1);
    // The headline, fixed before any run: the lean client with one request in flight per
    // connection (plain keep-alive, no pipelining), the way most HTTP clients fetch.
    const head = tiles.keepAlive;
    console.log(
      `server tiles: ${rate(head)} req/s (lean client, ${TILE_CONNECTIONS} keep-alive connections, 1 request in flight on each)`,
    );
    // On a shared machine the rate depends on what else runs; CPU per request does less.
    console.log(
      `server tiles cpu: ${us(head.serverCpu, head)} µs/request (${Math.round(head.ok / head.serverCpu)} req/s per server CPU second)`,
    );
    markdownTable(
      [
        'tiles client',
        'req/s',
        'server CPU µs/req',
        'client CPU µs/req',
        'p50 ms',
        'p99 ms',
        'load after',
      ],
      (
        [
          ['autocannon, 1 in flight per connection', tiles.autocannon],
          ['lean, 1 in flight per connection', tiles.keepAlive],
          [`lean, ${PIPELINE_DEPTH} pipelined per connection`, tiles.pipelined],
        ] as const
      ).map(([label, r]) => [
        label,
        String(rate(r)),
        us(r.serverCpu, r),
        us(r.clientCpu, r),
        String(r.p50),
        String(r.p99),
        r.loadAfter.toFixed(2),
      ]),
    );
    const submits = await measureSubmits(
      await openFileLedgerStore(join(dir, 'submit'), { origin }),
    );
    console.log(`server submit: ${Math.round((submits.ok * BATCH) / submits.seconds)} records/s`);
    console.log(
      `server submit cpu: ${((submits.serverCpu / (submits.ok * BATCH)) * 1e6).toFixed(1)} µs/record`,
    );
    console.log(
      `(tiles: ${TILE_CONNECTIONS} keep-alive connections per client; submissions: ${SUBMIT_CONNECTIONS} connections of ${BATCH}-record batches, p50 ${submits.p50} ms p99 ${submits.p99} ms; file store; ${SECONDS} s each; clients in a child process; load average before ${before}, after ${load()}; goals: 20000 req/s, 10000 records/s)`,
    );
    await witnessCosignRoundTrip();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const batch = (from: number, n: number) =>
  JSON.stringify({
    records: Array.from({ length: n }, (_, i) => ({
      digest: toHex(sha256(utf8(`bench ${from + i}`))),
    })),
  });

async function withServer<T>(
  store: LedgerStore,
  fn: (agent: Agent, url: string, port: number, seal: () => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const ledger = await openLedger({ store, pollMs: 0 });
  const server = createLogServer({
    ledger,
    writers: [{ name: 'bench', sha256: hashToken(TOKEN), ratePerSecond: 10_000_000 }],
  });
  const { port, url } = await server.listen(0, '127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    return await fn(agent, url, port, () => ledger.seal());
  } finally {
    agent.destroy();
    await server.close();
    await ledger.close();
    await store.close();
  }
}

interface TileLoads {
  autocannon: LoadResult;
  keepAlive: LoadResult;
  pipelined: LoadResult;
}

function measureTiles(store: LedgerStore): Promise<TileLoads> {
  return withServer(store, async (agent, url, port, seal) => {
    // A log of 65 536 leaves: 256 full level-0 tiles, requested in turn by every connection.
    for (let i = 0; i < 65_536; i += 1000)
      await call(agent, port, 'POST', '/add', batch(i, Math.min(1000, 65_536 - i)));
    await seal();
    const paths = Array.from({ length: 256 }, (_, n) =>
      formatTilePath({ level: 0, index: n, width: 256 }),
    );
    for (const p of paths) await call(agent, port, 'GET', p); // fill the cache
    const lean = (depth: number) =>
      loadFromChild(
        {
          host: '127.0.0.1',
          port,
          paths,
          bodyLength: 256 * 32,
          connections: TILE_CONNECTIONS,
          depth,
          seconds: SECONDS,
        },
        LEAN_LOADER,
      );
    // The server's own count of tiles answered: a client may not count more than it got.
    const served = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/route="tile",status="200"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const checked = async (run: () => Promise<LoadResult>) => {
      const before = await served();
      const r = await run();
      const answered = (await served()) - before;
      if (r.ok > answered)
        throw new Error(`the client counted ${r.ok} tiles, the server answered ${answered}`);
      return r;
    };
    const autocannon = await checked(() =>
      loadFromChild({ url, kind: 'tiles', paths, connections: TILE_CONNECTIONS, seconds: SECONDS }),
    );
    const keepAlive = await checked(() => lean(1));
    const pipelined = await checked(() => lean(PIPELINE_DEPTH));
    return { autocannon, keepAlive, pipelined };
  });
}

function measureSubmits(store: LedgerStore): Promise<LoadResult> {
  return withServer(store, (_agent, url) =>
    loadFromChild({
      url,
      kind: 'submit',
      token: TOKEN,
      batch: BATCH,
      connections: SUBMIT_CONNECTIONS,
      seconds: SECONDS,
    }),
  );
}

// `pnpm bench server`: the log server over real HTTP on 127.0.0.1 with keep-alive, on the
// file store. Tile requests/s (full level-0 tiles, served from the server's cache) and
// authenticated submissions/s (batching clients, every batch durable before its answer).
// Client and server share this process, so both figures are lower bounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '@medanchor/chain';
import { type LedgerStore, sha256, toHex, utf8 } from '@medanchor/core';
import { openFileLedgerStore } from '@medanchor/core/node';
import { createLogServer, formatTilePath, hashToken } from '@medanchor/server';

const TOKEN = 'bench-writer-token';
const DURATION_MS = 3000;

function call(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
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

/** Runs `clients` loops of `one` for the duration; returns units done per second. */
async function load(clients: number, one: (client: number, i: number) => Promise<number>) {
  const end = performance.now() + DURATION_MS;
  const t0 = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < end; i++) {
        // Not `done += await ...`: that reads `done` before the await and loses the
        // other clients' counts.
        const n = await one(c, i);
        done += n;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-bench-server-'));
  try {
    const origin = 'bench.example/server';
    const tiles = await measureTiles(await openFileLedgerStore(join(dir, 'tiles'), { origin }));
    console.log(`server tiles: ${Math.round(tiles)} req/s`);
    const submits = await measureSubmits(
      await openFileLedgerStore(join(dir, 'submit'), { origin }),
    );
    console.log(`server submit: ${Math.round(submits)} records/s`);
    console.log(
      `(tiles: 64 keep-alive clients; submissions: 8 clients of ${BATCH}-record batches; file store; ${DURATION_MS / 1000} s each; client in the same process; goals: 20000 req/s, 10000 records/s)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BATCH = 500;

const batch = (from: number, n: number) =>
  JSON.stringify({
    records: Array.from({ length: n }, (_, i) => ({
      digest: toHex(sha256(utf8(`bench ${from + i}`))),
    })),
  });

async function withServer<T>(
  store: LedgerStore,
  fn: (agent: Agent, port: number, seal: () => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const ledger = await openLedger({ store, pollMs: 0 });
  const server = createLogServer({
    ledger,
    writers: [{ name: 'bench', sha256: hashToken(TOKEN), ratePerSecond: 10_000_000 }],
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    return await fn(agent, port, () => ledger.seal());
  } finally {
    agent.destroy();
    await server.close();
    await ledger.close();
    await store.close();
  }
}

function measureTiles(store: LedgerStore): Promise<number> {
  return withServer(store, async (agent, port, seal) => {
    // A log of 65 536 leaves: 256 full level-0 tiles to request round-robin.
    for (let i = 0; i < 65_536; i += 1000)
      await call(agent, port, 'POST', '/add', batch(i, Math.min(1000, 65_536 - i)));
    await seal();
    const paths = Array.from({ length: 256 }, (_, n) =>
      formatTilePath({ level: 0, index: n, width: 256 }),
    );
    for (const p of paths) await call(agent, port, 'GET', p); // fill the cache
    return load(64, async (c, i) => {
      const status = await call(agent, port, 'GET', paths[(c * 7 + i) % 256]!);
      if (status !== 200) throw new Error(`tile answered ${status}`);
      return 1;
    });
  });
}

function measureSubmits(store: LedgerStore): Promise<number> {
  return withServer(store, async (agent, port) => {
    let next = 0;
    return load(8, async () => {
      const from = next;
      next += BATCH;
      const status = await call(agent, port, 'POST', '/add', batch(from, BATCH));
      if (status !== 200) throw new Error(`add answered ${status}`);
      return BATCH;
    });
  });
}

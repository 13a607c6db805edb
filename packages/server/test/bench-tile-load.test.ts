// The lean load generator of `pnpm bench server` (bench/tile-load.mjs) against a real log
// server: its counts are what the bench prints, so they are checked here against the
// server's own counters, and its checks of status and length are shown to fail.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type Running, startServer, submit } from './helpers.js';

const LOADER = fileURLToPath(new URL('../../../bench/tile-load.mjs', import.meta.url));

interface Counted {
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  clientCpu: number;
  p50: number;
  p99: number;
}

function load(spec: Record<string, unknown>): Promise<Counted> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [LOADER, JSON.stringify(spec)], (err, stdout, stderr) => {
      if (err) reject(new Error(`tile-load failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout.trim()) as Counted);
    });
  });
}

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function served(url: string, route: string, status: number): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`route="${route}",status="${status}"\\} (\\d+)`).exec(text);
  return Number(m?.[1] ?? 0);
}

describe('bench/tile-load.mjs', () => {
  it('counts every pipelined answer as the server sent it, and refuses wrong ones', async () => {
    running = await startServer();
    const { url, ledger } = running;
    await submit(url, 0, 600, 300);
    await ledger.seal();
    const spec = {
      host: '127.0.0.1',
      port: Number(new URL(url).port),
      paths: ['/tile/0/000', '/tile/0/001', '/tile/entries/001'],
      bodyLength: 8192,
      connections: 3,
      depth: 4,
      requests: 50,
    };

    // Entry bundles are 256 x 34 bytes: the length check makes them errors, while the
    // tiles pipelined on the same connections are still framed and counted right.
    const mixed = await load(spec);
    expect(mixed.ok + mixed.errors).toBe(150);
    expect(mixed.ok).toBe(await served(url, 'tile', 200));
    expect(mixed.errors).toBe(await served(url, 'entries', 200));
    expect(mixed.non2xx).toBe(0);
    expect(mixed.ok).toBeGreaterThan(0);
    expect(mixed.errors).toBeGreaterThan(0);
    expect(mixed.p99).toBeGreaterThanOrEqual(mixed.p50);

    // A tile outside the tree is a 404 with a JSON body, counted as such.
    const outside = await load({ ...spec, paths: ['/tile/0/002'], requests: 5 });
    expect(outside).toMatchObject({ ok: 0, non2xx: 15, errors: 0 });
    expect(await served(url, 'tile', 404)).toBe(15);
  });

  it('for a duration, counts no more than the server answered', async () => {
    running = await startServer();
    const { url, ledger } = running;
    await submit(url, 0, 512, 256);
    await ledger.seal();
    const r = await load({
      host: '127.0.0.1',
      port: Number(new URL(url).port),
      paths: ['/tile/0/000', '/tile/0/001'],
      bodyLength: 8192,
      connections: 4,
      depth: 8,
      seconds: 1,
    });
    expect(r).toMatchObject({ non2xx: 0, errors: 0 });
    expect(r.ok).toBeLessThanOrEqual(await served(url, 'tile', 200));
    expect(r.seconds).toBeGreaterThan(0.9);
    expect(r.clientCpu).toBeGreaterThan(0);
  });

  it('counts requests left unanswered by a server that closes the connection as errors', async () => {
    // A plain Node server that answers one request per connection and closes it.
    const closing = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': '8192', Connection: 'close' });
      res.end(Buffer.alloc(8192));
    });
    await new Promise<void>((r) => closing.listen(0, '127.0.0.1', r));
    try {
      const r = await load({
        host: '127.0.0.1',
        port: (closing.address() as AddressInfo).port,
        paths: ['/tile/0/000'],
        bodyLength: 8192,
        connections: 2,
        depth: 4,
        requests: 4,
      });
      expect(r).toMatchObject({ ok: 2, non2xx: 0, errors: 2 });
    } finally {
      await new Promise((r) => closing.close(r));
    }
  });
});

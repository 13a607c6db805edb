// Header ranges over Esplora's `GET /blocks/:height`, against the devnet's Esplora server on
// 127.0.0.1 (a free port): the headers rebuilt from the block fields are the devnet's own,
// requests are counted, and a server that alters a field or a height is refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMedanchorError } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lyingEsplora } from '../../../../test/helpers/lying-esplora.js';
import { esploraBackend } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/types.js';
import { createDevnet, type Devnet } from '../../src/devnet/index.js';
import { regtest } from '../../src/network/index.js';
import { type EsploraServer, serveEsplora } from '../../src/node/index.js';
import { proveBlockDepth } from '../../src/spv/index.js';

let devnet: Devnet;
let server: EsploraServer;
let tip: number;

beforeAll(async () => {
  devnet = createDevnet({ seed: 'esplora header ranges' });
  await devnet.test.mine(57);
  tip = (await devnet.tip()).height;
  server = await serveEsplora(devnet, { port: 0 });
});

afterAll(async () => {
  await server?.close();
});

/** An Esplora backend whose requests are listed (paths only). */
function counted(url: string) {
  const paths: string[] = [];
  const backend = esploraBackend({
    url,
    retries: 0,
    timeoutMs: 5_000,
    fetch: (input, init) => {
      paths.push(new URL(input).pathname);
      return fetch(input, init);
    },
  });
  return { backend, paths };
}

async function devnetHeaders(start: number, count: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let h = start; h < start + count; h++) out.push((await devnet.headerByHeight(h)).header);
  return out;
}

describe('GET /blocks/:height on the devnet server', () => {
  it('lists the block at the height and 9 below it, newest first, with Esplora field names in its order', async () => {
    const res = await fetch(`${server.url}/blocks/30`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as Record<string, unknown>[];
    expect(list.map((b) => b['height'])).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    expect(Object.keys(list[0]!)).toEqual([
      'id',
      'height',
      'version',
      'timestamp',
      'tx_count',
      'size',
      'weight',
      'merkle_root',
      'previousblockhash',
      'mediantime',
      'nonce',
      'bits',
      'difficulty',
    ]);
    expect(list[0]!['id']).toBe((await devnet.headerByHeight(30)).hash);
    expect(list[0]!['previousblockhash']).toBe(list[1]!['id']);
    expect(list[0]!['mediantime']).toBeLessThanOrEqual(list[0]!['timestamp'] as number);
    // The same block as `/block/:hash` shows it.
    const one = await (await fetch(`${server.url}/block/${list[0]!['id']}`)).json();
    expect(one).toEqual(list[0]);
  });

  it('stops at genesis, starts at the tip without a height, and is 404 above the tip', async () => {
    const low = (await (await fetch(`${server.url}/blocks/3`)).json()) as { height: number }[];
    expect(low.map((b) => b.height)).toEqual([3, 2, 1, 0]);
    expect((low[3] as unknown as { previousblockhash: unknown }).previousblockhash).toBeNull();
    const top = (await (await fetch(`${server.url}/blocks`)).json()) as { height: number }[];
    expect(top[0]?.height).toBe(tip);
    expect((await fetch(`${server.url}/blocks/${tip + 1}`)).status).toBe(404);
  });
});

describe('esploraBackend headers(start, count)', () => {
  it('serves the devnet headers in pages of 10 from the top down', async () => {
    const { backend, paths } = counted(server.url);
    expect(await backend.headers(3, 21)).toEqual(await devnetHeaders(3, 21));
    console.log(`[esplora ranges] 21 headers: ${paths.length} requests (${paths.join(' ')})`);
    expect(paths).toEqual(['/blocks/23', '/blocks/13', '/blocks/3']);
    paths.length = 0;
    expect(await backend.headers(0, 10)).toEqual(await devnetHeaders(0, 10));
    expect(await backend.headers(tip, 1)).toEqual(await devnetHeaders(tip, 1));
    expect(await backend.headers(5, 0)).toEqual([]);
    expect(paths).toEqual(['/blocks/9', `/blocks/${tip}`]);
  });

  it('is NOT_FOUND when the range reaches past the tip, after one request', async () => {
    const { backend, paths } = counted(server.url);
    await expect(backend.headers(tip - 2, 5)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(paths).toEqual([`/blocks/${tip + 2}`]);
    await expect(backend.headers(-1, 2)).rejects.toMatchObject({ code: 'INVALID_HEIGHT' });
    await expect(backend.headers(1, 1.5)).rejects.toMatchObject({ code: 'INVALID_HEIGHT' });
  });

  it('level 3 over ranges: the same verdict as header by header, with far fewer requests', async () => {
    const block = await devnet.headerByHeight(20);
    const ranged = counted(server.url);
    const single = counted(server.url);
    // The same backend without its range method: two requests per header.
    const oneByOne: Backend = {
      name: single.backend.name,
      tip: () => single.backend.tip(),
      headerByHash: (h) => single.backend.headerByHash(h),
      headerByHeight: (h) => single.backend.headerByHeight(h),
      transaction: (t) => single.backend.transaction(t),
      txStatus: (t) => single.backend.txStatus(t),
      merkleBranch: (t) => single.backend.merkleBranch(t),
      utxos: (s) => single.backend.utxos(s),
      feeRate: (n) => single.backend.feeRate(n),
      broadcast: (r) => single.backend.broadcast(r),
    };
    const input = { params: regtest, block, confirmations: 30, schedule: null } as const;
    const a = await proveBlockDepth({ ...input, source: ranged.backend });
    const b = await proveBlockDepth({ ...input, source: oneByOne });
    expect(a.ok).toBe(true);
    expect(b.ok).toBe(true);
    console.log(
      `[esplora ranges] level 3, 30 confirmations at height 20 (headers 0..49): ${ranged.paths.length} requests in ranges, ${single.paths.length} one by one`,
    );
    expect(ranged.paths.length).toBe(5);
    expect(single.paths.length).toBe(100);
  });

  it('level 3 over ranges still fails on headers without proof of work above the block (lying Esplora)', async () => {
    const liar = await lyingEsplora(server.url);
    try {
      const block = await devnet.headerByHeight(tip - 9);
      const input = { params: regtest, block, confirmations: 10, schedule: null } as const;
      const source = esploraBackend({ url: liar.url, retries: 0 });
      expect((await proveBlockDepth({ ...input, source })).ok).toBe(true);
      liar.settings.weakAbove = tip - 5;
      liar.tell('weak-pow-above');
      const before = liar.seen.length;
      const weak = await proveBlockDepth({ ...input, source });
      expect(weak.ok).toBe(false);
      expect(weak.ok ? undefined : weak.step).toBe('pow');
      expect(liar.seen.slice(before).every((r) => r.startsWith('GET /blocks/'))).toBe(true);
    } finally {
      await liar.close();
    }
  });
});

describe('esploraBackend headers against a server that alters /blocks (a lying proxy, real HTTP)', () => {
  let proxy: Server;
  let url: string;
  let alter: (blocks: Record<string, unknown>[]) => void = () => {};

  beforeAll(async () => {
    proxy = createServer((req, res) => {
      void (async () => {
        const up = await fetch(`${server.url}${req.url}`);
        let body = await up.text();
        if (up.status === 200 && req.url?.startsWith('/blocks/')) {
          const list = JSON.parse(body) as Record<string, unknown>[];
          alter(list);
          body = JSON.stringify(list);
        }
        res.writeHead(up.status, {
          'content-type': up.headers.get('content-type') ?? 'text/plain',
        });
        res.end(body);
      })();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => proxy.close(() => r()));
  });

  const refusal = async (change: (blocks: Record<string, unknown>[]) => void) => {
    alter = change;
    try {
      await esploraBackend({ url, retries: 0 }).headers(10, 10);
      return undefined;
    } catch (e) {
      return isMedanchorError(e) ? { code: e.code, message: e.message } : { code: 'untyped' };
    } finally {
      alter = () => {};
    }
  };

  it('refuses a block whose fields do not hash to its id, a block at another height, a short page and a field missing', async () => {
    expect(await refusal(() => {})).toBeUndefined();
    const nonce = await refusal((l) => {
      l[3]!['nonce'] = (l[3]!['nonce'] as number) + 1;
    });
    expect(nonce?.code).toBe('BACKEND_BAD_RESPONSE');
    expect(nonce?.message).toMatch(/height 16 whose fields do not hash to its id/);
    const root = await refusal((l) => {
      l[0]!['merkle_root'] = l[1]!['merkle_root'];
    });
    expect(root?.code).toBe('BACKEND_BAD_RESPONSE');
    const shifted = await refusal((l) => {
      // Every block one place up: the page starts at the block below the one asked for.
      l.shift();
      l.push(l.at(-1)!);
    });
    expect(shifted?.code).toBe('BACKEND_BAD_RESPONSE');
    expect(shifted?.message).toMatch(/no block at height 19/);
    const short = await refusal((l) => {
      l.length = 4;
    });
    expect(short?.message).toMatch(/fewer than 10 blocks/);
    const missing = await refusal((l) => {
      delete l[5]!['bits'];
    });
    expect(missing?.message).toMatch(/without its header fields/);
    const negative = await refusal((l) => {
      l[2]!['version'] = -1;
    });
    expect(negative?.code).toBe('BACKEND_BAD_RESPONSE');
  });
});

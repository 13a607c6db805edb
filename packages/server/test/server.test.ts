import { openLedger } from '@medanchor/chain';
import { equalBytes, fromHex, leafHash, memoryLedgerStore, TileTree, toHex } from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEntryBundle, formatTilePath } from '../src/index.js';
import { digestOf, type Running, startServer, submit, TOKEN } from './helpers.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

async function bytes(url: string): Promise<{ status: number; body: Uint8Array; res: Response }> {
  const res = await fetch(url);
  return { status: res.status, body: new Uint8Array(await res.arrayBuffer()), res };
}

describe('read side (C2SP tlog-tiles)', () => {
  it('serves checkpoint, hash tiles and entry bundles that rebuild the checkpoint root', async () => {
    running = await startServer();
    const { url, ledger, store } = running;
    expect((await fetch(`${url}/checkpoint`)).status).toBe(404);
    await submit(url, 0, 70_000, 1000);
    const sealed = await ledger.seal();
    expect(sealed?.checkpoint.size).toBe(70_000);
    const cpText = await (await fetch(`${url}/checkpoint`)).text();
    const [origin, size, root, end] = cpText.split('\n');
    expect([origin, size, end]).toEqual(['test.example/log', '70000', '']);
    expect(toHex(Uint8Array.from(atob(root!), (c) => c.charCodeAt(0)))).toBe(
      toHex(sealed!.checkpoint.root),
    );

    // A tree read only through HTTP tiles has the checkpoint's root.
    const fetched = new Map<string, Response>();
    const tree = new TileTree(async (level, index, width) => {
      const path = formatTilePath({ level, index, width });
      const r = await bytes(`${url}${path}`);
      fetched.set(path, r.res);
      expect(r.status, path).toBe(200);
      return r.body;
    }, 70_000);
    expect(equalBytes(await tree.root(), sealed!.checkpoint.root)).toBe(true);
    expect(fetched.get('/tile/0/273.p/112')?.headers.get('cache-control')).not.toContain(
      'immutable',
    );
    expect(fetched.get('/tile/1/001.p/17')).toBeDefined();
    const full = await bytes(`${url}/tile/0/272`);
    expect(full.body.length).toBe(8192);
    expect(full.res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    // Entry bundles hold the commitments; their leaf hashes are the level-0 tile.
    const bundle = await bytes(`${url}/tile/entries/001`);
    expect(bundle.res.headers.get('cache-control')).toContain('immutable');
    const entries = decodeEntryBundle(bundle.body);
    const leaves = await store.readLeaves(256, 256);
    expect(entries.map(toHex)).toEqual(leaves.map((l) => toHex(l.commitment)));
    const tile = (await bytes(`${url}/tile/0/001`)).body;
    entries.forEach((e, i) => {
      expect(toHex(leafHash(e))).toBe(toHex(tile.subarray(i * 32, i * 32 + 32)));
    });
    const last = decodeEntryBundle((await bytes(`${url}/tile/entries/273.p/112`)).body);
    expect(last.length).toBe(112);
  });

  it('refuses tiles outside the checkpoint tree, malformed paths and writes on read routes', async () => {
    running = await startServer();
    const { url, ledger } = running;
    await submit(url, 0, 300);
    await ledger.seal();
    await submit(url, 300, 600); // acknowledged, not sealed: not served yet
    await ledger.sequence();
    const cases: [string, number, string][] = [
      ['/tile/0/001', 404, 'SERVER_OUTSIDE_TREE'],
      ['/tile/0/001.p/45', 404, 'SERVER_OUTSIDE_TREE'],
      ['/tile/entries/002.p/1', 404, 'SERVER_OUTSIDE_TREE'],
      ['/tile/1/000', 404, 'SERVER_OUTSIDE_TREE'],
      ['/tile/2/000.p/1', 404, 'SERVER_OUTSIDE_TREE'],
      ['/tile/0/1', 400, 'SERVER_BAD_PATH'],
      ['/tile/0/000.p/300', 400, 'SERVER_BAD_PATH'],
      ['/nowhere', 404, 'SERVER_NOT_FOUND'],
      ['/proof/consistency/10/600', 404, 'SERVER_OUTSIDE_TREE'],
      ['/proof/consistency/01/300', 400, 'SERVER_BAD_PATH'],
    ];
    for (const [path, status, code] of cases) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe(code);
    }
    expect((await fetch(`${url}/tile/0/001.p/44`)).status).toBe(200);
    const put = await fetch(`${url}/tile/0/000`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(await running.store.size()).toBe(600);
  });

  it('answers consistency proofs that verify between two checkpoints', async () => {
    running = await startServer();
    const { url, ledger } = running;
    await submit(url, 0, 1000);
    const first = await ledger.seal();
    await submit(url, 1000, 1777);
    const second = await ledger.seal();
    const res = await fetch(`${url}/proof/consistency/1000/1777`);
    const { proof } = (await res.json()) as { proof: string[] };
    const { verifyConsistency } = await import('@medanchor/core');
    expect(
      verifyConsistency(
        1000,
        1777,
        proof.map((h) => fromHex(h)),
        first!.checkpoint.root,
        second!.checkpoint.root,
      ),
    ).toBe(true);
  });
});

describe('write side', () => {
  it('acknowledges submissions, repeats an idempotent one, and serves receipts to writers', async () => {
    running = await startServer();
    const { url, ledger, store } = running;
    const post = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${url}/add`, { method: 'POST', headers, body: JSON.stringify(body) });
    const rec = { digest: digestOf(1), recordId: 'patient-7/obs-1', version: 2, key: 'obs-1@2' };
    const first = (await (await post({ records: [rec] })).json()) as {
      acks: { pendingId: string; duplicate: boolean; commitment: string }[];
    };
    expect(first.acks[0]!.duplicate).toBe(false);
    const again = (await (await post({ records: [rec] })).json()) as typeof first;
    expect(again.acks[0]).toMatchObject({
      duplicate: true,
      pendingId: first.acks[0]!.pendingId,
      commitment: first.acks[0]!.commitment,
    });
    expect(await store.pendingCount()).toBe(1);

    expect(
      (await fetch(`${url}/receipt/record/patient-7%2Fobs-1/2`, { headers: auth })).status,
    ).toBe(404);
    await ledger.seal();
    const r = await fetch(`${url}/receipt/record/patient-7%2Fobs-1/2`, { headers: auth });
    expect(r.status).toBe(200);
    const receipt = (await r.json()) as {
      record: { commitment: string; digest: string };
      leafIndex: number;
    };
    expect(receipt.record).toMatchObject({
      commitment: first.acks[0]!.commitment,
      digest: digestOf(1),
    });
    const byLeaf = await fetch(`${url}/receipt/leaf/0`, { headers: auth });
    expect(((await byLeaf.json()) as typeof receipt).leafIndex).toBe(0);
    // Receipts carry the salt: never without a token.
    expect((await fetch(`${url}/receipt/leaf/0`)).status).toBe(401);
  });

  it('refuses bad tokens, bad bodies, oversized bodies and over-rate writers, writing nothing', async () => {
    running = await startServer({
      limits: { maxBodyBytes: 4096, maxBatch: 10 },
    });
    const { url, store } = running;
    const good = { records: [{ digest: digestOf(1) }] };
    const cases: [Record<string, string>, string, number, string][] = [
      [{ 'Content-Type': 'application/json' }, JSON.stringify(good), 401, 'SERVER_UNAUTHORIZED'],
      [
        { ...auth, Authorization: 'Bearer wrong' },
        JSON.stringify(good),
        401,
        'SERVER_UNAUTHORIZED',
      ],
      [
        { ...auth, Authorization: `Basic ${TOKEN}` },
        JSON.stringify(good),
        401,
        'SERVER_UNAUTHORIZED',
      ],
      [{ ...auth, 'Content-Type': 'text/plain' }, JSON.stringify(good), 415, 'SERVER_MEDIA_TYPE'],
      [auth, '{"records": [', 400, 'SERVER_BAD_JSON'],
      [auth, JSON.stringify({ records: [] }), 400, 'SERVER_BAD_REQUEST'],
      [auth, JSON.stringify({ records: [{ digest: 'AB' }] }), 400, 'SERVER_BAD_REQUEST'],
      [
        auth,
        JSON.stringify({ records: [{ digest: digestOf(1), version: 1 }] }),
        400,
        'SERVER_BAD_REQUEST',
      ],
      [
        auth,
        JSON.stringify({ records: [{ digest: digestOf(1), extra: 1 }] }),
        400,
        'SERVER_BAD_REQUEST',
      ],
      [
        auth,
        JSON.stringify({ records: [{ digest: digestOf(1), key: '' }] }),
        400,
        'INVALID_ARGUMENT',
      ],
      [
        auth,
        JSON.stringify({ records: Array(11).fill({ digest: digestOf(1) }) }),
        400,
        'SERVER_BAD_REQUEST',
      ],
      [
        auth,
        JSON.stringify({ records: [{ digest: digestOf(1), pad: 'x'.repeat(5000) }] }),
        413,
        'SERVER_TOO_LARGE',
      ],
    ];
    for (const [headers, body, status, code] of cases) {
      const res = await fetch(`${url}/add`, { method: 'POST', headers, body });
      expect(res.status, code).toBe(status);
      const text = await res.text();
      expect(JSON.parse(text).error.code).toBe(code);
      expect(text).not.toContain(TOKEN);
    }
    expect(await store.pendingCount()).toBe(0);
  });

  it('limits each writer to its rate with 429 and Retry-After', async () => {
    running = await startServer({
      writers: [
        {
          name: 'slow',
          sha256: (await import('../src/index.js')).hashToken(TOKEN),
          ratePerSecond: 1,
          burst: 3,
        },
      ],
    });
    const { url, store } = running;
    const post = () =>
      fetch(`${url}/add`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ records: [{ digest: digestOf(1) }] }),
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post()).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await store.pendingCount()).toBe(3);
  });

  it('exposes /healthz and Prometheus /metrics', async () => {
    running = await startServer();
    const { url, ledger } = running;
    await submit(url, 0, 5);
    await ledger.seal();
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({
      ok: true,
      checkpointSize: 5,
    });
    await fetch(`${url}/tile/0/000.p/5`);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('medanchor_submitted_records_total 5');
    expect(text).toContain('medanchor_checkpoint_size 5');
    expect(text).toMatch(/medanchor_http_requests_total\{route="tile",status="200"\} 1/);
  });

  it('seals on its own every sealEveryMs', async () => {
    running = await startServer({ sealEveryMs: 50 });
    await submit(running.url, 0, 3);
    let cp = '';
    // Polls until the seal shows, however long a loaded machine takes (the test's timeout
    // is the bound; a 5 s budget here was a guess).
    while (!cp.includes('\n3\n')) {
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${running.url}/checkpoint`);
      cp = res.status === 200 ? await res.text() : '';
    }
    expect(cp).toContain('\n3\n');
  });

  it('seals on its own records another process sequenced but did not seal', async () => {
    const store = memoryLedgerStore({ origin: 'test.example/log' });
    const stamper = await openLedger({ store, pollMs: 0, owner: 'stamper' });
    for (let i = 0; i < 4; i++) await stamper.addDigest(fromHex(digestOf(i)));
    expect(await stamper.sequence()).toBe(true);
    await stamper.close();
    expect([await store.pendingCount(), await store.size()]).toEqual([0, 4]);
    running = await startServer({ sealEveryMs: 50 }, store);
    let cp = '';
    while (!cp.includes('\n4\n')) {
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${running.url}/checkpoint`);
      cp = res.status === 200 ? await res.text() : '';
    }
    expect((await store.latestCheckpoint())?.size).toBe(4);
  });
});

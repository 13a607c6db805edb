import { afterEach, describe, expect, it } from 'vitest';
import { type Running, startServer, submit } from './helpers.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('partial tiles carry an ETag of their bytes', () => {
  it('answers 304 on a match, the same tag after the tile grows, a short lifetime', async () => {
    running = await startServer();
    const { url, ledger } = running;
    await submit(url, 0, 300, 300);
    await ledger.seal();

    const partial = await fetch(`${url}/tile/0/001.p/44`);
    expect(partial.status).toBe(200);
    const bytes = new Uint8Array(await partial.arrayBuffer());
    expect(bytes.length).toBe(44 * 32);
    const etag = partial.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(partial.headers.get('cache-control')).toBe('public, max-age=60');

    const revalidated = await fetch(`${url}/tile/0/001.p/44`, {
      headers: { 'If-None-Match': `"stale", ${etag}` },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await revalidated.text()).toBe('');

    // Another width is other bytes: another tag, and a stale tag gets the bytes.
    const narrower = await fetch(`${url}/tile/0/001.p/43`, { headers: { 'If-None-Match': etag } });
    expect(narrower.status).toBe(200);
    expect(narrower.headers.get('etag')).not.toBe(etag);
    expect(new Uint8Array(await narrower.arrayBuffer())).toEqual(bytes.subarray(0, 43 * 32));

    // The log grows past the tile: the partial URL still names the same bytes and tag,
    // so a client's cached copy stays valid.
    await submit(url, 300, 700, 400);
    await ledger.seal();
    const later = await fetch(`${url}/tile/0/001.p/44`, { headers: { 'If-None-Match': etag } });
    expect(later.status).toBe(304);
    const laterBody = await fetch(`${url}/tile/0/001.p/44`);
    expect(laterBody.headers.get('etag')).toBe(etag);
    expect(new Uint8Array(await laterBody.arrayBuffer())).toEqual(bytes);
    const full = new Uint8Array(await (await fetch(`${url}/tile/0/001`)).arrayBuffer());
    expect(full.subarray(0, 44 * 32)).toEqual(bytes);

    // Entry bundles alike.
    const entries = await fetch(`${url}/tile/entries/002.p/188`);
    expect(entries.status).toBe(200);
    const entriesTag = entries.headers.get('etag')!;
    expect(entriesTag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    await entries.arrayBuffer();
    const entries304 = await fetch(`${url}/tile/entries/002.p/188`, {
      headers: { 'If-None-Match': entriesTag },
    });
    expect(entries304.status).toBe(304);

    // A HEAD answers the headers only.
    const head = await fetch(`${url}/tile/0/001.p/44`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect(head.headers.get('content-length')).toBe(String(44 * 32));
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('medanchor_http_requests_total{route="tile",status="304"} 2');
    expect(metrics).toContain('medanchor_http_requests_total{route="entries",status="304"} 1');
  });

  it('refuses a partial tile outside the tree without a tag', async () => {
    running = await startServer();
    const { url, ledger } = running;
    await submit(url, 0, 300, 300);
    await ledger.seal();
    const outside = await fetch(`${url}/tile/0/001.p/45`);
    expect(outside.status).toBe(404);
    expect(outside.headers.get('etag')).toBeNull();
    expect(((await outside.json()) as { error: { code: string } }).error.code).toBe(
      'SERVER_OUTSIDE_TREE',
    );
  });
});

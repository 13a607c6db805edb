import { afterEach, describe, expect, it } from 'vitest';
import {
  etagMatches,
  ImmutableResponseCache,
  immutableResponse,
} from '../src/immutable-responses.js';
import { type Running, startServer, submit } from './helpers.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('full tiles as pre-encoded immutable responses', () => {
  it('answers the same bytes with an ETag, 304 on a match, HEAD without a body', async () => {
    running = await startServer({ limits: { tileCache: 2 } });
    const { url, ledger } = running;
    await submit(url, 0, 1024, 512);
    await ledger.seal();

    const first = await fetch(`${url}/tile/0/001`);
    const body = new Uint8Array(await first.arrayBuffer());
    const etag = first.headers.get('etag')!;
    expect(body.length).toBe(8192);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    // The second answer comes from the cache: same bytes, same tag.
    const again = await fetch(`${url}/tile/0/001`);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(body);
    expect(again.headers.get('etag')).toBe(etag);

    const revalidated = await fetch(`${url}/tile/0/001`, { headers: { 'If-None-Match': etag } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    const other = await fetch(`${url}/tile/0/002`, { headers: { 'If-None-Match': etag } });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);

    const head = await fetch(`${url}/tile/0/001`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('8192');
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    // Entry bundles take the same path; a query string falls back to the router.
    const entries = await fetch(`${url}/tile/entries/003`);
    expect(entries.headers.get('cache-control')).toContain('immutable');
    expect((await entries.arrayBuffer()).byteLength).toBe(256 * 34);
    expect((await fetch(`${url}/tile/0/001?x=1`)).status).toBe(200);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('medanchor_http_requests_total{route="tile",status="304"} 1');
    expect(metrics).toContain('medanchor_http_requests_total{route="entries",status="200"} 1');
    expect(metrics).toMatch(/route="tile",status="200"\} 5\n/);
  });

  it('keeps at most its capacity, oldest out first, and nothing at capacity 0', () => {
    const r = (n: number) => immutableResponse(new Uint8Array([n]), 'application/octet-stream');
    const cache = new ImmutableResponseCache(2);
    cache.set('/a', r(1));
    cache.set('/b', r(2));
    cache.set('/c', r(3));
    expect(cache.size).toBe(2);
    expect(cache.get('/a')).toBeUndefined();
    expect(cache.get('/c')?.body[0]).toBe(3);
    const none = new ImmutableResponseCache(0);
    none.set('/a', r(1));
    expect(none.get('/a')).toBeUndefined();
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    const { etag } = immutableResponse(new Uint8Array(8), 'application/octet-stream');
    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(`"other", ${etag}`, etag)).toBe(true);
    expect(etagMatches(`W/${etag}`, etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches('"other"', etag)).toBe(false);
    expect(etagMatches(undefined, etag)).toBe(false);
    expect(etagMatches('', etag)).toBe(false);
  });
});

// The failover backend keeps the same Backend contract as the backends the SDK ships
// (packages/chain/test/backend/contract.ts), whether its first backend is up or down,
// and its own promises: final answers are not failed over, and immutable data is cached.
import { esploraBackend } from '@medanchor/chain';
import { createDevnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { isMedanchorError } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { backendContract } from '../../packages/chain/test/backend/contract.js';
import { freePort } from '../../test/helpers/free-port.js';
import { failoverBackend } from './failover-backend.js';

const esplora = (url: string) => esploraBackend({ url, retries: 0, timeoutMs: 5_000 });

// A URL where nothing listens: a free port from below the ephemeral range, so no listen(0)
// of another test (another devnet's Esplora, say) takes it while the contract runs.
async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

backendContract('failover: Esplora over HTTP first (up), the devnet second', async () => {
  const devnet = createDevnet({ seed: 'failover contract up' });
  const server = await serveEsplora(devnet, { port: 0 });
  const backend = failoverBackend({ backends: [esplora(server.url), devnet] });
  return { backend, test: devnet.test, close: server.close };
});

backendContract('failover: first backend down (connection refused), Esplora second', async () => {
  const devnet = createDevnet({ seed: 'failover contract down' });
  const server = await serveEsplora(devnet, { port: 0 });
  const backend = failoverBackend({
    backends: [esplora(await deadUrl()), esplora(server.url)],
    cooldownMs: 0, // ask the dead one first every time: every call fails over
  });
  return { backend, test: devnet.test, close: server.close };
});

describe('failover backend', () => {
  it('answers through the second backend when the first is down, and counts it', async () => {
    const devnet = createDevnet({ seed: 'failover count' });
    const backend = failoverBackend({ backends: [esplora(await deadUrl()), devnet] });
    const tip = await backend.tip();
    expect(tip.hash).toBe((await devnet.tip()).hash);
    expect(backend.stats().failovers).toBe(1);
    // Within the cool-down the dead backend goes to the back: no second failover.
    await backend.tip();
    expect(backend.stats().failovers).toBe(1);
  });

  it('returns a final answer (NOT_FOUND) as it is, without asking the next backend', async () => {
    const a = createDevnet({ seed: 'failover final a' });
    const b = createDevnet({ seed: 'failover final b' });
    const [onlyInB] = await b.test.mine(1);
    const backend = failoverBackend({ backends: [a, b] });
    const error = await backend.headerByHash(onlyInB!).catch((e: unknown) => e);
    expect(isMedanchorError(error, 'NOT_FOUND')).toBe(true);
    expect(backend.stats().failovers).toBe(0);
  });

  it('throws BACKEND_UNAVAILABLE naming every backend when none answers', async () => {
    const backend = failoverBackend({
      backends: [esplora(await deadUrl()), esplora(await deadUrl())],
    });
    const error = await backend.tip().catch((e: unknown) => e);
    expect(isMedanchorError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/none of the 2 backends answered/);
  });

  it('serves headers by hash and deep headers by height from the cache, never the tip', async () => {
    const devnet = createDevnet({ seed: 'failover cache' });
    await devnet.test.mine(20);
    const backend = failoverBackend({ backends: [devnet], finalityDepth: 6 });
    const tip = await backend.tip();
    const deep = await backend.headerByHeight(tip.height - 10);
    const shallow = await backend.headerByHeight(tip.height - 1);
    expect(backend.stats().cacheHits).toBe(0);
    expect(await backend.headerByHeight(deep.height)).toEqual(deep); // 11 deep: cached
    expect(await backend.headerByHash(shallow.hash)).toEqual(shallow); // by hash: cached
    expect(backend.stats().cacheHits).toBe(2);
    await backend.headerByHeight(shallow.height); // 2 deep: asked again
    await backend.tip();
    expect(backend.stats().cacheHits).toBe(2);
  });

  it('hands out copies: changing a returned header does not change the cache', async () => {
    const devnet = createDevnet({ seed: 'failover copies' });
    const backend = failoverBackend({ backends: [devnet] });
    const tip = await backend.tip();
    const first = await backend.headerByHash(tip.hash);
    first.header.fill(0);
    expect((await backend.headerByHash(tip.hash)).header).toEqual(tip.header);
  });
});

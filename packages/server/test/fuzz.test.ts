import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, rawRequest, startServer, statusOf, submit, TOKEN } from './helpers.js';

// Every route gets random paths, methods, headers and bodies over a raw socket (so
// nothing is normalised on the way): the answer is always one HTTP response with a
// status below 500, and no refused request writes anything.

let running: Running;
beforeAll(async () => {
  running = await startServer({ limits: { maxBodyBytes: 2048, maxBatch: 4 } });
  await submit(running.url, 0, 300, 4);
  await running.ledger.seal();
});
afterAll(() => running.stop());

const raw = (request: string | Uint8Array) => rawRequest(running.url, request);

const segment = fc.oneof(
  fc.constantFrom(
    'tile',
    'entries',
    'checkpoint',
    'receipt',
    'leaf',
    'record',
    'proof',
    'consistency',
    'add',
    'healthz',
    'metrics',
    '..',
    '.',
    '',
    'x001',
    '000',
    '001.p',
    '255',
    '256',
    '0',
    '-1',
    '%2e%2e',
    '%00',
    'x000',
  ),
  fc.stringMatching(/^[0-9x.p%a-f-]{0,8}$/),
);
const path = fc.array(segment, { minLength: 1, maxLength: 8 }).map((s) => `/${s.join('/')}`);
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'BREW');
const body = fc.oneof(
  fc.constant(''),
  fc.json({ maxDepth: 3 }),
  fc
    .array(fc.record({ digest: fc.stringMatching(/^[0-9a-f]{0,66}$/), version: fc.integer() }), {
      maxLength: 6,
    })
    .map((records) => JSON.stringify({ records })),
  fc.string({ maxLength: 3000 }),
);

describe('fuzz: every route over a raw socket', () => {
  it('never answers 5xx, never hangs, and refused writes store nothing', async () => {
    await fc.assert(
      fc.asyncProperty(path, method, body, fc.boolean(), async (p, m, b, authed) => {
        const bytes = Buffer.from(b, 'utf8');
        const head = [
          `${m} ${p} HTTP/1.1`,
          'Host: 127.0.0.1',
          'Connection: close',
          'Content-Type: application/json',
          ...(authed ? [`Authorization: Bearer ${TOKEN}`] : []),
          `Content-Length: ${bytes.length}`,
        ].join('\r\n');
        const before = await running.store.pendingCount();
        const response = await raw(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), bytes]));
        const status = statusOf(response);
        expect(status, `${m} ${p}`).toBeGreaterThanOrEqual(200);
        expect(status, `${m} ${p}`).toBeLessThan(500);
        expect(response).not.toContain(TOKEN);
        // A refused request stores nothing.
        if (status !== 200) expect(await running.store.pendingCount()).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('answers garbage request lines and half-sent bodies with 4xx and stays up', async () => {
    for (const junk of [
      'GARBAGE\r\n\r\n',
      'GET /tile/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      `GET /${'a'.repeat(5000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ]) {
      const status = statusOf(await raw(junk));
      expect(status, junk.slice(0, 30)).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});

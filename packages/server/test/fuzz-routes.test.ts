import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  digestOf,
  type Running,
  rawRequest,
  startServer,
  statusOf,
  submit,
  TOKEN,
} from './helpers.js';

// Route by route: each route's own path shape with fuzzed parameters (numbers at and past
// the edges, leading zeros, signs, percent-encoding, long and non-ASCII text), over a
// raw socket. fuzz.test.ts throws random segments at the router; these reach the handlers.
// Always one response below 500; receipts and submissions never without a token; a
// refused submission stores nothing.

let running: Running;
beforeAll(async () => {
  running = await startServer({ limits: { maxBodyBytes: 4096, maxBatch: 8, tileCache: 4 } });
  await submit(running.url, 0, 600, 8);
  await running.ledger.seal();
});
afterAll(() => running.stop());

const raw = (request: Buffer) => rawRequest(running.url, request);

const number = fc.oneof(
  fc.nat({ max: 700 }).map(String),
  fc.constantFrom('0', '00', '01', '-1', '+1', '1e3', '0x10', '9007199254740993', '', ' '),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
);
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'rec-1',
    'rec-599',
    '%2F',
    '%',
    '%zz',
    '%00',
    '..',
    'é',
    '\u{1F600}',
    'a'.repeat(600),
  ),
);
const tileIndex = fc.oneof(
  fc.nat({ max: 3 }).map((n) => String(n).padStart(3, '0')),
  fc.constantFrom(
    'x001/000',
    'x000/001',
    '1',
    '0000',
    'x1/000',
    '000.p/0',
    '002.p/88',
    '002.p/256',
  ),
);
const width = fc.oneof(
  fc.constant(''),
  number.map((w) => `.p/${w}`),
);

const route = fc.oneof(
  fc.constant({ method: 'GET', path: '/checkpoint' }),
  fc
    .tuple(fc.constantFrom('0', '1', '2', '7', '8', '01', '-0', 'entries'), tileIndex, width)
    .map(([l, n, w]) => ({ method: 'GET', path: `/tile/${l}/${n}${w}` })),
  fc
    .tuple(number, number)
    .map(([m, n]) => ({ method: 'GET', path: `/proof/consistency/${m}/${n}` })),
  number.map((n) => ({ method: 'GET', path: `/receipt/leaf/${n}`, write: true })),
  fc.tuple(text, number).map(([id, v]) => ({
    method: 'GET',
    path: `/receipt/record/${encodeURIComponent(id).slice(0, 1500)}/${v}`,
    write: true,
  })),
  fc.constantFrom(
    { method: 'GET', path: '/healthz' },
    { method: 'GET', path: '/metrics' },
    { method: 'HEAD', path: '/tile/0/000' },
  ),
);

const record = fc.record(
  {
    digest: fc.oneof(
      fc.nat({ max: 2000 }).map(digestOf),
      fc.stringMatching(/^[0-9a-fA-F]{62,66}$/),
    ),
    recordId: text,
    version: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(2 ** 53)),
    key: text,
  },
  { requiredKeys: ['digest'] },
);

describe('fuzz: each route with its own path shape', () => {
  it('reads: below 500, one answer, receipts only for writers', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        route,
        fc.boolean(),
        fc.option(fc.string({ maxLength: 30 })),
        async (r, authed, etag) => {
          const head = [
            `${r.method} ${r.path} HTTP/1.1`,
            'Host: 127.0.0.1',
            'Connection: close',
            ...(authed ? [`Authorization: Bearer ${TOKEN}`] : []),
            ...(etag === null ? [] : [`If-None-Match: ${etag.replace(/[\r\n]/g, '')}`]),
          ].join('\r\n');
          const answer = await raw(Buffer.from(`${head}\r\n\r\n`, 'latin1'));
          const status = statusOf(answer);
          seen.add(status);
          expect(status, r.path).toBeGreaterThanOrEqual(200);
          expect(status, r.path).toBeLessThan(500);
          if ('write' in r && !authed) expect(status, r.path).not.toBe(200);
          expect(answer).not.toContain(TOKEN);
        },
      ),
      {
        numRuns: 300,
        // Each status the final check looks for is reached by one fixed case too, so the
        // check does not depend on what the random cases happened to draw.
        examples: [
          [{ method: 'GET', path: '/checkpoint' }, false, null],
          [{ method: 'GET', path: '/tile/0/1' }, false, null],
          [{ method: 'GET', path: '/receipt/leaf/0', write: true }, false, null],
          [{ method: 'GET', path: '/tile/entries/999' }, false, null],
        ],
      },
    );
    // The shapes reach the handlers: answers, refusals of bad paths, of sizes outside the
    // tree and of missing tokens all occurred.
    for (const s of [200, 400, 401, 404]) expect(seen, `status ${s} seen`).toContain(s);
  });

  it('POST /add: below 500, all or nothing, nothing without a token', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 0, maxLength: 10 }),
        fc.boolean(),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/json'),
        async (records, authed, type) => {
          const body = Buffer.from(JSON.stringify({ records }), 'utf8');
          const head = [
            'POST /add HTTP/1.1',
            'Host: 127.0.0.1',
            'Connection: close',
            `Content-Type: ${type}`,
            ...(authed ? [`Authorization: Bearer ${TOKEN}`] : []),
            `Content-Length: ${body.length}`,
          ].join('\r\n');
          const before = await running.store.pendingCount();
          const answer = await raw(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]));
          const status = statusOf(answer);
          seen.add(status);
          expect(status).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(500);
          const after = await running.store.pendingCount();
          if (status !== 200) expect(after).toBe(before);
          else {
            expect(authed).toBe(true);
            // Idempotency keys may make some of them duplicates, never more than sent.
            expect(after - before).toBeLessThanOrEqual(records.length);
          }
        },
      ),
      {
        numRuns: 200,
        // Fixed cases for each status the final check looks for: a valid batch (random ones
        // are mostly refused, since one bad record refuses the batch), a bad one, no token.
        examples: [
          [[{ digest: digestOf(5000) }], true, 'application/json'],
          [[{ digest: 'zz' }], true, 'application/json'],
          [[{ digest: digestOf(5001) }], false, 'application/json'],
        ],
      },
    );
    for (const s of [200, 400, 401]) expect(seen, `status ${s} seen`).toContain(s);
  });
});

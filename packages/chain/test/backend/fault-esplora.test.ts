// Fault tests for the Esplora backend against small real HTTP servers on 127.0.0.1
// that misbehave on purpose: overload, hanging, dropped connections, refused ports.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMedanchorError, toHex } from '@medanchor/core';
import type { Transaction } from 'bitcoinjs-lib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyEsploraRejection } from '../../src/backend/esplora-broadcast.js';
import { esploraBackend } from '../../src/backend/index.js';
import { retryDelayMs } from '../../src/backend/retry.js';
import { signSpend, testKey } from '../devnet/wallet.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface FakeServer {
  url: string;
  /** Requests seen, as `METHOD /path`, in order. */
  seen: string[];
  server: Server;
}

const servers: Server[] = [];

async function fakeEsplora(handler: Handler): Promise<FakeServer> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      handler(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return e.code;
    throw e;
  }
  return 'NO_ERROR';
}

const fast = { timeoutMs: 2_000, retries: 3, retryBaseDelayMs: 5, retryMaxDelayMs: 20 };

function sampleTx(): Transaction {
  const key = testKey('fault');
  return signSpend(
    [{ txid: 'aa'.repeat(32), vout: 0, value: 100_000n, key }],
    [{ script: key.script, value: 99_000n }],
  );
}

describe('esplora backend faults over real HTTP', () => {
  it('retries a GET through two 503 answers and returns the third', async () => {
    let calls = 0;
    const fake = await fakeEsplora((_req, res) => {
      calls++;
      if (calls <= 2) {
        res.writeHead(503).end('overloaded');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"1": 12.5, "6": 4, "144": 1.1}');
    });
    const backend = esploraBackend({ url: fake.url, ...fast });
    expect(await backend.feeRate(10)).toBe(4);
    expect(fake.seen).toEqual(['GET /fee-estimates', 'GET /fee-estimates', 'GET /fee-estimates']);
  });

  it('gives up with BACKEND_UNAVAILABLE after the configured retries', async () => {
    const fake = await fakeEsplora((_req, res) => res.writeHead(503).end());
    const backend = esploraBackend({ url: fake.url, ...fast, retries: 2 });
    expect(await codeOf(backend.feeRate())).toBe('BACKEND_UNAVAILABLE');
    expect(fake.seen).toHaveLength(3);
  });

  it('honours 429 and retries', async () => {
    let calls = 0;
    const fake = await fakeEsplora((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      else res.writeHead(200).end('{"2": 3}');
    });
    const backend = esploraBackend({ url: fake.url, ...fast });
    expect(await backend.feeRate(1)).toBe(3);
    expect(fake.seen).toHaveLength(2);
  });

  it('does not retry a 404: NOT_FOUND after one request', async () => {
    const fake = await fakeEsplora((_req, res) => res.writeHead(404).end('Transaction not found'));
    const backend = esploraBackend({ url: fake.url, ...fast });
    expect(await codeOf(backend.transaction('ab'.repeat(32)))).toBe('NOT_FOUND');
    expect(fake.seen).toEqual([`GET /tx/${'ab'.repeat(32)}/hex`]);
  });

  it('times out on a server that never answers (TIMEOUT), once per attempt', async () => {
    const fake = await fakeEsplora(() => {
      // Never respond.
    });
    const backend = esploraBackend({
      url: fake.url,
      // Not shorter than a stall of a loaded machine: the fake server is in this process,
      // and a timer firing before the retry is read would leave it out of `seen`.
      timeoutMs: 1_000,
      retries: 1,
      retryBaseDelayMs: 5,
    });
    expect(await codeOf(backend.tip())).toBe('TIMEOUT');
    expect(fake.seen).toEqual(['GET /blocks/tip/hash', 'GET /blocks/tip/hash']);
  });

  it('rejects a header that does not hash to the block asked for', async () => {
    const fake = await fakeEsplora((req, res) => {
      if (req.url?.endsWith('/header')) res.writeHead(200).end('00'.repeat(80));
      else res.writeHead(200).end('{"height": 5}');
    });
    const backend = esploraBackend({ url: fake.url, ...fast });
    expect(await codeOf(backend.headerByHash('cd'.repeat(32)))).toBe('BACKEND_BAD_RESPONSE');
  });
});

describe('esplora broadcast never resends blindly', () => {
  it('POST /tx accepted then the socket closed: checks the status instead of posting again', async () => {
    const tx = sampleTx();
    const txid = tx.getId();
    let known = false;
    const fake = await fakeEsplora((req, res, body) => {
      if (req.method === 'POST') {
        known = body === tx.toHex();
        req.socket.destroy();
        return;
      }
      if (known && req.url === `/tx/${txid}/status`) res.writeHead(200).end('{"confirmed":false}');
      else if (known && req.url === `/tx/${txid}/hex`) res.writeHead(200).end(tx.toHex());
      else res.writeHead(404).end('Transaction not found');
    });
    const backend = esploraBackend({ url: fake.url, ...fast });
    expect(await backend.broadcast(tx.toBuffer())).toBe(txid);
    expect(fake.seen.filter((r) => r.startsWith('POST'))).toEqual(['POST /tx']);
    expect(fake.seen).toContain(`GET /tx/${txid}/status`);
  });

  it('posts again only after the status check shows the server does not have it', async () => {
    const tx = sampleTx();
    let posts = 0;
    const fake = await fakeEsplora((req, res) => {
      if (req.method === 'POST') {
        posts++;
        if (posts === 1) req.socket.destroy();
        else res.writeHead(200).end(tx.getId());
        return;
      }
      res.writeHead(404).end('Transaction not found');
    });
    const backend = esploraBackend({ url: fake.url, ...fast });
    expect(await backend.broadcast(tx.toBuffer())).toBe(tx.getId());
    expect(fake.seen).toEqual(['POST /tx', `GET /tx/${tx.getId()}/status`, 'POST /tx']);
  });

  it('when the status cannot be checked either, fails without a second POST', async () => {
    const tx = sampleTx();
    const fake = await fakeEsplora((req, res) => {
      if (req.method === 'POST') req.socket.destroy();
      else res.writeHead(503).end();
    });
    const backend = esploraBackend({ url: fake.url, ...fast, retries: 1 });
    expect(await codeOf(backend.broadcast(tx.toBuffer()))).toBe('BACKEND_UNAVAILABLE');
    expect(fake.seen.filter((r) => r.startsWith('POST'))).toHaveLength(1);
  });

  it('retries a refused connection (nothing was sent) and reports BACKEND_UNAVAILABLE', async () => {
    const fake = await fakeEsplora(() => {});
    const url = fake.url;
    await new Promise<void>((resolve) => fake.server.close(() => resolve()));
    servers.splice(servers.indexOf(fake.server), 1);
    // The real global fetch, wrapped only to record what was attempted.
    const attempts: string[] = [];
    const backend = esploraBackend({
      url,
      ...fast,
      retries: 2,
      fetch: (input, init) => {
        attempts.push(`${init?.method} ${new URL(input).pathname}`);
        return fetch(input, init);
      },
    });
    expect(await codeOf(backend.broadcast(sampleTx().toBuffer()))).toBe('BACKEND_UNAVAILABLE');
    // Refused means never sent: resent without a status check, up to the retry limit.
    expect(attempts).toEqual(['POST /tx', 'POST /tx', 'POST /tx']);
  });

  it('maps Esplora rejection bodies to typed errors, and "already known" to success', async () => {
    const tx = sampleTx();
    const bodies: Record<string, string> = {
      dust: 'sendrawtransaction RPC error: {"code":-26,"message":"dust"}',
      conflict: 'sendrawtransaction RPC error: {"code":-26,"message":"txn-mempool-conflict"}',
      known:
        'sendrawtransaction RPC error: {"code":-27,"message":"Transaction already in block chain"}',
      garbage: 'sendrawtransaction RPC error: {"code":-22,"message":"TX decode failed"}',
    };
    let which = 'dust';
    const fake = await fakeEsplora((_req, res) => res.writeHead(400).end(bodies[which]));
    const backend = esploraBackend({ url: fake.url, ...fast });
    expect(await codeOf(backend.broadcast(tx.toBuffer()))).toBe('TX_REJECTED');
    which = 'conflict';
    expect(await codeOf(backend.broadcast(tx.toBuffer()))).toBe('TX_CONFLICT');
    which = 'garbage';
    expect(await codeOf(backend.broadcast(tx.toBuffer()))).toBe('TX_DESERIALIZATION');
    which = 'known';
    expect(await backend.broadcast(tx.toBuffer())).toBe(tx.getId());
    // A 4xx rejection is final: one POST per broadcast.
    expect(fake.seen).toHaveLength(4);
  });
});

describe('esplora helpers', () => {
  it('refuses a URL that is not http(s) up front', () => {
    expect(() => esploraBackend({ url: 'ftp://example.org' })).toThrow(/http\(s\) URL/);
    expect(() => esploraBackend({ url: 'not a url' })).toThrow(/http\(s\) URL/);
  });

  it('keeps the reason of a rejection in details', () => {
    const out = classifyEsploraRejection(
      'x',
      400,
      'sendrawtransaction RPC error: {"code":-26,"message":"min relay fee not met, 100 < 141"}',
    );
    expect(out.kind).toBe('error');
    if (out.kind === 'error')
      expect(out.error.details['reason']).toBe('min relay fee not met, 100 < 141');
  });

  it('retry delays stay within the jittered exponential ceiling', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 3_000 };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const d = retryDelayMs(attempt, policy, undefined, () => r);
          return d >= 0 && d <= Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
        },
      ),
    );
    expect(retryDelayMs(0, policy, 2, () => 0)).toBe(2_000);
    expect(retryDelayMs(0, policy, 60, () => 0)).toBe(3_000);
  });

  it('sends the raw transaction as hex', async () => {
    const tx = sampleTx();
    let got = '';
    const fake = await fakeEsplora((_req, res, body) => {
      got = body;
      res.writeHead(200).end(tx.getId());
    });
    await esploraBackend({ url: `${fake.url}/`, ...fast }).broadcast(tx.toBuffer());
    expect(got).toBe(toHex(tx.toBuffer()));
  });
});

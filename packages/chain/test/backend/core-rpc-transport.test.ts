// The JSON-RPC transport under the Core backend, against a real HTTP server on
// 127.0.0.1 that misbehaves on purpose: 5xx, silence, warm-up errors, 401.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MedanchorError } from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/helpers/free-port.js';
import { coreRpcBackend } from '../../src/backend/core-rpc.js';
import { jsonRpcHttpClient } from '../../src/backend/jsonrpc-http.js';

interface Seen {
  method: string;
  params: unknown[];
  authorization: string | undefined;
}

type Reply = (seen: Seen, count: number, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(reply: Reply): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as { method: string; params: unknown[] };
      const s = {
        method: parsed.method,
        params: parsed.params,
        authorization: req.headers.authorization,
      };
      seen.push(s);
      reply(s, seen.filter((x) => x.method === s.method).length, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const ok = (res: ServerResponse, result: unknown) => json(res, 200, { result, error: null, id: 1 });
const rpcError = (res: ServerResponse, code: number, message: string) =>
  json(res, 500, { result: null, error: { code, message }, id: 1 });

async function failure(p: Promise<unknown>): Promise<MedanchorError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof MedanchorError))
    throw new Error(`expected a MedanchorError, got ${String(e)}`);
  return e;
}

describe('jsonRpcHttpClient', () => {
  it('retries an idempotent call after HTTP 503 and succeeds', async () => {
    const { url, seen } = await serve((_s, n, res) => {
      if (n < 3) {
        res.writeHead(503);
        res.end('Work queue depth exceeded');
      } else ok(res, 42);
    });
    const rpc = jsonRpcHttpClient({ url, backoffMs: 5 });
    expect(await rpc.call('getblockcount')).toBe(42);
    expect(seen).toHaveLength(3);
  });

  it('gives up after the configured retries with RPC_BAD_RESPONSE', async () => {
    const { url, seen } = await serve((_s, _n, res) => {
      res.writeHead(502);
      res.end();
    });
    const rpc = jsonRpcHttpClient({ url, backoffMs: 1, retries: 2 });
    expect((await failure(rpc.call('getblockcount'))).code).toBe('RPC_BAD_RESPONSE');
    expect(seen).toHaveLength(3);
  });

  it('retries a timed-out idempotent call, and reports RPC_TIMEOUT in the end', async () => {
    const { url, seen } = await serve(() => {
      // never answers
    });
    // The server is in this process: with a timeout shorter than a stall of a loaded machine
    // (150 ms was), the timer fires before the retry is read and `seen` misses it.
    const rpc = jsonRpcHttpClient({ url, timeoutMs: 1_000, retries: 1, backoffMs: 1 });
    expect((await failure(rpc.call('getbestblockhash'))).code).toBe('RPC_TIMEOUT');
    expect(seen).toHaveLength(2);
  });

  it('does not retry a server error answer, which is final', async () => {
    const { url, seen } = await serve((_s, _n, res) => rpcError(res, -5, 'Block not found'));
    const e = await failure(
      jsonRpcHttpClient({ url, backoffMs: 1 }).call('getblockheader', ['00']),
    );
    expect(e.code).toBe('RPC_ERROR');
    expect(e.details['rpcCode']).toBe(-5);
    expect(seen).toHaveLength(1);
  });

  it('retries server codes listed as retryable (Core warming up, -28)', async () => {
    const { url, seen } = await serve((_s, n, res) =>
      n === 1 ? rpcError(res, -28, 'Loading block index...') : ok(res, 'ok'),
    );
    const rpc = jsonRpcHttpClient({ url, backoffMs: 1, retryRpcCodes: [-28] });
    expect(await rpc.call('getblockchaininfo')).toBe('ok');
    expect(seen).toHaveLength(2);
  });

  it('reports an unreachable server as RPC_UNREACHABLE without leaking credentials', async () => {
    const port = await freePort();
    const rpc = jsonRpcHttpClient({
      url: `http://127.0.0.1:${port}/`,
      user: 'alice',
      password: 'hunter2-secret',
      retries: 1,
      backoffMs: 1,
    });
    const e = await failure(rpc.call('getblockcount'));
    expect(e.code).toBe('RPC_UNREACHABLE');
    expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain('hunter2');
  });

  it('sends HTTP Basic credentials, and maps 401 to RPC_UNAUTHORIZED', async () => {
    const { url, seen } = await serve((s, _n, res) => {
      if (s.authorization === `Basic ${Buffer.from('alice:pässword').toString('base64')}`)
        ok(res, 1);
      else {
        res.writeHead(401);
        res.end();
      }
    });
    expect(await jsonRpcHttpClient({ url, user: 'alice', password: 'pässword' }).call('x')).toBe(1);
    const wrong = jsonRpcHttpClient({ url, user: 'alice', password: 'nope' });
    expect((await failure(wrong.call('x'))).code).toBe('RPC_UNAUTHORIZED');
    expect(seen).toHaveLength(2);
  });
});

describe('coreRpcBackend transport behaviour', () => {
  const tx = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

  it('refuses credentials inside the URL without echoing them', () => {
    let caught: unknown;
    try {
      coreRpcBackend({ url: 'http://alice:s3cret@127.0.0.1:8332/', user: 'u', password: 'p' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MedanchorError);
    expect((caught as MedanchorError).code).toBe('INVALID_OPTIONS');
    expect((caught as MedanchorError).message).not.toContain('s3cret');
  });

  it('never retries sendrawtransaction after a 5xx', async () => {
    const { url, seen } = await serve((_s, _n, res) => {
      res.writeHead(503);
      res.end();
    });
    const backend = coreRpcBackend({ url, user: 'u', password: 'p', retries: 5 });
    expect((await failure(backend.broadcast(tx))).code).toBe('RPC_BAD_RESPONSE');
    expect(seen).toHaveLength(1);
  });

  it('reports a broadcast timeout as BROADCAST_UNKNOWN after a single attempt', async () => {
    const { url, seen } = await serve(() => {
      // the node is slow: the transaction may or may not have been accepted
    });
    const backend = coreRpcBackend({ url, user: 'u', password: 'p', timeoutMs: 1_000, retries: 5 });
    expect((await failure(backend.broadcast(tx))).code).toBe('BROADCAST_UNKNOWN');
    expect(seen).toHaveLength(1);
  });

  it('reads the cookie again when the node answers 401 (restarted node, new cookie)', async () => {
    let current = '__cookie__:aaaa';
    const { url } = await serve((s, _n, res) => {
      const expected = `Basic ${Buffer.from(current).toString('base64')}`;
      if (s.authorization === expected) ok(res, '00'.repeat(32));
      else {
        res.writeHead(401);
        res.end();
      }
    });
    let reads = 0;
    const backend = coreRpcBackend({
      url,
      cookie: () => {
        reads++;
        return current;
      },
    });
    expect(await backend.rpc('getbestblockhash')).toBe('00'.repeat(32));
    current = '__cookie__:bbbb';
    expect(await backend.rpc('getbestblockhash')).toBe('00'.repeat(32));
    expect(reads).toBe(2);
  });

  it('converts estimatesmartfee (coins per kvB) to sat/vB, never below the floor', async () => {
    const { url, seen } = await serve((s, _n, res) => {
      const target = Number(s.params[0]);
      if (target === 2) ok(res, { feerate: 0.0002, blocks: 2 });
      else if (target === 3) ok(res, { feerate: 0.000005, blocks: 3 });
      else ok(res, { errors: ['Insufficient data or no feerate found'], blocks: 0 });
    });
    const backend = coreRpcBackend({ url, user: 'u', password: 'p', feeRateFloor: 1.5 });
    expect(await backend.feeRate(2)).toBeCloseTo(20, 10);
    expect(await backend.feeRate(3)).toBe(1.5);
    expect(await backend.feeRate(6)).toBe(1.5);
    expect(seen.map((x) => x.params)).toEqual([[2], [3], [6]]);
  });

  it('maps Core broadcast codes: -22, -25, -26 (policy and conflict), -27', async () => {
    const answers: Record<string, [number, string]> = {
      '01000000': [-22, 'TX decode failed'],
      '02000000': [-25, 'Missing inputs'],
      '03000000': [-26, 'min relay fee not met, 0 < 141'],
      '04000000': [-26, 'txn-mempool-conflict'],
    };
    const { url } = await serve((s, _n, res) => {
      const hex = String(s.params[0]);
      const a = answers[hex];
      if (a) rpcError(res, a[0], a[1]);
      else rpcError(res, -27, 'Transaction already in block chain');
    });
    const backend = coreRpcBackend({ url, user: 'u', password: 'p' });
    const codeFor = async (first: number) => {
      const e = await failure(backend.broadcast(new Uint8Array([first, 0, 0, 0])));
      return [e.code, e.details['reason']];
    };
    expect(await codeFor(1)).toEqual(['TX_DESERIALIZATION', 'TX decode failed']);
    expect(await codeFor(2)).toEqual(['TX_CONFLICT', 'Missing inputs']);
    expect(await codeFor(3)).toEqual(['TX_REJECTED', 'min relay fee not met, 0 < 141']);
    expect(await codeFor(4)).toEqual(['TX_CONFLICT', 'txn-mempool-conflict']);
    // -27: success, and the txid (of mainnet block 1's coinbase) is computed locally.
    const legacy =
      '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0704ffff001d0104ffffffff0100f2052a0100000043410496b538e853519c726a2c91e61ec11600ae1390813a627c66fb8be7947be63c52da7589379515d4e0a604f8141781e62294721166bf621e73a82cbf2342c858eeac00000000';
    expect(await backend.broadcast(Buffer.from(legacy, 'hex'))).toBe(
      '0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098',
    );
  });
});

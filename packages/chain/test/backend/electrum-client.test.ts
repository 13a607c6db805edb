// The Electrum client against a real server on 127.0.0.1 (TCP and TLS) that answers from
// memory: framing, ids, handshake, notifications, timeouts, reconnects, certificate checks.
import { type AddressInfo, createServer } from 'node:net';
import { fromHex, MedanchorError } from '@medanchor/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { electrumBackend } from '../../src/backend/electrum.js';
import {
  type ElectrumClientOptions,
  type ElectrumTransport,
  electrumClient,
} from '../../src/backend/electrum-client.js';
import {
  classifyElectrumBroadcastError,
  coinsPerKbToSatPerVb,
  electrumScriptHash,
} from '../../src/backend/electrum-protocol.js';
import { electrumSocketTransport } from '../../src/node/electrum-transport.js';
import {
  type ElectrumHandler,
  ElectrumServerError,
  NO_REPLY,
  selfSignedCertificate,
  startElectrumServer,
  type TestElectrumServer,
} from './electrum-server.js';

// Mainnet genesis header, a well-known fixed answer for headers.subscribe.
const GENESIS =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';

const servers: TestElectrumServer[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  for (const s of servers.splice(0)) await s.close();
});

async function serve(handler: ElectrumHandler, tls?: { key: string; cert: string }) {
  const server = await startElectrumServer(handler, tls ? { tls } : {});
  servers.push(server);
  return server;
}

const basic: ElectrumHandler = (method, params) => {
  if (method === 'server.version') return ['test-server 1.0', '1.4'];
  if (method === 'blockchain.headers.subscribe') return { height: 0, hex: GENESIS };
  if (method === 'echo') return params;
  throw new ElectrumServerError(-32601, `unknown method ${method}`);
};

function clientFor(server: TestElectrumServer, extra: Partial<ElectrumClientOptions> = {}) {
  const client = electrumClient({
    transport: electrumSocketTransport({ host: server.host, port: server.port }),
    backoffMs: 1,
    ...extra,
  });
  closers.push(() => client.close());
  return client;
}

async function failure(p: Promise<unknown>): Promise<MedanchorError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof MedanchorError))
    throw new Error(`expected a MedanchorError, got ${String(e)}`);
  return e;
}

describe('Electrum protocol helpers', () => {
  it('names scripts by reversed sha256 (the protocol documentation example)', () => {
    // P2PKH of 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.
    const script = fromHex('76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac');
    expect(electrumScriptHash(script)).toBe(
      '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161',
    );
  });

  it('converts coins per kB to sat/vB', () => {
    expect(coinsPerKbToSatPerVb(0.0002)).toBeCloseTo(20, 10);
    expect(coinsPerKbToSatPerVb(0.00001)).toBeCloseTo(1, 10);
  });

  it('classifies broadcast error messages as servers word them', () => {
    const kind = (m: string) => {
      const o = classifyElectrumBroadcastError(m);
      return o.kind === 'success' ? 'success' : o.error.code;
    };
    const wrap = (reason: string) =>
      `the transaction was rejected by network rules.\n\n${reason}\n[0200000001abcdef0123456789abcdef0123456789abcdef0123456789]`;
    expect(kind(wrap('TX decode failed'))).toBe('TX_DESERIALIZATION');
    expect(kind(wrap('txn-mempool-conflict'))).toBe('TX_CONFLICT');
    expect(kind(wrap('bad-txns-inputs-missingorspent'))).toBe('TX_CONFLICT');
    expect(kind(wrap('min relay fee not met, 0 < 141'))).toBe('TX_REJECTED');
    expect(kind(wrap('Transaction already in block chain'))).toBe('success');
    expect(kind('txn-already-known')).toBe('success');
    const o = classifyElectrumBroadcastError(wrap('min relay fee not met, 0 < 141'));
    expect(o.kind === 'error' && o.error.details['reason']).toBe('min relay fee not met, 0 < 141');
  });
});

describe('electrumClient over TCP', () => {
  it('sends server.version first and matches concurrent answers by id', async () => {
    const server = await serve(async (method, params) => {
      // Answer later requests first, so replies arrive out of order.
      if (method === 'echo') await new Promise((r) => setTimeout(r, 40 - 10 * Number(params[0])));
      return basic(method, params);
    });
    const client = clientFor(server);
    const answers = await Promise.all([0, 1, 2, 3].map((i) => client.request('echo', [i])));
    expect(answers).toEqual([[0], [1], [2], [3]]);
    expect(server.requests[0]).toEqual({ method: 'server.version', params: ['medanchor', '1.4'] });
    expect(client.serverVersion).toEqual(['test-server 1.0', '1.4']);
    expect(server.connections()).toBe(1);
  });

  it('turns a server error into ELECTRUM_ERROR with its code, without retrying', async () => {
    const server = await serve(basic);
    const e = await failure(clientFor(server).request('no.such.method'));
    expect(e.code).toBe('ELECTRUM_ERROR');
    expect(e.details['rpcCode']).toBe(-32601);
    expect(server.requests.filter((r) => r.method === 'no.such.method')).toHaveLength(1);
  });

  it('delivers notifications and renews subscriptions after a reconnect', async () => {
    const server = await serve(basic);
    const seen: unknown[] = [];
    const client = clientFor(server, { onNotification: (m, p) => seen.push([m, p]) });
    await client.request('blockchain.headers.subscribe');
    server.notify('blockchain.headers.subscribe', [{ height: 1, hex: GENESIS }]);
    // Waits for the notification itself: a fixed sleep lost the race when a loaded machine
    // ran the timer before the socket's data.
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([['blockchain.headers.subscribe', [{ height: 1, hex: GENESIS }]]]);

    server.dropConnections();
    await new Promise((r) => setTimeout(r, 50));
    expect(await client.request('echo', ['after'])).toEqual(['after']);
    expect(server.connections()).toBe(2);
    const methods = server.requests.map((r) => r.method);
    expect(methods).toEqual([
      'server.version',
      'blockchain.headers.subscribe',
      'server.version',
      'blockchain.headers.subscribe',
      'echo',
    ]);
  });

  it('times out a silent request, reconnects and retries idempotent ones', async () => {
    const server = await serve((method, params) =>
      method === 'slow' ? NO_REPLY : basic(method, params),
    );
    // The server is in this process: a timeout shorter than a stall of a loaded machine
    // can fire before a reconnect's handshake or the request is read, and the counts
    // below would miss an attempt (100 ms was that short).
    const client = clientFor(server, { timeoutMs: 1_000, retries: 2 });
    const e = await failure(client.request('slow'));
    expect(e.code).toBe('ELECTRUM_TIMEOUT');
    expect(server.requests.filter((r) => r.method === 'slow')).toHaveLength(3);
    expect(server.connections()).toBe(3);
    expect(await client.request('echo', [1])).toEqual([1]);
  });

  it('never repeats a broadcast whose connection dropped: BROADCAST_UNKNOWN', async () => {
    let server: TestElectrumServer | undefined;
    server = await serve((method, params) => {
      if (method === 'blockchain.transaction.broadcast') {
        server!.dropConnections();
        return NO_REPLY;
      }
      return basic(method, params);
    });
    const backend = electrumBackend({ client: clientFor(server, { retries: 3 }) });
    const e = await failure(backend.broadcast(new Uint8Array([1, 2, 3])));
    expect(e.code).toBe('BROADCAST_UNKNOWN');
    expect(
      server.requests.filter((r) => r.method === 'blockchain.transaction.broadcast'),
    ).toHaveLength(1);
  });

  it('reports a closed port as ELECTRUM_UNREACHABLE', async () => {
    const server = await serve(basic);
    const { port } = server;
    await server.close();
    servers.splice(0);
    const client = clientFor({ ...server, port }, { retries: 1 });
    expect((await failure(client.request('echo'))).code).toBe('ELECTRUM_UNREACHABLE');
  });

  it('refuses requests after close()', async () => {
    const server = await serve(basic);
    const client = clientFor(server);
    await client.request('echo', [1]);
    client.close();
    expect((await failure(client.request('echo', [2]))).code).toBe('ELECTRUM_CLOSED');
  });

  it('drops a connection that sends something other than JSON lines', async () => {
    const garbage = createServer((s) => {
      s.on('data', () => s.write('this is not json\n'));
    });
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    closers.push(() => garbage.close());
    const port = (garbage.address() as AddressInfo).port;
    const client = electrumClient({
      transport: electrumSocketTransport({ host: '127.0.0.1', port }),
      retries: 0,
    });
    closers.push(() => client.close());
    expect((await failure(client.request('echo'))).code).toBe('ELECTRUM_DISCONNECTED');
  });
});

// An in-memory transport (the client core is transport-agnostic): it answers each
// request line at once, but hands the replies back cut into the given chunk sizes.
function chunkingTransport(
  cuts: number[],
  reply = (id: number, params: unknown) => ({ id, result: params }),
): ElectrumTransport {
  return {
    name: 'memory://chunked',
    async connect(handlers) {
      let pending = '';
      let cut = 0;
      return {
        write(line: string) {
          const req = JSON.parse(line) as { id: number; method: string; params: unknown };
          const result = req.method === 'server.version' ? ['mem', '1.4'] : req.params;
          pending += `${JSON.stringify({ jsonrpc: '2.0', ...reply(req.id, result) })}\n`;
          setTimeout(() => {
            while (pending.length > 0) {
              const n = Math.max(1, cuts[cut++ % cuts.length] ?? 1);
              handlers.onData(pending.slice(0, n));
              pending = pending.slice(n);
            }
          }, 0);
        },
        close() {
          handlers.onClose();
        },
      };
    },
  };
}

describe('electrumClient framing (in-memory transport)', () => {
  it('reassembles replies however the transport chunks them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 6 }),
        async (cuts, payloads) => {
          const client = electrumClient({ transport: chunkingTransport(cuts) });
          try {
            const answers = await Promise.all(payloads.map((p) => client.request('echo', [p])));
            expect(answers).toEqual(payloads.map((p) => [p]));
          } finally {
            client.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('drops the connection when a line grows past maxLineLength', async () => {
    const client = electrumClient({
      transport: chunkingTransport([7]),
      maxLineLength: 200,
      retries: 0,
    });
    closers.push(() => client.close());
    expect(await client.request('echo', ['short'])).toEqual(['short']);
    const e = await failure(client.request('echo', ['x'.repeat(500)]));
    expect(e.code).toBe('ELECTRUM_DISCONNECTED');
  });
});

const cert = selfSignedCertificate();

describe.skipIf(!cert)('electrumClient over TLS with a self-signed certificate', () => {
  const tlsClient = (
    server: TestElectrumServer,
    tls: Parameters<typeof electrumSocketTransport>[0]['tls'],
  ) => {
    const client = electrumClient({
      transport: electrumSocketTransport({ host: server.host, port: server.port, tls }),
      retries: 0,
    });
    closers.push(() => client.close());
    return client;
  };

  it('refuses the certificate when nothing is pinned (verification is on by default)', async () => {
    const server = await serve(basic, cert!);
    const e = await failure(tlsClient(server, true).request('echo', [1]));
    expect(e.code).toBe('TLS_UNTRUSTED');
    expect(e.message).toMatch(/fingerprint256/);
    expect(server.requests).toHaveLength(0);
  });

  it('accepts it when its SHA-256 fingerprint is pinned', async () => {
    const server = await serve(basic, cert!);
    const client = tlsClient(server, { fingerprint256: cert!.fingerprint256 });
    expect(await client.request('echo', ['over tls'])).toEqual(['over tls']);
    // The same pin written as bare lowercase hex.
    const bare = cert!.fingerprint256.replace(/:/g, '').toLowerCase();
    expect(await tlsClient(server, { fingerprint256: bare }).request('echo', [2])).toEqual([2]);
  });

  it('refuses a different pinned fingerprint', async () => {
    const server = await serve(basic, cert!);
    const wrong = `${'00:'.repeat(31)}00`;
    const e = await failure(tlsClient(server, { fingerprint256: wrong }).request('echo', [1]));
    expect(e.code).toBe('TLS_PIN_MISMATCH');
    expect(server.requests).toHaveLength(0);
  });

  it('accepts it as a trusted CA, or through the explicit rejectUnauthorized: false opt-out', async () => {
    const server = await serve(basic, cert!);
    expect(await tlsClient(server, { ca: cert!.cert }).request('echo', [1])).toEqual([1]);
    expect(await tlsClient(server, { rejectUnauthorized: false }).request('echo', [2])).toEqual([
      2,
    ]);
  });

  it('serves a whole backend call over the pinned connection', async () => {
    const server = await serve(basic, cert!);
    const backend = electrumBackend({
      transport: electrumSocketTransport({
        host: server.host,
        port: server.port,
        tls: { fingerprint256: cert!.fingerprint256 },
      }),
    });
    closers.push(() => backend.client.close());
    const tip = await backend.tip();
    expect(tip.hash).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(backend.name).toBe(`electrum(tls://127.0.0.1:${server.port})`);
  });
});

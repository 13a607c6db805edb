import { connect } from 'node:net';
import { openLedger, type StoreLedger } from '@medanchor/chain';
import { type LedgerStore, memoryLedgerStore, sha256, toHex, utf8 } from '@medanchor/core';
import { createLogServer, hashToken, type LogServer, type LogServerOptions } from '../src/index.js';

/** The bearer token the test writer uses (only its hash goes into the server). */
export const TOKEN = 'test-writer-token-0123456789';

export interface Running {
  store: LedgerStore;
  ledger: StoreLedger;
  server: LogServer;
  url: string;
  stop(): Promise<void>;
}

/** A log server on 127.0.0.1 (free port) over a memory store, with one writer. */
export async function startServer(
  extra: Partial<LogServerOptions> = {},
  store: LedgerStore = memoryLedgerStore({ origin: 'test.example/log' }),
): Promise<Running> {
  const ledger = await openLedger({ store, pollMs: 0, owner: 'server-test' });
  const server = createLogServer({
    ledger,
    writers: [{ name: 'writer-1', sha256: hashToken(TOKEN), ratePerSecond: 100_000 }],
    ...extra,
  });
  const { url } = await server.listen(0, '127.0.0.1');
  return {
    store,
    ledger,
    server,
    url,
    async stop() {
      await server.close();
      await ledger.close();
      await store.close();
    },
  };
}

/** The digest of test record `i`. */
export function digestOf(i: number): string {
  return toHex(sha256(utf8(`record ${i}`)));
}

/** Submits records `from..to-1` through HTTP, in batches of `batch`. */
export async function submit(url: string, from: number, to: number, batch = 500): Promise<void> {
  for (let i = from; i < to; i += batch) {
    const records = [];
    for (let j = i; j < Math.min(to, i + batch); j++)
      records.push({ digest: digestOf(j), recordId: `rec-${j}`, version: 1 });
    const res = await fetch(`${url}/add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ records }),
    });
    if (res.status !== 200) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
  }
}

/**
 * Sends `request` as it is over a raw TCP socket to the server at `url` (no client to
 * normalise it) and resolves with all it answered, as latin1, once the server closes; rejects
 * when nothing closes within 10 s (a hang). `halfClose: false` keeps the sending side open:
 * Node's HTTP server drops a connection whose client sent FIN before a slow answer is written.
 */
export function rawRequest(
  url: string,
  request: string | Uint8Array,
  options: { halfClose?: boolean } = {},
): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1');
    let out = '';
    s.setTimeout(10_000, () => {
      s.destroy();
      reject(new Error('no answer within 10 s'));
    });
    s.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    if (options.halfClose === false) s.write(request);
    else s.end(request);
  });
}

/** The status code of a raw HTTP/1.1 answer, 0 when it has no status line. */
export const statusOf = (response: string): number =>
  Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

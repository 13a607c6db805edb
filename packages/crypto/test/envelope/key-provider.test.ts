import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromHex, toHex, utf8 } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient, dhKeyProvider, open, seal } from '../../src/envelope/index.js';
import { x25519Dh } from '../../src/hpke/kem.js';
import { context, keys, rejection } from './helpers.js';

// A stand-in HSM on 127.0.0.1: it holds the private key and answers one request,
// POST /x25519 with a peer public key (hex), with the X25519 shared secret (hex).
let server: Server;
let base = '';
let held: { privateKey: Uint8Array; publicKey: Uint8Array };
let requests = 0;

beforeAll(async () => {
  [held] = (await keys(1)) as [typeof held];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', async () => {
      requests++;
      try {
        const peer = fromHex(body.trim());
        const out =
          req.url === '/broken' ? new Uint8Array(32) : await x25519Dh(held.privateKey, peer);
        res.end(toHex(out));
      } catch {
        res.statusCode = 400;
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function hsmProvider(path: string) {
  return dhKeyProvider({
    publicKey: held.publicKey,
    dh: async (peer) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', body: toHex(peer) });
      return fromHex(await res.text());
    },
  });
}

describe('dhKeyProvider (private key behind an X25519 service)', () => {
  it('opens and shares an envelope while the key stays in the service', async () => {
    const [other] = await keys(1);
    const env = await seal(utf8('discharge summary'), { recipients: [held.publicKey], context });
    const before = requests;
    const provider = hsmProvider('/x25519');
    expect((await open(env, provider)).payload).toEqual(utf8('discharge summary'));
    expect(requests - before).toBe(1); // one DH per unwrap: the key never left the service
    const shared = await addRecipient(env, other!.publicKey, provider);
    expect((await open(shared, other!.privateKey)).payload).toEqual(utf8('discharge summary'));
  });

  it('a service answering the all-zero secret (low-order point) is refused, not trusted', async () => {
    const env = await seal(utf8('x'), { recipients: [held.publicKey], context });
    const e = await rejection(open(env, hsmProvider('/broken')));
    expect(e.code).toBe('DECRYPT_FAILED');
    expect(e.details['part']).toBe('recipient');
  });
});

import { equalBytes, toHex } from '@medanchor/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { EnvelopeAead } from '../../src/envelope/format.js';
import { open, seal } from '../../src/envelope/index.js';
import { sealBytes, sealWith } from '../../src/envelope/seal.js';
import { type CryptoBackend, setCryptoBackend } from '../../src/hpke/backend.js';
import { collectBytes, context, keys, payloadOf, rejection, streamIn } from './helpers.js';

// The envelope's fast path (node:crypto, chunks taken and given in the source's
// pieces, several chunks per stream pull) against the reference (@noble, whole
// chunks): the same randomness must give the same envelope byte for byte, streamed
// or not, and each must open what the other sealed.

const CHUNK = 4096;

describe('envelope fast path equals the reference path', () => {
  afterAll(() => setCryptoBackend('auto'));

  it('random payloads, AEADs, chunk sizes, recipients and piece sizes: node and noble seal the same bytes and open each other', async () => {
    const ks = await keys(3);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5 * CHUNK + 40 }),
        fc.constantFrom<EnvelopeAead>('AES-256-GCM', 'ChaCha20-Poly1305'),
        fc.constantFrom(CHUNK, 2 * CHUNK),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 * CHUNK }),
        fc.uint8Array({ minLength: 97, maxLength: 97 }),
        async (pt, aead, chunkSize, n, piece, seed) => {
          const rnd = {
            dataKey: seed.subarray(0, 32),
            salt: seed.subarray(32, 64),
            ephemeralIkm: (i: number) => seed.subarray(64 - i, 96 - i),
          };
          const opts = {
            recipients: ks.slice(0, n).map((k) => k.publicKey),
            context,
            aead,
            chunkSize,
          };
          const sealed = new Map<CryptoBackend, Uint8Array>();
          for (const backend of ['node', 'noble'] as const) {
            setCryptoBackend(backend);
            // On node:crypto a payload in memory is sealed without a promise (the path
            // every real seal there takes); on @noble through the promise path.
            const direct = sealBytes(pt, opts, rnd);
            expect(direct instanceof Promise, backend).toBe(backend === 'noble');
            const asArray = await direct;
            expect(toHex((await sealWith(pt, opts, rnd)) as Uint8Array)).toBe(toHex(asArray));
            const asStream = await collectBytes(
              (await sealWith(streamIn(pt, piece), opts, rnd)) as ReadableStream<Uint8Array>,
            );
            expect(toHex(asStream), `${backend}: stream equals array`).toBe(toHex(asArray));
            sealed.set(backend, asArray);
          }
          expect(toHex(sealed.get('node')!)).toBe(toHex(sealed.get('noble')!));
          const env = sealed.get('node')!;
          for (const backend of ['node', 'noble'] as const) {
            setCryptoBackend(backend);
            const k = ks[n - 1]!;
            expect(equalBytes((await open(env, k.privateKey)).payload, pt)).toBe(true);
            const streamed = await open(streamIn(env, piece), k.privateKey);
            expect(equalBytes(await collectBytes(streamed.payload), pt)).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  for (const backend of ['node', 'webcrypto', 'noble'] as const) {
    it(`${backend}: a streamed open hands over every chunk before the damaged one, then fails naming it`, async () => {
      setCryptoBackend(backend);
      const [a] = await keys(1);
      const pt = payloadOf(10 * CHUNK + 5);
      const env = (await sealWith(
        pt,
        { recipients: [a!.publicKey], context, chunkSize: CHUNK },
        {
          dataKey: new Uint8Array(32).fill(1),
          salt: new Uint8Array(32).fill(2),
        },
      )) as Uint8Array;
      const headerLength = env.length - (pt.length + 11 * 16);
      const bad = env.slice();
      bad[headerLength + 6 * (CHUNK + 16) + 100]! ^= 1; // inside chunk 6
      // A source in large pieces, so chunks 0..6 arrive in one stream pull.
      const { payload } = await open(streamIn(bad, 1 << 16), a!.privateKey);
      const reader = payload.getReader();
      let got = 0;
      const err = await rejection(
        (async () => {
          for (;;) {
            const r = await reader.read();
            if (r.done) return;
            expect(equalBytes(r.value, pt.subarray(got, got + r.value.length))).toBe(true);
            got += r.value.length;
          }
        })(),
      );
      expect(err.code).toBe('DECRYPT_FAILED');
      expect(err.details).toMatchObject({ part: 'chunk', chunk: 6 });
      expect(got).toBe(6 * CHUNK);
    });
  }

  for (const backend of ['node', 'webcrypto', 'noble'] as const) {
    it(`${backend}: a seal listing a low-order key among good ones fails with HPKE_DH_FAILED and leaves nothing unobserved`, async () => {
      setCryptoBackend(backend);
      const ks = await keys(3);
      const lowOrder = new Uint8Array(32); // the all-zero point
      for (const at of [0, 1, 3]) {
        const recipients = ks.map((k) => k.publicKey);
        recipients.splice(at, 0, lowOrder);
        const e = await rejection(seal(payloadOf(100), { recipients, context }));
        expect(e.code, `low-order key at ${at}`).toBe('HPKE_DH_FAILED');
      }
      // Vitest fails the file on an unhandled rejection: give any stray one a turn to surface.
      await new Promise((r) => setTimeout(r, 20));
    });
  }

  it('a streamed seal of a payload ending exactly on a chunk edge marks the last full chunk final', async () => {
    const [a] = await keys(1);
    for (const backend of ['node', 'noble'] as const) {
      setCryptoBackend(backend);
      const pt = payloadOf(3 * CHUNK);
      const opts = { recipients: [a!.publicKey], context, chunkSize: CHUNK };
      const rnd = {
        dataKey: new Uint8Array(32).fill(3),
        salt: new Uint8Array(32).fill(4),
        ephemeralIkm: () => new Uint8Array(32).fill(5),
      };
      const env = await collectBytes(
        (await sealWith(streamIn(pt, CHUNK), opts, rnd)) as ReadableStream<Uint8Array>,
      );
      expect(toHex(env)).toBe(toHex((await sealWith(pt, opts, rnd)) as Uint8Array));
      expect(equalBytes((await open(env, a!.privateKey)).payload, pt)).toBe(true);
    }
  });
});

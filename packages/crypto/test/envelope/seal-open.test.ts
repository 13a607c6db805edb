import { equalBytes, toHex, utf8 } from '@medanchor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { open, seal } from '../../src/envelope/index.js';
import { sealWith } from '../../src/envelope/seal.js';
import { setCryptoBackend } from '../../src/hpke/backend.js';
import { collectBytes, context, keys, payloadOf, rejection, streamIn } from './helpers.js';

const CHUNK = 4096;

describe('seal and open', () => {
  afterAll(() => setCryptoBackend('auto'));

  for (const backend of ['webcrypto', 'noble'] as const) {
    for (const aead of ['AES-256-GCM', 'ChaCha20-Poly1305'] as const) {
      it(`${backend}, ${aead}: round-trips payloads of 0, 1, chunk-1, chunk, chunk+1 and 3.5 chunks`, async () => {
        setCryptoBackend(backend);
        const [a] = await keys(1);
        for (const len of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3.5 * CHUNK]) {
          const pt = payloadOf(len);
          const env = await seal(pt, {
            recipients: [a!.publicKey],
            context,
            aead,
            chunkSize: CHUNK,
          });
          const { payload, context: ctx } = await open(env, a!.privateKey);
          expect(ctx).toEqual(context);
          expect(equalBytes(payload, pt)).toBe(true);
        }
      });
    }
  }

  it('the webcrypto and noble backends produce identical envelopes from identical randomness', async () => {
    const [a, b] = await keys(2);
    const rnd = {
      dataKey: new Uint8Array(32).fill(1),
      salt: new Uint8Array(32).fill(2),
      ephemeralIkm: (i: number) => new Uint8Array(32).fill(10 + i),
    };
    const pt = payloadOf(3 * CHUNK + 5);
    const out: string[] = [];
    for (const backend of ['webcrypto', 'noble'] as const) {
      setCryptoBackend(backend);
      const env = (await sealWith(
        pt,
        { recipients: [a!.publicKey, b!.publicKey], context, chunkSize: CHUNK },
        rnd,
      )) as Uint8Array;
      out.push(toHex(env));
    }
    expect(out[0]).toBe(out[1]);
  });

  it('a stream seals to the same bytes as the array (same randomness) and opens as a stream', async () => {
    setCryptoBackend('auto');
    const [a] = await keys(1);
    const rnd = {
      dataKey: new Uint8Array(32).fill(3),
      salt: new Uint8Array(32).fill(4),
      ephemeralIkm: () => new Uint8Array(32).fill(5),
    };
    for (const len of [0, CHUNK, 2 * CHUNK + 77]) {
      const pt = payloadOf(len);
      const opts = { recipients: [a!.publicKey], context, chunkSize: CHUNK };
      const fromArray = (await sealWith(pt, opts, rnd)) as Uint8Array;
      const fromStream = await collectBytes(
        (await sealWith(streamIn(pt, 1000), opts, rnd)) as ReadableStream<Uint8Array>,
      );
      expect(toHex(fromStream)).toBe(toHex(fromArray));
      const { payload } = await open(streamIn(fromArray, 3000), a!.privateKey);
      expect(equalBytes(await collectBytes(payload), pt)).toBe(true);
    }
  });

  it('default chunks are 64 KiB: a 64 KiB + 1 payload makes two chunks (2 tags of overhead)', async () => {
    const [a] = await keys(1);
    const one = await seal(payloadOf(65536), { recipients: [a!.publicKey], context });
    const two = await seal(payloadOf(65537), { recipients: [a!.publicKey], context });
    expect(two.length - one.length).toBe(1 + 16);
  });

  it('every recipient opens; a stranger gets NOT_A_RECIPIENT', async () => {
    const [a, b, c, stranger] = await keys(4);
    const pt = utf8('{"resourceType":"Observation"}');
    const env = await seal(pt, { recipients: [a!, b!, c!].map((k) => k.publicKey), context });
    for (const k of [a!, b!, c!]) expect((await open(env, k.privateKey)).payload).toEqual(pt);
    const e = await rejection(open(env, stranger!.privateKey));
    expect(e.code).toBe('NOT_A_RECIPIENT');
  });

  it('expectContext rejects another record with CONTEXT_MISMATCH', async () => {
    const [a] = await keys(1);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey], context });
    const e = await rejection(open(env, a!.privateKey, { expectContext: { recordId: 'obs-18' } }));
    expect(e.code).toBe('CONTEXT_MISMATCH');
    expect(e.details['field']).toBe('recordId');
    const ok = await open(env, a!.privateKey, {
      expectContext: { recordId: 'obs-17', version: '3' },
    });
    expect(ok.payload).toEqual(utf8('x'));
  });

  it('rejects bad seal options with stable codes', async () => {
    const [a] = await keys(1);
    expect((await rejection(seal(utf8('x'), { recipients: [], context }))).code).toBe(
      'ENVELOPE_NO_RECIPIENTS',
    );
    expect(
      (await rejection(seal(utf8('x'), { recipients: [a!.publicKey, a!.publicKey], context })))
        .code,
    ).toBe('RECIPIENT_DUPLICATE');
    expect(
      (await rejection(seal(utf8('x'), { recipients: [a!.publicKey], context, chunkSize: 5000 })))
        .code,
    ).toBe('ENVELOPE_INVALID_CHUNK_SIZE');
    const long = await rejection(
      seal(utf8('x'), {
        recipients: [a!.publicKey],
        context: { ...context, version: 'v'.repeat(65536) },
      }),
    );
    expect(long.code).toBe('ENVELOPE_FIELD_TOO_LONG');
    expect(long.details).toEqual({ field: 'version', length: 65536 });
    // The longest accepted field, 65535 bytes, seals and opens with its context intact.
    const edge = { ...context, contentType: 'c'.repeat(65535) };
    const env = await seal(utf8('x'), { recipients: [a!.publicKey], context: edge });
    expect((await open(env, a!.privateKey)).context).toEqual(edge);
  });
});

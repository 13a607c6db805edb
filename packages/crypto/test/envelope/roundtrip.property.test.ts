import { equalBytes, toHex } from '@medanchor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { open } from '../../src/envelope/index.js';
import { sealWith } from '../../src/envelope/seal.js';
import { collectBytes, context, keys, streamIn } from './helpers.js';

describe('round trip properties', () => {
  it('for any payload and any piece size, stream and array seal to the same bytes and open back', async () => {
    const [a] = await keys(1);
    const rnd = {
      dataKey: new Uint8Array(32).fill(7),
      salt: new Uint8Array(32).fill(8),
      ephemeralIkm: () => new Uint8Array(32).fill(9),
    };
    const opts = { recipients: [a!.publicKey], context, chunkSize: 4096 };
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3 * 4096 + 50 }),
        fc.integer({ min: 1, max: 9000 }),
        async (pt, piece) => {
          const fromArray = (await sealWith(pt, opts, rnd)) as Uint8Array;
          const fromStream = await collectBytes(
            (await sealWith(streamIn(pt, piece), opts, rnd)) as ReadableStream<Uint8Array>,
          );
          expect(toHex(fromStream)).toBe(toHex(fromArray));
          expect(equalBytes((await open(fromArray, a!.privateKey)).payload, pt)).toBe(true);
          const streamed = await open(streamIn(fromArray, piece), a!.privateKey);
          expect(equalBytes(await collectBytes(streamed.payload), pt)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

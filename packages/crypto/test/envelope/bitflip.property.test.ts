import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/envelope/format.js';
import { open, seal } from '../../src/envelope/index.js';
import { context, keys, payloadOf, rejection, streamIn } from './helpers.js';

const DETECTED = new Set(['DECRYPT_FAILED', 'NOT_A_RECIPIENT', 'ENVELOPE_SHREDDED']);

async function fixture() {
  const [a, b] = await keys(2);
  const env = await seal(payloadOf(2.5 * 4096), {
    recipients: [a!.publicKey, b!.publicKey],
    context,
    chunkSize: 4096,
  });
  return { a: a!, env };
}

function flipped(env: Uint8Array, bit: number): Uint8Array {
  const out = env.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('any single-bit flip is detected', () => {
  it('property: a flip anywhere in the envelope makes open fail with a decryption error', async () => {
    const { a, env } = await fixture();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: env.length * 8 - 1 }), async (bit) => {
        const e = await rejection(open(flipped(env, bit), a.privateKey));
        expect(DETECTED.has(e.code)).toBe(true);
        // Only a flip in the opener's own key id could make it a stranger, and trial
        // decryption turns even that into a header failure.
        expect(e.code).toBe('DECRYPT_FAILED');
      }),
      { numRuns: 200 },
    );
  });

  it('every byte of the header, with one bit flipped (rotating), is detected (array and stream)', async () => {
    const { a, env } = await fixture();
    const p = parseHeader(env);
    if (!p.ok) throw new Error('no header');
    let checked = 0;
    for (let byte = 0; byte < p.header.length; byte++) {
      const bit = byte * 8 + (byte % 8);
      const bad = flipped(env, bit);
      const e = await rejection(
        byte % 2 === 0
          ? open(bad, a.privateKey)
          : open(streamIn(bad, 4000), a.privateKey).then((r) =>
              new Response(r.payload).arrayBuffer(),
            ),
      );
      expect(e.code).toBe('DECRYPT_FAILED');
      checked++;
    }
    expect(checked).toBe(p.header.length);
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/envelope/format.js';
import { open, seal } from '../../src/envelope/index.js';
import { collectBytes, context, keys, payloadOf, rejection, streamIn } from './helpers.js';

const CHUNK = 4096;
const FULL = CHUNK + 16;

async function fixture() {
  const [a, b] = await keys(2);
  const pt = payloadOf(3 * CHUNK + 100); // four chunks, the last one short
  const env = await seal(pt, {
    recipients: [a!.publicKey, b!.publicKey],
    context,
    chunkSize: CHUNK,
  });
  const parsed = parseHeader(env);
  if (!parsed.ok) throw new Error('fixture header does not parse');
  return { a: a!, env, header: parsed.header, pt };
}

function flip(env: Uint8Array, at: number): Uint8Array {
  const out = env.slice();
  out[at]! ^= 0x01;
  return out;
}

/** Opens both as an array and as a stream (reading the whole payload). */
async function bothWays(env: Uint8Array, key: Uint8Array) {
  const asArray = await rejection(open(env, key));
  const asStream = await rejection(
    open(streamIn(env, 5000), key).then((r) => collectBytes(r.payload)),
  );
  return { asArray, asStream };
}

describe('tampering is detected and pinned to the part', () => {
  it('a changed context byte fails the header (key commitment), before any chunk', async () => {
    const { a, env, header } = await fixture();
    const at = header.preamble.length - 32 - 3; // inside contentType
    const { asArray, asStream } = await bothWays(flip(env, at), a.privateKey);
    for (const e of [asArray, asStream]) {
      expect(e.code).toBe('DECRYPT_FAILED');
      expect(e.details['part']).toBe('header');
    }
  });

  it('a changed salt, commitment or header MAC byte fails the header', async () => {
    const { a, env, header } = await fixture();
    for (const at of [10, header.preamble.length - 1, header.length - 1]) {
      const { asArray, asStream } = await bothWays(flip(env, at), a.privateKey);
      expect([asArray.details['part'], asStream.details['part']]).toEqual(['header', 'header']);
    }
  });

  it("a changed byte in the opener's own key wrap fails the recipient part", async () => {
    const { a, env, header } = await fixture();
    const at = header.preamble.length + 2 + 6 + 32 + 2 + 5; // recipient 0, inside enc
    const e = await rejection(open(flip(env, at), a.privateKey));
    expect(e.code).toBe('DECRYPT_FAILED');
    expect(e.details['part']).toBe('recipient');
  });

  it("a changed byte in another recipient's stanza or in a key id fails the header MAC", async () => {
    const { a, env, header } = await fixture();
    const stanza = 6 + 32 + 2 + 32 + 2 + 48;
    const other = header.preamble.length + 2 + stanza + 50; // recipient 1
    const ownKeyId = header.preamble.length + 2 + 6 + 4; // recipient 0's key id
    for (const at of [other, ownKeyId]) {
      const e = await rejection(open(flip(env, at), a.privateKey));
      expect(e.code).toBe('DECRYPT_FAILED');
      expect(e.details['part']).toBe('header');
    }
  });

  it('a changed byte in chunk 2 names chunk 2', async () => {
    const { a, env, header } = await fixture();
    const { asArray, asStream } = await bothWays(
      flip(env, header.length + 2 * FULL + 9),
      a.privateKey,
    );
    for (const e of [asArray, asStream]) {
      expect(e.code).toBe('DECRYPT_FAILED');
      expect(e.details).toMatchObject({ part: 'chunk', chunk: 2 });
    }
  });

  it('dropping the final chunk is reported as truncation after the new last chunk', async () => {
    const { a, env, header } = await fixture();
    const cut = env.subarray(0, header.length + 3 * FULL);
    const { asArray, asStream } = await bothWays(cut, a.privateKey);
    for (const e of [asArray, asStream]) {
      expect(e.details).toMatchObject({ part: 'chunk', chunk: 2 });
      expect(e.details['reason']).toMatch(/truncated/);
    }
  });

  it('reordered chunks fail at the first moved chunk', async () => {
    const { a, env, header } = await fixture();
    const swapped = env.slice();
    swapped.set(env.subarray(header.length + FULL, header.length + 2 * FULL), header.length);
    swapped.set(env.subarray(header.length, header.length + FULL), header.length + FULL);
    const e = await rejection(open(swapped, a.privateKey));
    expect(e.details).toMatchObject({ part: 'chunk', chunk: 0 });
  });

  it('data appended after the final chunk is detected', async () => {
    const [a] = await keys(1);
    // An exact multiple of the chunk size: the appended bytes form a chunk of their own.
    const env = await seal(payloadOf(2 * CHUNK), {
      recipients: [a!.publicKey],
      context,
      chunkSize: CHUNK,
    });
    const extended = new Uint8Array(env.length + 40);
    extended.set(env);
    const { asArray, asStream } = await bothWays(extended, a!.privateKey);
    for (const e of [asArray, asStream]) {
      expect(e.details).toMatchObject({ part: 'chunk', chunk: 1 });
      expect(e.details['reason']).toMatch(/appended/);
    }
  });

  it('an envelope cut inside its header or with no payload fails cleanly', async () => {
    const { a, env, header } = await fixture();
    const inHeader = await bothWays(env.subarray(0, header.length - 5), a.privateKey);
    expect(inHeader.asArray.details['part']).toBe('header');
    expect(inHeader.asStream.details['part']).toBe('header');
    const noPayload = await bothWays(env.subarray(0, header.length), a.privateKey);
    expect(noPayload.asArray.details).toMatchObject({ part: 'chunk', chunk: 0 });
    expect(noPayload.asStream.details).toMatchObject({ part: 'chunk', chunk: 0 });
  });

  it('error messages and details carry no key, salt or payload bytes', async () => {
    const { a, env, header, pt } = await fixture();
    const e = await rejection(open(flip(env, header.length + 5), a.privateKey));
    const text = `${e.message} ${JSON.stringify(e.details)}`;
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    for (const secret of [a.privateKey, header.salt, pt.subarray(0, 16)]) {
      expect(text).not.toContain(hex(secret).slice(0, 16));
    }
    expect(text).not.toContain(context.recordId);
  });
});

import { createCipheriv } from 'node:crypto';
import { concatBytes, equalBytes, toHex, utf8 } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { chunkNonce } from '../../src/envelope/chunks.js';
import { encodePreambleBody, encodeRecipients } from '../../src/envelope/format.js';
import { envelopeAnchorDigest, open } from '../../src/envelope/index.js';
import { deriveEnvelopeKeys, hmacSha256, preambleDigest } from '../../src/envelope/schedule.js';
import { wrapDataKey } from '../../src/envelope/wrap.js';
import { aeadCipher } from '../../src/hpke/aead.js';
import { HpkeAead } from '../../src/hpke/suite.js';
import { context, keys, rejection } from './helpers.js';

// GF(2^128) as GCM defines it (NIST SP 800-38D): bit 0 is the MSB of byte 0.
const R = 0xe1n << 120n;
const big = (b: Uint8Array) => BigInt(`0x${toHex(b) || '0'}`);
const bytes = (x: bigint) =>
  Uint8Array.from(x.toString(16).padStart(32, '0').match(/../g)!, (h) => Number.parseInt(h, 16));
function mul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}
function inv(x: bigint): bigint {
  // x^(2^128 - 2): the multiplicative inverse in a field of 2^128 elements.
  let result = 1n << 127n; // the field's 1
  let base = x;
  for (let e = (1n << 128n) - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = mul(result, base);
    base = mul(base, base);
  }
  return result;
}
function aesBlock(key: Uint8Array, block: Uint8Array): bigint {
  const c = createCipheriv('aes-256-ecb', key, null);
  c.setAutoPadding(false);
  return big(new Uint8Array(c.update(block)));
}
function ghash(h: bigint, blocks: bigint[]): bigint {
  let y = 0n;
  for (const b of blocks) y = mul(y ^ b, h);
  return y;
}

/**
 * A 32-byte AES-256-GCM ciphertext and tag that verify under BOTH keys (the
 * "invisible salamanders" construction): the second ciphertext block is solved for.
 */
function twoKeyCiphertext(k1: Uint8Array, k2: Uint8Array, nonce: Uint8Array, aad: Uint8Array) {
  const c1 = big(utf8('sixteen byte blk'));
  const aadBlocks = [big(aad.subarray(0, 16)), big(aad.subarray(16, 32))];
  const lengths = (256n << 64n) | 256n; // 256 bits of AAD, 256 bits of ciphertext
  const j0 = concatBytes(nonce, new Uint8Array([0, 0, 0, 1]));
  const parts = [k1, k2].map((k) => {
    const h = aesBlock(k, new Uint8Array(16));
    const base = ghash(h, [...aadBlocks, c1, 0n, lengths]) ^ aesBlock(k, j0);
    return { base, h2: mul(h, h) }; // the free block enters GHASH times H^2
  });
  const [p, q] = parts as [(typeof parts)[0], (typeof parts)[0]];
  const x = mul(p.base ^ q.base, inv(p.h2 ^ q.h2));
  const tag = p.base ^ mul(x, p.h2);
  return concatBytes(bytes(c1).subarray(0, 16), bytes(x), bytes(tag));
}

describe('key commitment stops one ciphertext from opening to two plaintexts', () => {
  it('the GF(2^128) helpers invert correctly', () => {
    const a = big(utf8('any field elemnt'));
    expect(mul(a, inv(a))).toBe(1n << 127n);
  });

  it('a chunk that AES-GCM accepts under two data keys is refused for the second key', async () => {
    const [alice, bob] = await keys(2);
    const salt = new Uint8Array(32).fill(9);
    const d1 = new Uint8Array(32).fill(1);
    const d2 = new Uint8Array(32).fill(2);
    const k1 = await deriveEnvelopeKeys(d1, salt);
    const k2 = await deriveEnvelopeKeys(d2, salt);
    const body = encodePreambleBody(HpkeAead.AES_256_GCM, 12, salt, context);
    const preamble = concatBytes(body, hmacSha256(k1.commitKey, body));
    const aad = preambleDigest(preamble);
    const nonce = chunkNonce(0, true);
    const chunk = twoKeyCiphertext(k1.payloadKey, k2.payloadKey, nonce, aad);

    // The raw AEAD really is fooled: the same bytes verify under both payload keys.
    const p1 = await aeadCipher(HpkeAead.AES_256_GCM, k1.payloadKey).open(nonce, aad, chunk);
    const p2 = await aeadCipher(HpkeAead.AES_256_GCM, k2.payloadKey).open(nonce, aad, chunk);
    expect(p1).toBeDefined();
    expect(p2).toBeDefined();
    expect(equalBytes(p1!, p2!)).toBe(false);

    // Two envelopes with the same preamble and chunk (so the same anchor digest),
    // each with a consistent wrap and header MAC for its own data key.
    const build = async (pk: Uint8Array, dataKey: Uint8Array, macKey: Uint8Array) => {
      const unmacked = concatBytes(
        preamble,
        encodeRecipients([await wrapDataKey(pk, dataKey, HpkeAead.AES_256_GCM)]),
      );
      return concatBytes(unmacked, hmacSha256(macKey, unmacked), chunk);
    };
    const forAlice = await build(alice!.publicKey, d1, k1.macKey);
    const forBob = await build(bob!.publicKey, d2, k2.macKey);
    expect(toHex(await envelopeAnchorDigest(forBob))).toBe(
      toHex(await envelopeAnchorDigest(forAlice)),
    );

    // Alice reads p1; Bob is stopped at the commitment instead of reading p2.
    expect(toHex((await open(forAlice, alice!.privateKey)).payload)).toBe(toHex(p1!));
    const e = await rejection(open(forBob, bob!.privateKey));
    expect(e.code).toBe('DECRYPT_FAILED');
    expect(e.details['part']).toBe('header');
    expect(e.details['reason']).toMatch(/commitment/);
  });
});

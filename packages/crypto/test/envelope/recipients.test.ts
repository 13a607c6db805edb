import { concatBytes, equalBytes, toHex, utf8 } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { encodeRecipients, parseHeader } from '../../src/envelope/format.js';
import {
  addRecipient,
  envelopeAnchorDigest,
  type KeyProvider,
  listRecipients,
  memoryKeyProvider,
  open,
  recipientKeyId,
  removeRecipient,
  seal,
  shredEnvelope,
  splitEnvelope,
} from '../../src/envelope/index.js';
import { deriveEnvelopeKeys, hmacSha256 } from '../../src/envelope/schedule.js';
import { wrapDataKey } from '../../src/envelope/wrap.js';
import { hpkeSetupRecipient } from '../../src/hpke/context.js';
import { HpkeAead } from '../../src/hpke/suite.js';
import { collectBytes, context, keys, payloadOf, rejection, streamIn } from './helpers.js';

function body(env: Uint8Array): Uint8Array {
  const p = parseHeader(env);
  if (!p.ok) throw new Error('no header');
  return env.subarray(p.header.length);
}

describe('recipients', () => {
  it('lists recipients by the fingerprint of their public key', async () => {
    const [a, b] = await keys(2);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey, b!.publicKey], context });
    expect(listRecipients(env).map((r) => r.keyId)).toEqual([
      recipientKeyId(a!.publicKey),
      recipientKeyId(b!.publicKey),
    ]);
    expect(listRecipients(env)[0]).toMatchObject({ kem: 0x20, kdf: 1, aead: HpkeAead.AES_256_GCM });
    expect(recipientKeyId(a!.publicKey)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a recipient adds another without touching the payload bytes', async () => {
    const [a, b] = await keys(2);
    const pt = payloadOf(70_000);
    const env = await seal(pt, { recipients: [a!.publicKey], context });
    expect((await rejection(open(env, b!.privateKey))).code).toBe('NOT_A_RECIPIENT');
    const shared = await addRecipient(env, b!.publicKey, a!.privateKey, {
      wrapAead: 'ChaCha20-Poly1305',
    });
    expect(equalBytes(body(shared), body(env))).toBe(true);
    expect(listRecipients(shared).map((r) => r.keyId)).toContain(recipientKeyId(b!.publicKey));
    expect(listRecipients(shared)[1]!.aead).toBe(HpkeAead.CHACHA20_POLY1305);
    expect(equalBytes((await open(shared, b!.privateKey)).payload, pt)).toBe(true);
    expect(equalBytes((await open(shared, a!.privateKey)).payload, pt)).toBe(true);
  });

  it('adding needs a key that opens the envelope, and refuses a duplicate', async () => {
    const [a, b, c] = await keys(3);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey], context });
    expect((await rejection(addRecipient(env, c!.publicKey, b!.privateKey))).code).toBe(
      'NOT_A_RECIPIENT',
    );
    expect((await rejection(addRecipient(env, a!.publicKey, a!.privateKey))).code).toBe(
      'RECIPIENT_EXISTS',
    );
  });

  it('removing a recipient locks it out, keeps the others and the payload bytes', async () => {
    const [a, b, c] = await keys(3);
    const env = await seal(utf8('note'), {
      recipients: [a!.publicKey, b!.publicKey, c!.publicKey],
      context,
    });
    const narrowed = await removeRecipient(env, recipientKeyId(b!.publicKey), a!.privateKey);
    expect(equalBytes(body(narrowed), body(env))).toBe(true);
    expect(listRecipients(narrowed)).toHaveLength(2);
    expect((await rejection(open(narrowed, b!.privateKey))).code).toBe('NOT_A_RECIPIENT');
    expect((await open(narrowed, c!.privateKey)).payload).toEqual(utf8('note'));
    const byKey = await removeRecipient(narrowed, c!.publicKey, a!.privateKey);
    expect(listRecipients(byKey).map((r) => r.keyId)).toEqual([recipientKeyId(a!.publicKey)]);
    expect((await rejection(removeRecipient(byKey, a!.publicKey, a!.privateKey))).code).toBe(
      'LAST_RECIPIENT',
    );
    expect((await rejection(removeRecipient(byKey, b!.publicKey, a!.privateKey))).code).toBe(
      'RECIPIENT_NOT_FOUND',
    );
  });

  it('add and remove work on streams, passing the payload through', async () => {
    const [a, b] = await keys(2);
    const pt = payloadOf(200_000);
    const env = await seal(pt, { recipients: [a!.publicKey], context });
    const added = await collectBytes(
      await addRecipient(streamIn(env, 7000), b!.publicKey, a!.privateKey),
    );
    expect(equalBytes((await open(added, b!.privateKey)).payload, pt)).toBe(true);
    const removed = await collectBytes(
      await removeRecipient(streamIn(added, 9000), a!.publicKey, b!.privateKey),
    );
    expect((await rejection(open(removed, a!.privateKey))).code).toBe('NOT_A_RECIPIENT');
    const { header, body: rest } = await splitEnvelope(streamIn(removed, 1234));
    expect(header.recipients).toHaveLength(1);
    expect(equalBytes(await collectBytes(rest), body(env))).toBe(true);
  });
});

describe('crypto-shredding', () => {
  it('a shredded envelope opens for nobody, and its anchor digest is unchanged', async () => {
    const [a, b] = await keys(2);
    const env = await seal(payloadOf(100_000), {
      recipients: [a!.publicKey, b!.publicKey],
      context,
    });
    const digest = toHex(await envelopeAnchorDigest(env));
    const shredded = await shredEnvelope(env);
    expect(listRecipients(shredded)).toEqual([]);
    for (const k of [a!, b!]) {
      expect((await rejection(open(shredded, k.privateKey))).code).toBe('ENVELOPE_SHREDDED');
    }
    expect(toHex(await envelopeAnchorDigest(shredded))).toBe(digest);
    expect(toHex(await envelopeAnchorDigest(streamIn(shredded, 4096)))).toBe(digest);
    const streamed = await collectBytes(await shredEnvelope(streamIn(env, 3333)));
    expect(toHex(streamed)).toBe(toHex(shredded));
  });

  it('recipient changes keep the anchor digest; a payload change does not', async () => {
    const [a, b] = await keys(2);
    const env = await seal(utf8('lab result'), { recipients: [a!.publicKey], context });
    const digest = toHex(await envelopeAnchorDigest(env));
    const added = await addRecipient(env, b!.publicKey, a!.privateKey);
    expect(toHex(await envelopeAnchorDigest(added))).toBe(digest);
    const altered = env.slice();
    altered[altered.length - 1]! ^= 1;
    expect(toHex(await envelopeAnchorDigest(altered))).not.toBe(digest);
  });

  it('dropping the recipient count to zero without the shred marker is tampering, not shredding', async () => {
    const [a] = await keys(1);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey], context });
    const p = parseHeader(env);
    if (!p.ok) throw new Error('no header');
    const forged = concatBytes(
      p.header.preamble,
      encodeRecipients([]),
      new Uint8Array(32).fill(1),
      body(env),
    );
    const e = await rejection(open(forged, a!.privateKey));
    expect(e.code).toBe('DECRYPT_FAILED');
    expect(e.details['part']).toBe('header');
  });
});

describe('key commitment', () => {
  it('a wrap carrying a different data key is rejected even with a header MAC valid for that key', async () => {
    // The attacker knows a second data key and builds a fully consistent header for it
    // (its own wrap, a correct MAC). Without the key commitment, the payload would be
    // decrypted under that key; with it, opening stops at the header.
    const [victim] = await keys(1);
    const env = await seal(utf8('real record'), { recipients: [victim!.publicKey], context });
    const p = parseHeader(env);
    if (!p.ok) throw new Error('no header');
    const otherKey = new Uint8Array(32).fill(0x42);
    const forgedStanza = await wrapDataKey(victim!.publicKey, otherKey, HpkeAead.AES_256_GCM);
    const unmacked = concatBytes(p.header.preamble, encodeRecipients([forgedStanza]));
    const { macKey } = await deriveEnvelopeKeys(otherKey, p.header.salt);
    const forged = concatBytes(unmacked, hmacSha256(macKey, unmacked), body(env));
    const e = await rejection(open(forged, victim!.privateKey));
    expect(e.code).toBe('DECRYPT_FAILED');
    expect(e.details).toMatchObject({ part: 'header' });
    expect(e.details['reason']).toMatch(/commitment/);
  });

  it('the commitment differs for every data key over the same preamble', async () => {
    const salt = new Uint8Array(32);
    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const { commitKey } = await deriveEnvelopeKeys(new Uint8Array(32).fill(i), salt);
      seen.add(toHex(hmacSha256(commitKey, utf8('same preamble'))));
    }
    expect(seen.size).toBe(16);
  });
});

describe('KeyProvider', () => {
  it('a provider that never reveals its private key opens, adds and removes recipients', async () => {
    const [held, other] = await keys(2);
    const calls: number[] = [];
    // Stands in for a KMS: the private key is captured here and never handed out;
    // the envelope code only sees the unwrap callback.
    const kms: KeyProvider = {
      publicKey: held!.publicKey,
      async unwrap(wrap) {
        calls.push(wrap.ciphertext.length);
        const ctx = await hpkeSetupRecipient({
          suite: wrap.suite,
          enc: wrap.enc,
          recipientPrivateKey: held!.privateKey,
          info: wrap.info,
        });
        return ctx.open(wrap.aad, wrap.ciphertext).catch(() => undefined);
      },
    };
    const env = await seal(utf8('imaging report'), { recipients: [held!.publicKey], context });
    expect((await open(env, kms)).payload).toEqual(utf8('imaging report'));
    const shared = await addRecipient(env, other!.publicKey, kms);
    expect((await open(shared, other!.privateKey)).payload).toEqual(utf8('imaging report'));
    expect(calls).toEqual([48, 48]); // one 32-byte key plus a 16-byte tag per unwrap
  });

  it('memoryKeyProvider derives the public key and opens like the raw key', async () => {
    const [a] = await keys(1);
    const provider = await memoryKeyProvider(a!.privateKey);
    expect(toHex(provider.publicKey)).toBe(toHex(a!.publicKey));
    const env = await seal(utf8('y'), { recipients: [a!.publicKey], context });
    expect((await open(env, provider)).payload).toEqual(utf8('y'));
  });
});

import { equalBytes, isMedanchorError, toHex } from '@medanchor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/envelope/format.js';
import { addRecipient, open, seal } from '../../src/envelope/index.js';
import { sealWith } from '../../src/envelope/seal.js';
import { SMALL_AEAD_MESSAGE } from '../../src/hpke/aead.js';
import { type CryptoBackend, setCryptoBackend } from '../../src/hpke/backend.js';
import { hideNodeCrypto } from '../../src/hpke/node-crypto.js';
import { context, keys, payloadOf } from './helpers.js';

// In Node 'auto' runs everything on node:crypto. Without it (browsers, emulated here
// by hiding node:crypto) 'auto' picks per operation (X25519 ephemerals made by Web
// Crypto, public keys from @noble's fixed-base tables, small AES-GCM messages on
// @noble and larger ones on Web Crypto). These tests check that no choice changes a
// byte and that every backend opens what every other one sealed.

type Mode = CryptoBackend | 'auto (browser)';
const BACKENDS: Mode[] = ['auto', 'auto (browser)', 'node', 'webcrypto', 'noble'];
const CHUNK = 4096;

function setCryptoMode(mode: Mode): void {
  hideNodeCrypto(mode === 'auto (browser)');
  setCryptoBackend(mode === 'auto (browser)' ? 'auto' : mode);
}

describe('backend mix', () => {
  afterAll(() => setCryptoMode('auto'));

  it('every backend seals identical bytes from identical randomness, across the small-message AEAD boundary', async () => {
    const [a, b] = await keys(2);
    const rnd = {
      dataKey: new Uint8Array(32).fill(5),
      salt: new Uint8Array(32).fill(6),
      ephemeralIkm: (i: number) => new Uint8Array(32).fill(20 + i),
    };
    for (const len of [0, 100, SMALL_AEAD_MESSAGE, SMALL_AEAD_MESSAGE + 1, 2 * CHUNK + 7]) {
      const pt = payloadOf(len);
      const out = new Set<string>();
      for (const backend of BACKENDS) {
        setCryptoMode(backend);
        const env = (await sealWith(
          pt,
          { recipients: [a!.publicKey, b!.publicKey], context, chunkSize: CHUNK },
          rnd,
        )) as Uint8Array;
        out.add(toHex(env));
      }
      expect(out.size, `payload of ${len} bytes`).toBe(1);
    }
  });

  for (const sealer of BACKENDS) {
    it(`an envelope sealed with fresh randomness under ${sealer} opens under every backend`, async () => {
      const [a, b] = await keys(2);
      for (const len of [SMALL_AEAD_MESSAGE - 1, SMALL_AEAD_MESSAGE + 1, 5000]) {
        setCryptoMode(sealer);
        const pt = payloadOf(len);
        const env = await seal(pt, {
          recipients: [a!.publicKey, b!.publicKey],
          context,
          chunkSize: CHUNK,
        });
        for (const opener of BACKENDS) {
          setCryptoMode(opener);
          for (const r of [a!, b!]) {
            const { payload } = await open(env, r.privateKey);
            expect(equalBytes(payload, pt), `${sealer} -> ${opener}, ${len} bytes`).toBe(true);
          }
        }
      }
    });
  }

  it('every seal draws a fresh ephemeral key per recipient, also to a recipient seen before', async () => {
    setCryptoBackend('auto');
    const [a] = await keys(1);
    const encs = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const env = await seal(payloadOf(10), { recipients: [a!.publicKey], context });
      const parsed = parseHeader(env);
      if (!parsed.ok) throw new Error('sealed header does not parse');
      encs.add(toHex(parsed.header.recipients[0]!.enc));
    }
    expect(encs.size).toBe(8);
  });

  it('a private key array changed in place is not opened with the key it held before', async () => {
    setCryptoBackend('auto');
    const [a, b] = await keys(2);
    const envA = await seal(payloadOf(64), { recipients: [a!.publicKey], context });
    const envB = await seal(payloadOf(65), { recipients: [b!.publicKey], context });
    const key = a!.privateKey.slice();
    expect((await open(envA, key)).payload.length).toBe(64);
    key.set(b!.privateKey);
    expect((await open(envB, key)).payload.length).toBe(65);
    await expect(open(envA, key)).rejects.toSatisfy((e) => isMedanchorError(e, 'NOT_A_RECIPIENT'));
  });

  it('addRecipient under auto gives an envelope the new key opens on the noble backend', async () => {
    const [a, b] = await keys(2);
    setCryptoBackend('auto');
    const pt = payloadOf(300);
    const shared = await addRecipient(
      await seal(pt, { recipients: [a!.publicKey], context }),
      b!.publicKey,
      a!.privateKey,
    );
    setCryptoBackend('noble');
    expect(equalBytes((await open(shared, b!.privateKey)).payload, pt)).toBe(true);
  });
});

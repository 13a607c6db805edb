import { fromHex, isMedanchorError, toHex, utf8 } from '@medanchor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { setCryptoBackend, useNativeX25519 } from '../../src/hpke/backend.js';
import { hpkeSetupRecipient, hpkeSetupSender, setupSenderWithIkm } from '../../src/hpke/context.js';
import { generateX25519KeyPair, x25519Dh } from '../../src/hpke/kem.js';
import { HpkeAead, HpkeKdf, HpkeKem } from '../../src/hpke/suite.js';

// RFC 9180 A.2.1 (base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305),
// embedded so a clone without the shared vectors still checks the construction.
const A21 = {
  info: '4f6465206f6e2061204772656369616e2055726e',
  ikmE: '909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b',
  skRm: '8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb',
  pkRm: '4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a',
  enc: '1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a',
  pt: '4265617574792069732074727574682c20747275746820626561757479',
  aad: '436f756e742d30',
  ct: '1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28',
  export32: '4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e',
};
const suite = {
  kem: HpkeKem.X25519_HKDF_SHA256,
  kdf: HpkeKdf.HKDF_SHA256,
  aead: HpkeAead.CHACHA20_POLY1305,
};

describe('HPKE', () => {
  afterAll(() => setCryptoBackend('auto'));

  for (const backend of ['webcrypto', 'noble'] as const) {
    it(`${backend}: reproduces RFC 9180 A.2.1 (embedded)`, async () => {
      setCryptoBackend(backend);
      const { enc, context } = await setupSenderWithIkm(
        { suite, recipientPublicKey: fromHex(A21.pkRm), info: fromHex(A21.info) },
        fromHex(A21.ikmE),
      );
      expect(toHex(enc)).toBe(A21.enc);
      expect(toHex(await context.seal(fromHex(A21.aad), fromHex(A21.pt)))).toBe(A21.ct);
      expect(toHex(await context.export(new Uint8Array(0), 32))).toBe(A21.export32);
    });
  }

  it('webcrypto backend really runs X25519 natively on this platform; noble does not', async () => {
    setCryptoBackend('webcrypto');
    expect(await useNativeX25519()).toBe(true);
    setCryptoBackend('noble');
    expect(await useNativeX25519()).toBe(false);
  });

  it('both backends agree on random DH outputs', async () => {
    for (let i = 0; i < 8; i++) {
      setCryptoBackend('noble');
      const a = await generateX25519KeyPair();
      const b = await generateX25519KeyPair();
      const viaNoble = await x25519Dh(a.privateKey, b.publicKey);
      setCryptoBackend('webcrypto');
      expect(toHex(await x25519Dh(a.privateKey, b.publicKey))).toBe(toHex(viaNoble));
      expect(toHex(await x25519Dh(b.privateKey, a.publicKey))).toBe(toHex(viaNoble));
    }
  });

  for (const backend of ['webcrypto', 'noble'] as const) {
    it(`${backend}: rejects a low-order public key with HPKE_DH_FAILED`, async () => {
      setCryptoBackend(backend);
      const a = await generateX25519KeyPair();
      const zeroPoint = new Uint8Array(32);
      await expect(x25519Dh(a.privateKey, zeroPoint)).rejects.toSatisfy((e) =>
        isMedanchorError(e, 'HPKE_DH_FAILED'),
      );
    });
  }

  it('a sender and recipient round-trip with AES-256-GCM; a wrong info fails to open', async () => {
    setCryptoBackend('auto');
    const r = await generateX25519KeyPair();
    const s256 = { ...suite, aead: HpkeAead.AES_256_GCM };
    const info = utf8('medanchor test');
    const { enc, context } = await hpkeSetupSender({
      suite: s256,
      recipientPublicKey: r.publicKey,
      info,
    });
    const ct = await context.seal(utf8('aad'), utf8('hello'));
    const rc = await hpkeSetupRecipient({
      suite: s256,
      enc,
      recipientPrivateKey: r.privateKey,
      info,
    });
    expect(new TextDecoder().decode(await rc.open(utf8('aad'), ct))).toBe('hello');
    const wrong = await hpkeSetupRecipient({
      suite: s256,
      enc,
      recipientPrivateKey: r.privateKey,
      info: utf8('other'),
    });
    await expect(wrong.open(utf8('aad'), ct)).rejects.toSatisfy((e) =>
      isMedanchorError(e, 'HPKE_OPEN_FAILED'),
    );
  });

  it('rejects unsupported suites with HPKE_UNSUPPORTED_SUITE', async () => {
    const r = await generateX25519KeyPair();
    await expect(
      hpkeSetupSender({ suite: { ...suite, kem: 0x10 }, recipientPublicKey: r.publicKey }),
    ).rejects.toSatisfy((e) => isMedanchorError(e, 'HPKE_UNSUPPORTED_SUITE'));
  });
});

import { fromHex, toHex } from '@medanchor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readVectorJson, vectorPath } from '../../../../test/helpers/vectors.js';
import { setCryptoBackend } from '../../src/hpke/backend.js';
import { hpkeSetupRecipient, setupSenderWithIkm } from '../../src/hpke/context.js';
import { deriveX25519KeyPair } from '../../src/hpke/kem.js';
import { HpkeAead, HpkeKdf, HpkeKem } from '../../src/hpke/suite.js';

interface Vector {
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmE: string;
  ikmR: string;
  skRm: string;
  pkRm: string;
  skEm: string;
  pkEm: string;
  enc: string;
  psk?: string;
  psk_id?: string;
  skSm?: string;
  pkSm?: string;
  encryptions: { seq: number; pt: string; aad: string; ct: string; nonce: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

const file = vectorPath('hpke/rfc9180-vectors.json');
const all = file === undefined ? [] : readVectorJson<Vector[]>(file);
const supported = all.filter(
  (v) =>
    v.kem_id === HpkeKem.X25519_HKDF_SHA256 &&
    v.kdf_id === HpkeKdf.HKDF_SHA256 &&
    (Object.values(HpkeAead) as number[]).includes(v.aead_id),
);

async function check(v: Vector): Promise<void> {
  const suite = { kem: v.kem_id, kdf: v.kdf_id, aead: v.aead_id };
  const skR = await deriveX25519KeyPair(fromHex(v.ikmR));
  expect(toHex(skR.privateKey)).toBe(v.skRm);
  expect(toHex(skR.publicKey)).toBe(v.pkRm);
  const psk = v.psk === undefined ? {} : { psk: fromHex(v.psk), pskId: fromHex(v.psk_id ?? '') };
  const { enc, context: s } = await setupSenderWithIkm(
    {
      suite,
      recipientPublicKey: fromHex(v.pkRm),
      info: fromHex(v.info),
      ...psk,
      ...(v.skSm === undefined ? {} : { senderPrivateKey: fromHex(v.skSm) }),
    },
    fromHex(v.ikmE),
  );
  expect(toHex(enc)).toBe(v.enc);
  const r = await hpkeSetupRecipient({
    suite,
    enc,
    recipientPrivateKey: fromHex(v.skRm),
    info: fromHex(v.info),
    ...psk,
    ...(v.pkSm === undefined ? {} : { senderPublicKey: fromHex(v.pkSm) }),
  });
  // The vectors skip sequence numbers (0, 1, 2, 4, 255, 256): dummy messages sealed
  // and opened in step advance both contexts to the next listed one.
  let seq = 0;
  for (const e of v.encryptions) {
    for (; seq < e.seq; seq++)
      await r.open(new Uint8Array(0), await s.seal(new Uint8Array(0), new Uint8Array(0)));
    seq++;
    const ct = await s.seal(fromHex(e.aad), fromHex(e.pt));
    expect(toHex(ct)).toBe(e.ct);
    expect(toHex(await r.open(fromHex(e.aad), ct))).toBe(e.pt);
  }
  for (const x of v.exports) {
    expect(toHex(await s.export(fromHex(x.exporter_context), x.L))).toBe(x.exported_value);
    expect(toHex(await r.export(fromHex(x.exporter_context), x.L))).toBe(x.exported_value);
  }
}

describe('RFC 9180 Appendix A vectors (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256)', () => {
  afterAll(() => setCryptoBackend('auto'));

  it.skipIf(file === undefined)(
    'the file holds the 12 X25519/SHA-256 vector sets we support',
    () => {
      expect(supported.length).toBe(12);
      expect(new Set(supported.map((v) => v.mode))).toEqual(new Set([0, 1, 2, 3]));
    },
  );

  // 'node' is node:crypto where this Node offers it (see node-backend.test.ts).
  for (const backend of ['node', 'webcrypto', 'noble'] as const) {
    for (const v of supported) {
      it.skipIf(file === undefined)(
        `${backend}: mode ${v.mode}, aead 0x${v.aead_id.toString(16)} matches every encryption and export`,
        async () => {
          setCryptoBackend(backend);
          await check(v);
        },
      );
    }
  }
});

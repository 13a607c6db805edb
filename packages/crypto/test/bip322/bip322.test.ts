import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSegwitAddress,
  encodeSegwitAddress,
  p2trAddress,
  p2wpkhAddress,
} from '../../src/bip322/address.js';
import { bip322ToSign, bip322ToSpend, verifyBip322 } from '../../src/bip322/bip322.js';
import { ecdsaSignatureOfKey, signBip322 } from '../../src/bip322/sign.js';
import { parseWitness, serializeTx, txidDisplayHex } from '../../src/bip322/tx.js';

// Inline copies of a few BIP-322 vectors, so a fresh clone checks something.
const ADDR = 'bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l';
const HELLO_SIG =
  'smpAkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=';
const P2TR_ADDR = 'bc1pss0zhytly75awhm6x2hhvd5lnzv3vssgrf9axfheq8ldyzn88ges79fler';
const P2TR_SIG =
  'AUCJYOwOjxYAvatTAGYaVlNXBVyFuc4MwNQkOuK2tl8xhfKDONd0NjfYyNSYcRqeCp8hsAnCEPHAVEkO9h6vbQ/R';
// BIP-322's P2WSH 3-of-3 multisig vector.
const P2WSH_MSG = 'This will be a p2wsh 3-of-3 multisig BIP 322 signed message';
const P2WSH_ADDR = 'bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9';
const P2WSH_SIG =
  'smpBQBHMEQCIFX9aaqPJWq2Ff2kpen5bFDTid+ehgUOpHV0LfjncXy4AiA3GNicF7aKPzdpa9PCpmaYQs3pHd+qbvvhXdxOCKCAMAFIMEUCIQD/ELXg6CNYyUQijCg96JtgvgjZb9dsl1Ctof4QAeyTcQIgVM/1AAblFl/DCt6A1gJg+T/i2qU5SQD09+chFJzolRwBSDBFAiEAlqRfSFyWNVQhvaCnmeV5tyneiCWMTcFbuujoD/pFa3wCIGnZjfQb8NolSYq9asV+ZeBSkCGHJcqnaV4JYS5MYPEGAWlTIQJ1aLEfEi/4p7wcV+XHZCBVvGGJZ7L3v+jhH+mZA8lN0yECCovfec+kIdllXpKCgA8RX/HZ2x5yHOtCSKP8/sf6pnwhAwxSng6kCgCXXSAmJOOZFdr3vdK3HzGqCFloOHgc5fM6U64=';

describe('BIP-322 inline vectors', () => {
  it('to_spend and to_sign txids of "Hello World"', () => {
    const toSpend = bip322ToSpend('Hello World', ADDR);
    expect(txidDisplayHex(toSpend)).toBe(
      'b79d196740ad5217771c1098fc4a4b51e0535c32236c71f1ea4d61a2d603352b',
    );
    expect(txidDisplayHex(bip322ToSign(toSpend))).toBe(
      '88737ae86f2077145f93cc4b153ae9a1cb8d56afa511988c149c5c8c9d93bddf',
    );
  });
  it('verifies the P2WPKH "Hello World" signature and rejects it for another message', () => {
    expect(verifyBip322('Hello World', ADDR, HELLO_SIG)).toEqual({
      valid: true,
      variant: 'simple',
      addressType: 'p2wpkh',
    });
    expect(verifyBip322('Hello World!', ADDR, HELLO_SIG)).toMatchObject({
      valid: false,
      step: 'witness',
    });
  });
  it('verifies the P2WSH 3-of-3 multisig signature, and refuses it for another message', () => {
    expect(verifyBip322(P2WSH_MSG, P2WSH_ADDR, P2WSH_SIG)).toEqual({
      valid: true,
      variant: 'simple',
      addressType: 'p2wsh',
    });
    expect(verifyBip322(`${P2WSH_MSG}.`, P2WSH_ADDR, P2WSH_SIG)).toMatchObject({
      valid: false,
      code: 'BAD_SIGNATURE',
    });
  });
  it('verifies the unprefixed P2TR signature', () => {
    expect(verifyBip322('No prefix fallback', P2TR_ADDR, P2TR_SIG)).toEqual({
      valid: true,
      variant: 'simple',
      addressType: 'p2tr',
    });
    expect(verifyBip322('No prefix fallback.', P2TR_ADDR, P2TR_SIG)).toMatchObject({
      valid: false,
    });
  });
});

describe('addresses (BIP-173 / BIP-350)', () => {
  it('decodes and re-encodes v0 and v1 addresses', () => {
    for (const a of [ADDR, P2TR_ADDR, 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx']) {
      expect(encodeSegwitAddress(decodeSegwitAddress(a))).toBe(a);
    }
  });
  it('rejects a v1 program with a bech32 (not bech32m) checksum and a v0 with bech32m', () => {
    // BIP-350 invalid vectors.
    expect(() =>
      decodeSegwitAddress('bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd'),
    ).toThrow(/bech32m/);
    expect(() => decodeSegwitAddress('BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P')).toThrow();
    expect(() => decodeSegwitAddress('bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du')).toThrow();
  });
  it('derives the BIP-86 address of the first BIP-86 test key', () => {
    // BIP-86 test vector: m/86'/0'/0'/0/0 internal key and address.
    const internal = 'cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115';
    expect(p2trAddress(Uint8Array.from(Buffer.from(internal, 'hex')))).toBe(
      'bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr',
    );
  });
});

const key = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((k) => secp256k1.utils.isValidSecretKey(k));

describe('sign and verify round trips', () => {
  it('P2WPKH and P2TR on several networks, any message', () => {
    fc.assert(
      fc.property(key, fc.string(), fc.constantFrom('bc', 'tb', 'bcrt'), (sk, msg, hrp) => {
        const wpkh = p2wpkhAddress(secp256k1.getPublicKey(sk, true), hrp);
        const tr = p2trAddress(schnorr.getPublicKey(sk), hrp);
        expect(verifyBip322(msg, wpkh, signBip322(msg, wpkh, sk)).valid).toBe(true);
        expect(verifyBip322(msg, tr, signBip322(msg, tr, sk)).valid).toBe(true);
        expect(verifyBip322(`${msg}x`, tr, signBip322(msg, tr, sk)).valid).toBe(false);
      }),
      { numRuns: 15 },
    );
  });
  it('refuses to sign for an address of another key', () => {
    const a = secp256k1.utils.randomSecretKey();
    const b = secp256k1.utils.randomSecretKey();
    expect(() => signBip322('m', p2wpkhAddress(secp256k1.getPublicKey(a)), b)).toThrow(
      expect.objectContaining({ code: 'SIGNER_MISMATCH' }),
    );
    expect(() => signBip322('m', p2trAddress(schnorr.getPublicKey(a)), b)).toThrow(
      expect.objectContaining({ code: 'SIGNER_MISMATCH' }),
    );
  });
  it('the full variant (ful prefix, whole to_sign transaction) verifies too', () => {
    const sk = secp256k1.utils.randomSecretKey();
    const addr = p2wpkhAddress(secp256k1.getPublicKey(sk));
    const simple = signBip322('full', addr, sk);
    const stack = parseWitness(base64.decode(simple.slice(3)));
    const full = `ful${base64.encode(serializeTx(bip322ToSign(bip322ToSpend('full', addr), stack)))}`;
    expect(verifyBip322('full', addr, full)).toEqual({
      valid: true,
      variant: 'full',
      addressType: 'p2wpkh',
    });
    expect(verifyBip322('other', addr, full)).toMatchObject({
      valid: false,
      step: 'witness',
      code: 'BAD_SIGNATURE',
    });
  });
  it('never throws on garbage signatures or addresses', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (sig, addr) => {
        expect(verifyBip322('m', addr, sig).valid).toBe(false);
        expect(verifyBip322('m', ADDR, sig).valid).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
  it('detects every single-bit flip of a P2WPKH signature', () => {
    const raw = base64.decode(HELLO_SIG.slice(3));
    for (let bit = 0; bit < raw.length * 8; bit++) {
      const flipped = raw.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(
        verifyBip322('Hello World', ADDR, `smp${base64.encode(flipped)}`).valid,
        `bit ${bit}`,
      ).toBe(false);
    }
  });
});

describe("the signer's own ECDSA check (P2PKH, P2WPKH, P2SH-P2WPKH)", () => {
  const withType = (der: Uint8Array, type = 0x01) => Uint8Array.of(...der, type);
  const nobleVerdict = (sig: Uint8Array, digest: Uint8Array, pub: Uint8Array) => {
    if (sig[sig.length - 1] !== 0x01) return false;
    try {
      return secp256k1.verify(sig.subarray(0, -1), digest, pub, { prehash: false, format: 'der' });
    } catch {
      return false;
    }
  };
  it('accepts what noble signs and agrees with noble verify on a signature with one bit flipped', () => {
    fc.assert(
      fc.property(
        key,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(),
        (sk, digest, at) => {
          const pub = secp256k1.getPublicKey(sk, true);
          const sig = withType(secp256k1.sign(digest, sk, { prehash: false, format: 'der' }));
          expect(ecdsaSignatureOfKey(sig, digest, sk)).toBe(true);
          const bit = at % (sig.length * 8);
          const flipped = sig.slice();
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          expect(ecdsaSignatureOfKey(flipped, digest, sk), `bit ${bit}`).toBe(
            nobleVerdict(flipped, digest, pub),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
  it('refuses another digest, another key, a high S, another sighash type and non-DER bytes', () => {
    const sk = new Uint8Array(32).fill(0x11);
    const digest = new Uint8Array(32).fill(7);
    const der = secp256k1.sign(digest, sk, { prehash: false, format: 'der' });
    expect(ecdsaSignatureOfKey(withType(der), digest, sk)).toBe(true);
    expect(ecdsaSignatureOfKey(withType(der), new Uint8Array(32).fill(8), sk)).toBe(false);
    expect(ecdsaSignatureOfKey(withType(der), digest, new Uint8Array(32).fill(0x12))).toBe(false);
    const { r, s } = secp256k1.Signature.fromBytes(der, 'der');
    const high = new secp256k1.Signature(r, secp256k1.Point.Fn.neg(s)).toBytes('der');
    // The high-S twin is a valid ECDSA signature, refused by the standard-policy rule only.
    expect(
      secp256k1.verify(high, digest, secp256k1.getPublicKey(sk), {
        prehash: false,
        lowS: false,
        format: 'der',
      }),
    ).toBe(true);
    expect(ecdsaSignatureOfKey(withType(high), digest, sk)).toBe(false);
    expect(ecdsaSignatureOfKey(withType(der, 0x02), digest, sk)).toBe(false);
    expect(
      ecdsaSignatureOfKey(withType(secp256k1.sign(digest, sk, { prehash: false })), digest, sk),
    ).toBe(false);
  });
});

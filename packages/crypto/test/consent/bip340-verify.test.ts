// The consent BIP-340 fast path (lifted keys kept, window tables for keys seen often) and
// the signature cache against @noble/curves' schnorr.verify, the reference path: the same
// verdict for valid, tampered and malformed input, whether the key is new, hot or evicted.
import { fromHex, toHex } from '@medanchor/core';
import { schnorr } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearBip340Keys, verifyBip340 } from '../../src/consent/bip340-verify.js';
import { signConsentGrant, verifyConsentGrant } from '../../src/consent/sign.js';
import { clearSignatureCache } from '../../src/consent/signature-cache.js';
import { patientKey, sampleGrant } from './fixtures.js';

function reference(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    return schnorr.verify(sig, msg, pub);
  } catch {
    return false;
  }
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
// Secret keys in [1, n-1]: 31 random bytes under a leading 0x01.
const secretKey = fc.uint8Array({ minLength: 31, maxLength: 31 }).map((b) => {
  const k = new Uint8Array(32);
  k[0] = 1;
  k.set(b, 1);
  return k;
});

describe('verifyBip340 (consent fast path)', () => {
  it('agrees with schnorr.verify on valid and tampered signatures, keys new and hot', () => {
    clearBip340Keys();
    fc.assert(
      fc.property(
        secretKey,
        bytes32,
        bytes32,
        fc.nat(63),
        fc.integer({ min: 1, max: 20 }),
        (sk, msg, aux, at, repeats) => {
          const pub = schnorr.getPublicKey(sk);
          const sig = schnorr.sign(msg, sk, aux);
          const bad = sig.slice();
          bad[at]! ^= 1;
          const otherMsg = msg.slice();
          otherMsg[at % 32]! ^= 0x80;
          // Repeated uses cross the point where the key gets its window table.
          for (let i = 0; i < repeats; i++) {
            expect(verifyBip340(sig, msg, toHex(pub), pub)).toBe(true);
            expect(verifyBip340(bad, msg, toHex(pub), pub)).toBe(reference(bad, msg, pub));
            expect(verifyBip340(sig, otherMsg, toHex(pub), pub)).toBe(false);
          }
        },
      ),
      { numRuns: 40, seed: 18 },
    );
  });

  it('stays right for keys that lose their table (more hot keys than kept)', () => {
    clearBip340Keys();
    const keys = Array.from({ length: 20 }, (_, i) => Uint8Array.from({ length: 32 }, () => i + 1));
    const msg = new Uint8Array(32).fill(9);
    for (let round = 0; round < 12; round++) {
      for (const sk of keys) {
        const pub = schnorr.getPublicKey(sk);
        const sig = schnorr.sign(msg, sk, new Uint8Array(32));
        expect(verifyBip340(sig, msg, toHex(pub), pub)).toBe(true);
        const bad = sig.slice();
        bad[40]! ^= 4;
        expect(verifyBip340(bad, msg, toHex(pub), pub)).toBe(false);
      }
    }
  });

  it('refuses what schnorr.verify refuses: r >= p, s >= n, zero s, keys off the curve', () => {
    const sk = new Uint8Array(32).fill(3);
    const pub = schnorr.getPublicKey(sk);
    const msg = new Uint8Array(32);
    const sig = schnorr.sign(msg, sk, new Uint8Array(32));
    const p = fromHex('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f');
    const n = fromHex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
    const cases: [Uint8Array, Uint8Array][] = [
      [Uint8Array.from([...p, ...sig.subarray(32)]), pub],
      [Uint8Array.from([...sig.subarray(0, 32), ...n]), pub],
      [Uint8Array.from([...sig.subarray(0, 32), ...new Uint8Array(32)]), pub],
      [sig, fromHex('eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34')],
      [sig, p],
    ];
    for (const [s, k] of cases) {
      expect(reference(s, msg, k)).toBe(false);
      expect(verifyBip340(s, msg, toHex(k), k)).toBe(false);
    }
    expect(verifyBip340(sig.subarray(1), msg, toHex(pub), pub)).toBe(false);
    expect(verifyBip340(sig, msg, toHex(pub).toUpperCase(), pub)).toBe(false);
  });
});

describe('signature cache', () => {
  it('remembers only checks that passed: a tampered copy of a verified grant still fails', () => {
    clearSignatureCache();
    const signed = signConsentGrant(sampleGrant(), patientKey, { auxRand: new Uint8Array(32) });
    for (let i = 0; i < 3; i++) expect(verifyConsentGrant(signed).valid).toBe(true);
    const flipped = `${signed.signature.slice(0, 127)}${signed.signature[127] === '0' ? '1' : '0'}`;
    for (let i = 0; i < 3; i++) {
      const r = verifyConsentGrant({ ...signed, signature: flipped });
      expect(r.valid).toBe(false);
      expect(!r.valid && r.step).toBe('signature');
    }
    const otherGrant = { ...signed, grant: { ...signed.grant, purposes: ['HRESCH'] } };
    expect(verifyConsentGrant(otherGrant).valid).toBe(false);
    const upper = { ...signed, signature: signed.signature.toUpperCase() };
    expect(verifyConsentGrant(upper).valid).toBe(false);
    expect(verifyConsentGrant(signed).valid).toBe(true);
  });
});

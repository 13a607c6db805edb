import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createConsentRevocation,
  signConsentRevocation,
  verifyConsentRevocation,
} from '../../src/consent/revocation.js';
import {
  serializeSignedConsentGrant,
  signConsentGrant,
  verifyConsentGrant,
} from '../../src/consent/sign.js';
import { aux, p2trSigner, p2wpkhSigner, patientKey, sampleGrant } from './fixtures.js';

/** Verification of JSON bytes with one bit flipped; undecodable or unparsable bytes count as rejected. */
function acceptsFlipped(bytes: Uint8Array, bit: number, verify: (v: unknown) => boolean): boolean {
  const flipped = bytes.slice();
  flipped[bit >> 3]! ^= 1 << (bit & 7);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(flipped));
  } catch {
    return false;
  }
  return verify(value);
}

const grantOk = (v: unknown) => verifyConsentGrant(v).valid;

describe('any single-bit flip of a signed consent is detected', () => {
  for (const [name, signer] of [
    ['BIP-340', undefined],
    ['BIP-322 P2WPKH', p2wpkhSigner],
    ['BIP-322 P2TR', p2trSigner],
  ] as const) {
    const signed = signConsentGrant(sampleGrant(signer), patientKey, { auxRand: aux });
    const bytes = new TextEncoder().encode(serializeSignedConsentGrant(signed));
    it(`${name} grant: the unflipped JSON verifies (control)`, () => {
      expect(grantOk(JSON.parse(new TextDecoder().decode(bytes)))).toBe(true);
    });
    it(`${name} grant: flipping any bit of its JSON (grant or signature) breaks it (property)`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
          expect(acceptsFlipped(bytes, bit, grantOk)).toBe(false);
        }),
        { numRuns: name === 'BIP-340' ? 800 : 300 },
      );
    });
  }

  it.each([
    ['BIP-340', undefined],
    ['BIP-322 P2WPKH', p2wpkhSigner],
    ['BIP-322 P2TR', p2trSigner],
  ] as const)('%s grant: every bit of the signature field, exhaustively', (_, signer) => {
    const signed = signConsentGrant(sampleGrant(signer), patientKey, { auxRand: aux });
    const text = serializeSignedConsentGrant(signed);
    const bytes = new TextEncoder().encode(text);
    const start = text.indexOf(signed.signature);
    for (let bit = start * 8; bit < (start + signed.signature.length) * 8; bit++) {
      expect(acceptsFlipped(bytes, bit, grantOk), `bit ${bit}`).toBe(false);
    }
  });

  it('revocation: flipping any bit of its JSON breaks it (property)', () => {
    const grant = sampleGrant();
    const signed = signConsentRevocation(
      createConsentRevocation(grant, { revokedAt: '2026-05-01T00:00:00Z' }),
      patientKey,
      {
        auxRand: aux,
      },
    );
    const bytes = new TextEncoder().encode(JSON.stringify(signed));
    const ok = (v: unknown) => verifyConsentRevocation(v, grant).valid;
    expect(ok(signed)).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
        expect(acceptsFlipped(bytes, bit, ok)).toBe(false);
      }),
      { numRuns: 800 },
    );
  });
});

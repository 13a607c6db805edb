import { isMedanchorError } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { consentGrantHash } from '../../src/consent/canonical.js';
import { createConsentGrant } from '../../src/consent/grant.js';
import {
  parseSignedConsentGrant,
  serializeSignedConsentGrant,
  signConsentGrant,
  verifyConsentGrant,
} from '../../src/consent/sign.js';
import {
  aux,
  bip340Signer,
  otherKey,
  p2trSigner,
  p2wpkhSigner,
  patientKey,
  sampleGrant,
} from './fixtures.js';

describe('signing and verifying grants', () => {
  for (const [name, signer] of [
    ['BIP-340', bip340Signer],
    ['BIP-322 P2WPKH', p2wpkhSigner],
    ['BIP-322 P2TR', p2trSigner],
  ] as const) {
    it(`${name}: a signed grant verifies, survives JSON transport, and another key is refused`, () => {
      const signed = signConsentGrant(sampleGrant(signer), patientKey, { auxRand: aux });
      const r = verifyConsentGrant(signed);
      expect(r).toMatchObject({ valid: true, grantHash: consentGrantHash(signed.grant) });
      const text = serializeSignedConsentGrant(signed);
      expect(parseSignedConsentGrant(text)).toEqual(signed);
      expect(() => signConsentGrant(sampleGrant(signer), otherKey)).toThrow(
        expect.objectContaining({ code: 'SIGNER_MISMATCH' }),
      );
    });
  }

  it('BIP-340 signatures are deterministic for fixed aux randomness', () => {
    const a = signConsentGrant(sampleGrant(), patientKey, { auxRand: aux });
    const b = signConsentGrant(sampleGrant(), patientKey, { auxRand: aux });
    expect(a.signature).toBe(b.signature);
    expect(a.signature).toMatch(/^[0-9a-f]{128}$/);
  });

  it('a changed field breaks the signature, with step "signature"', () => {
    const signed = signConsentGrant(sampleGrant(), patientKey, { auxRand: aux });
    const tampered = { ...signed, grant: { ...signed.grant, grantee: 'Practitioner/mallory' } };
    expect(verifyConsentGrant(tampered)).toMatchObject({ valid: false, step: 'signature' });
    expect(() => parseSignedConsentGrant(JSON.stringify(tampered))).toThrow(
      expect.objectContaining({ code: 'BAD_SIGNATURE' }),
    );
  });

  it('an unknown field is a shape failure, not silently ignored', () => {
    const signed = signConsentGrant(sampleGrant(), patientKey, { auxRand: aux });
    expect(verifyConsentGrant({ ...signed, grant: { ...signed.grant, note: 'x' } })).toMatchObject({
      valid: false,
      step: 'shape',
    });
    expect(verifyConsentGrant({ ...signed, extra: 1 })).toMatchObject({
      valid: false,
      step: 'shape',
    });
  });

  it('never throws on garbage', () => {
    for (const v of [
      null,
      1,
      'x',
      [],
      {},
      { grant: {}, signature: 1 },
      { grant: sampleGrant(), signature: 'zz' },
    ]) {
      expect(verifyConsentGrant(v).valid).toBe(false);
    }
  });

  const invalid: [string, Record<string, unknown>][] = [
    ['empty actions', { actions: [] }],
    ['unknown action', { actions: ['delete'] }],
    ['duplicate purpose', { purposes: ['TREAT', 'TREAT'] }],
    ['empty scope', { scope: { records: [], categories: [] } }],
    ['validUntil before validFrom', { validUntil: '2025-01-01T00:00:00Z' }],
    ['time with fraction', { validFrom: '2026-01-01T00:00:00.5Z' }],
    ['time with offset', { validFrom: '2026-01-01T01:00:00+01:00' }],
    ['impossible date', { validFrom: '2026-02-30T00:00:00Z' }],
    ['short nonce', { nonce: 'abcd' }],
    ['bad public key', { signer: { scheme: 'bip340', publicKey: 'ff'.repeat(32) } }],
    [
      // P2PKH and P2SH are accepted now; a base58 string with an unknown version byte is not.
      'unknown base58 address version',
      { signer: { scheme: 'bip322', address: 'LKDxGDJq5fF4FohAB8zJH24mDDNHDNtqsE' } },
    ],
    [
      'future witness version address',
      { signer: { scheme: 'bip322', address: 'bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs' } },
    ],
    ['empty patient', { patient: '' }],
  ];
  for (const [name, change] of invalid) {
    it(`rejects a grant with ${name} (INVALID_GRANT)`, () => {
      let err: unknown;
      try {
        signConsentGrant({ ...sampleGrant(), ...change } as never, patientKey);
      } catch (e) {
        err = e;
      }
      expect(isMedanchorError(err, 'INVALID_GRANT')).toBe(true);
    });
  }

  it('createConsentGrant fills issuedAt and a fresh nonce', () => {
    const g = createConsentGrant({
      patient: 'Patient/1',
      signer: bip340Signer,
      grantee: 'Organization/2',
      actions: ['access'],
      purposes: ['TREAT'],
      scope: { records: ['r1'] },
      validFrom: new Date('2026-01-01T00:00:00.789Z'),
    });
    expect(g.validFrom).toBe('2026-01-01T00:00:00Z');
    expect(g.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(g.validUntil).toBeUndefined();
    expect('validUntil' in g).toBe(false);
  });
});

describe('what was signed stays what was signed', () => {
  it('changing the caller object after signing does not change the signed grant', () => {
    const grant = sampleGrant();
    const signed = signConsentGrant(grant, patientKey, { auxRand: aux });
    grant.actions.push('disclose');
    grant.grantee = 'Practitioner/mallory';
    expect(signed.grant.actions).toEqual(['access', 'use']);
    expect(verifyConsentGrant(signed).valid).toBe(true);
  });
});

describe('parsing signed grants from text', () => {
  it('refuses a JSON text that repeats a member (parser-differential attack)', () => {
    const signed = signConsentGrant(sampleGrant(), patientKey, { auxRand: aux });
    const text = serializeSignedConsentGrant(signed);
    // A second "grantee" that JSON.parse would let win over the signed one.
    const forged = text.replace(
      '"grantee":"Practitioner/dr-456"',
      '"grantee":"Practitioner/dr-456","grantee":"Practitioner/mallory"',
    );
    expect(forged).not.toBe(text);
    expect(() => parseSignedConsentGrant(forged)).toThrow(
      expect.objectContaining({ code: 'INVALID_GRANT' }),
    );
  });
});

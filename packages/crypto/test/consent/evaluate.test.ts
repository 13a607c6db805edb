import { toHex } from '@medanchor/core';
import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { evaluateConsent } from '../../src/consent/evaluate.js';
import {
  createConsentRevocation,
  signConsentRevocation,
  verifyConsentRevocation,
} from '../../src/consent/revocation.js';
import { signConsentGrant } from '../../src/consent/sign.js';
import { aux, otherKey, p2trSigner, patientKey, sampleGrant } from './fixtures.js';

const signed = signConsentGrant(sampleGrant(), patientKey, { auxRand: aux });
const request = {
  grantee: 'Practitioner/dr-456',
  action: 'access' as const,
  purpose: 'TREAT',
  record: 'DocumentReference/discharge-2026-03',
};
const now = '2026-06-01T00:00:00Z';

describe('evaluateConsent', () => {
  it('permits a request inside every rule, by record and by category', () => {
    expect(evaluateConsent(signed, { request, now })).toEqual({
      decision: 'permit',
      grantHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const byCategory = {
      ...request,
      record: 'Observation/bp-1',
      category: { system: 'http://hl7.org/fhir/resource-types', code: 'Observation' },
    };
    expect(evaluateConsent(signed, { request: byCategory, now }).decision).toBe('permit');
  });

  const denials: [string, Parameters<typeof evaluateConsent>[1], string][] = [
    ['before validFrom', { request, now: '2025-12-31T23:59:59Z' }, 'not-yet-valid'],
    ['at validUntil (exclusive)', { request, now: '2027-01-01T00:00:00Z' }, 'expired'],
    [
      'another grantee',
      { request: { ...request, grantee: 'Practitioner/other' }, now },
      'wrong-grantee',
    ],
    [
      'an action not granted',
      { request: { ...request, action: 'disclose' }, now },
      'action-not-granted',
    ],
    [
      'a purpose not granted',
      { request: { ...request, purpose: 'HMARKT' }, now },
      'purpose-not-granted',
    ],
    [
      'a record out of scope',
      { request: { ...request, record: 'DocumentReference/other' }, now },
      'out-of-scope',
    ],
    [
      'a category out of scope',
      {
        request: {
          ...request,
          record: undefined,
          category: { system: 'http://hl7.org/fhir/resource-types', code: 'Condition' },
        },
        now,
      },
      'out-of-scope',
    ],
    ['an invalid now', { request, now: 'yesterday' }, 'invalid-request'],
    [
      'a request naming no data',
      { request: { ...request, record: undefined }, now },
      'invalid-request',
    ],
  ];
  for (const [name, ctx, reason] of denials) {
    it(`denies ${name}: ${reason}`, () => {
      const d = evaluateConsent(signed, ctx);
      expect(d).toMatchObject({ decision: 'deny', reason });
    });
  }

  it('denies a tampered grant as bad-signature and a malformed one as invalid-grant', () => {
    const widened = {
      ...signed,
      grant: { ...signed.grant, actions: ['access', 'use', 'disclose'] },
    };
    expect(evaluateConsent(widened, { request, now })).toMatchObject({
      decision: 'deny',
      reason: 'bad-signature',
    });
    expect(evaluateConsent({ grant: 1, signature: 'x' }, { request, now })).toMatchObject({
      decision: 'deny',
      reason: 'invalid-grant',
    });
    expect(evaluateConsent(undefined, { request, now })).toMatchObject({
      decision: 'deny',
      reason: 'invalid-grant',
    });
  });

  it('a valid revocation denies from its revokedAt on, not before', () => {
    const rev = signConsentRevocation(
      createConsentRevocation(signed.grant, {
        revokedAt: '2026-05-01T00:00:00Z',
        nonce: 'ff'.repeat(16),
      }),
      patientKey,
      { auxRand: aux },
    );
    expect(evaluateConsent(signed, { request, now, revocations: [rev] })).toMatchObject({
      decision: 'deny',
      reason: 'revoked',
    });
    expect(
      evaluateConsent(signed, { request, now: '2026-04-30T23:59:59Z', revocations: [rev] })
        .decision,
    ).toBe('permit');
  });

  it('ignores revocations that are forged, for another grant, or by another key', () => {
    const mine = createConsentRevocation(signed.grant, { revokedAt: '2026-05-01T00:00:00Z' });
    const forged = { revocation: mine, signature: '00'.repeat(64) };
    const otherGrant = signConsentRevocation(
      createConsentRevocation(sampleGrant(undefined, { nonce: 'aa'.repeat(16) })),
      patientKey,
    );
    const strangerSigner = {
      scheme: 'bip340' as const,
      publicKey: toHex(schnorr.getPublicKey(otherKey)),
    };
    const stranger = signConsentRevocation({ ...mine, signer: strangerSigner }, otherKey);
    for (const r of [forged, otherGrant, stranger, null, 'x']) {
      expect(evaluateConsent(signed, { request, now, revocations: [r] }).decision).toBe('permit');
    }
    expect(verifyConsentRevocation(forged, signed.grant)).toMatchObject({
      valid: false,
      step: 'signature',
    });
    expect(verifyConsentRevocation(otherGrant, signed.grant)).toMatchObject({
      valid: false,
      step: 'grant',
    });
    expect(verifyConsentRevocation(stranger, signed.grant)).toMatchObject({
      valid: false,
      step: 'grant',
    });
  });

  it('BIP-322 (P2TR) grants and revocations work the same way', () => {
    const g = signConsentGrant(sampleGrant(p2trSigner), patientKey);
    expect(evaluateConsent(g, { request, now }).decision).toBe('permit');
    const rev = signConsentRevocation(
      createConsentRevocation(g.grant, { revokedAt: now }),
      patientKey,
    );
    expect(verifyConsentRevocation(rev, g.grant).valid).toBe(true);
    expect(evaluateConsent(g, { request, now, revocations: [rev] })).toMatchObject({
      reason: 'revoked',
    });
  });

  it('open-ended grants never expire', () => {
    const { validUntil: _, ...rest } = sampleGrant();
    const g = signConsentGrant(rest, patientKey);
    expect(evaluateConsent(g, { request, now: '2999-01-01T00:00:00Z' }).decision).toBe('permit');
  });
});

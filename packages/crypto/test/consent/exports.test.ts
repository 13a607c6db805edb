import * as crypto from '@medanchor/crypto';
import { describe, expect, it } from 'vitest';

describe('the package barrel', () => {
  it('exports the consent, JCS and BIP-322 API', () => {
    for (const name of [
      'createConsentGrant',
      'signConsentGrant',
      'verifyConsentGrant',
      'parseSignedConsentGrant',
      'createConsentRevocation',
      'signConsentRevocation',
      'verifyConsentRevocation',
      'evaluateConsent',
      'consentGrantToFhir',
      'consentGrantFromFhir',
      'consentGrantHash',
      'consentSignerForKey',
      'canonicalizeJson',
      'canonicalJsonBytes',
      'signBip322',
      'verifyBip322',
      'p2trAddress',
      'p2wpkhAddress',
    ]) {
      expect(typeof (crypto as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('a grant round-trips through the public API alone', () => {
    const key = new Uint8Array(32).fill(9);
    const signed = crypto.signConsentGrant(
      crypto.createConsentGrant({
        patient: 'Patient/1',
        signer: crypto.consentSignerForKey(key, 'p2tr', 'tb'),
        grantee: 'Practitioner/2',
        actions: ['access'],
        purposes: ['TREAT'],
        scope: { records: ['DocumentReference/3'] },
        validFrom: '2026-01-01T00:00:00Z',
      }),
      key,
    );
    const decision = crypto.evaluateConsent(
      crypto.parseSignedConsentGrant(crypto.serializeSignedConsentGrant(signed)),
      {
        request: {
          grantee: 'Practitioner/2',
          action: 'access',
          purpose: 'TREAT',
          record: 'DocumentReference/3',
        },
        now: '2026-02-01T00:00:00Z',
      },
    );
    expect(decision).toEqual({
      decision: 'permit',
      grantHash: crypto.consentGrantHash(signed.grant),
    });
  });
});

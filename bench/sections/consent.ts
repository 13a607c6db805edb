import {
  canonicalizeJson,
  consentSignerForKey,
  createConsentGrant,
  signConsentGrant,
  verifyConsentGrant,
} from '@medanchor/crypto';
import { measure, printTable } from '../harness.js';

/** Consent section: grant signing and verification per signature scheme, and JCS canonicalization. */
export async function run(): Promise<void> {
  const key = new Uint8Array(32).fill(0x11);
  const aux = new Uint8Array(32).fill(0x22);
  const grantFor = (kind: 'bip340' | 'p2wpkh' | 'p2tr') =>
    createConsentGrant({
      patient: 'Patient/example-123',
      signer: consentSignerForKey(key, kind),
      grantee: 'Practitioner/dr-456',
      actions: ['access', 'use'],
      purposes: ['TREAT', 'ETREAT'],
      scope: {
        records: ['DocumentReference/discharge-2026-03', 'DiagnosticReport/f201'],
        categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }],
      },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      issuedAt: '2025-12-31T12:00:00Z',
      nonce: '000102030405060708090a0b0c0d0e0f',
    });
  const n = 50;
  const rows = [];
  for (const [label, kind] of [
    ['BIP-340', 'bip340'],
    ['BIP-322 P2TR', 'p2tr'],
    ['BIP-322 P2WPKH', 'p2wpkh'],
  ] as const) {
    const grant = grantFor(kind);
    const signed = signConsentGrant(grant, key, { auxRand: aux });
    const sign = await measure(
      `sign grant, ${label}`,
      () => {
        for (let i = 0; i < n; i++) signConsentGrant(grant, key, { auxRand: aux });
      },
      { items: n, unit: 'grants' },
    );
    const verify = await measure(
      `verify grant, ${label}`,
      () => {
        for (let i = 0; i < n; i++)
          if (!verifyConsentGrant(signed).valid) throw new Error('bench grant does not verify');
      },
      { items: n, unit: 'grants' },
    );
    rows.push({ m: sign }, { m: verify, note: 'shape + canonical digest + signature' });
  }
  printTable('Consent grants: sign and verify (includes JCS and the tagged hash)', rows);

  const grant = grantFor('bip340');
  const jcs = await measure(
    'JCS canonicalize a grant',
    () => {
      for (let i = 0; i < 1000; i++) canonicalizeJson(grant);
    },
    { items: 1000, unit: 'grants' },
  );
  const stringify = await measure(
    'JSON.stringify a grant (not canonical)',
    () => {
      for (let i = 0; i < 1000; i++) JSON.stringify(grant);
    },
    { items: 1000, unit: 'grants' },
  );
  printTable('RFC 8785 canonicalization of a grant', [
    { m: stringify },
    { m: jcs, baseline: stringify },
  ]);
}

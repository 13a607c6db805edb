// Fixed keys and grants shared by the consent tests (never real patients or keys).
import { toHex } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { p2trAddress, p2wpkhAddress } from '../../src/bip322/address.js';
import {
  type ConsentGrant,
  type ConsentSigner,
  createConsentGrant,
} from '../../src/consent/grant.js';

export const patientKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
export const otherKey = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);
export const aux = new Uint8Array(32).fill(7);

export const bip340Signer: ConsentSigner = {
  scheme: 'bip340',
  publicKey: toHex(schnorr.getPublicKey(patientKey)),
};
export const p2wpkhSigner: ConsentSigner = {
  scheme: 'bip322',
  address: p2wpkhAddress(secp256k1.getPublicKey(patientKey, true)),
};
export const p2trSigner: ConsentSigner = {
  scheme: 'bip322',
  address: p2trAddress(schnorr.getPublicKey(patientKey)),
};

export function sampleGrant(
  signer: ConsentSigner = bip340Signer,
  extra: Partial<ConsentGrant> = {},
): ConsentGrant {
  return {
    ...createConsentGrant({
      patient: 'Patient/example-123',
      signer,
      grantee: 'Practitioner/dr-456',
      actions: ['access', 'use'],
      purposes: ['TREAT', 'ETREAT'],
      scope: {
        records: ['DocumentReference/discharge-2026-03'],
        categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }],
      },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      issuedAt: '2025-12-31T12:00:00Z',
      nonce: '000102030405060708090a0b0c0d0e0f',
    }),
    ...extra,
  };
}

import { readFileSync } from 'node:fs';
import {
  type ConsentGrant,
  consentGrantFromFhir,
  consentGrantToFhir,
  consentSignerForKey,
  createConsentGrant,
} from '@medanchor/crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../../test/helpers/vectors.js';
import { loadR4Validator } from '../src/node/load-definitions.js';
import { assertFhirResource, type FhirValidator } from '../src/validator.js';

// Every FHIR R4 Consent medanchor emits is valid against the official R4 definitions.
let validator: FhirValidator;
beforeAll(async () => {
  validator = await loadR4Validator();
});

const signer = consentSignerForKey(new Uint8Array(32).fill(3));
const grant = (scope: ConsentGrant['scope']): ConsentGrant =>
  createConsentGrant({
    patient: 'Patient/p-42',
    signer,
    grantee: 'Practitioner/dr-456',
    actions: ['access', 'use'],
    purposes: ['TREAT'],
    scope,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    issuedAt: '2025-12-31T12:00:00Z',
    nonce: '000102030405060708090a0b0c0d0e0f',
  });
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

describe('emitted FHIR R4 Consents validate against the official definitions', () => {
  const vectors = JSON.parse(
    readFileSync(repoPath('docs', 'spec', 'vectors', 'consent-fhir.json'), 'utf8'),
  ).vectors as { description: string; fhir: unknown }[];
  for (const v of vectors) {
    it(`spec vector: ${v.description}`, () => {
      expect(() =>
        assertFhirResource(v.fhir, validator, { resourceType: 'Consent' }),
      ).not.toThrow();
    });
  }

  for (const [name, scope] of [
    ['records', { records: ['DocumentReference/a'], categories: [] }],
    [
      'resource types',
      {
        records: [],
        categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }],
      },
    ],
    ['security labels', { records: [], categories: [{ system: CONF, code: 'N' }] }],
  ] as const) {
    it(`consentGrantToFhir (${name})`, () => {
      const r = consentGrantToFhir(
        grant({ records: [...scope.records], categories: [...scope.categories] }),
      );
      expect(() => assertFhirResource(r, validator, { resourceType: 'Consent' })).not.toThrow();
    });
  }

  it('a Consent with nested deny exceptions that the mapping folds is valid R4 too', () => {
    const r = consentGrantToFhir(
      grant({ records: ['DocumentReference/a', 'DocumentReference/b'], categories: [] }),
    );
    r.provision!.provision = [
      {
        type: 'deny',
        data: [{ meaning: 'instance', reference: { reference: 'DocumentReference/b' } }],
      },
    ];
    expect(() => assertFhirResource(r, validator, { resourceType: 'Consent' })).not.toThrow();
    expect(consentGrantFromFhir(r).scope.records).toEqual(['DocumentReference/a']);
  });

  it('the validator catches a broken Consent by path (status as a number)', () => {
    const r = {
      ...consentGrantToFhir(grant({ records: ['DocumentReference/a'], categories: [] })),
      status: 1,
    };
    expect(() => assertFhirResource(r, validator)).toThrow(
      expect.objectContaining({
        code: 'INVALID_FHIR_RESOURCE',
        details: expect.objectContaining({ path: 'Consent.status' }),
      }),
    );
  });
});

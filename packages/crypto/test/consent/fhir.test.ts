import { isMedanchorError } from '@medanchor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consentGrantFromFhir, consentGrantToFhir } from '../../src/consent/fhir.js';
import type { FhirConsent } from '../../src/consent/fhir-r4.js';
import type { ConsentGrant } from '../../src/consent/grant.js';
import { bip340Signer, p2trSigner, p2wpkhSigner, sampleGrant } from './fixtures.js';

/** A Consent as an EHR might write it (after the R4 spec examples), without medanchor extensions. */
const realistic: FhirConsent = {
  resourceType: 'Consent',
  id: 'consent-example-research',
  status: 'active',
  scope: {
    coding: [
      { system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' },
    ],
  },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: 'Patient/f001', display: 'P. van de Heuvel' },
  dateTime: '2026-03-10T09:30:00+01:00',
  performer: [{ reference: 'Patient/f001' }],
  organization: [{ reference: 'Organization/f001' }],
  policyRule: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }],
  },
  provision: {
    type: 'permit',
    period: { start: '2026-03-10', end: '2026-12-31' },
    actor: [
      {
        role: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP' },
          ],
        },
        reference: { reference: 'Organization/research-lab-7' },
      },
      {
        role: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'AUT' },
          ],
        },
        reference: { reference: 'Practitioner/f007' },
      },
    ],
    action: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access' }],
      },
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'collect' },
        ],
      },
    ],
    purpose: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
        code: 'HRESCH',
        display: 'healthcare research',
      },
    ],
    class: [
      { system: 'http://hl7.org/fhir/resource-types', code: 'Observation' },
      { system: 'http://loinc.org', code: '11506-3' },
    ],
    data: [{ meaning: 'instance', reference: { reference: 'DiagnosticReport/f201' } }],
  },
};

describe('grant -> FHIR R4 Consent -> grant', () => {
  for (const [name, grant] of [
    ['BIP-340 signer', sampleGrant(bip340Signer)],
    ['P2WPKH signer', sampleGrant(p2wpkhSigner)],
    ['P2TR signer', sampleGrant(p2trSigner)],
    [
      'records only, open-ended',
      (() => {
        const { validUntil: _, ...g } = sampleGrant(bip340Signer, {
          scope: { records: ['r-1', 'r-2'], categories: [] },
        });
        return g as ConsentGrant;
      })(),
    ],
  ] as const) {
    it(`is the identity (${name})`, () => {
      const resource = consentGrantToFhir(grant);
      expect(resource.provision?.type).toBe('permit');
      expect(consentGrantFromFhir(JSON.parse(JSON.stringify(resource)))).toEqual(grant);
    });
  }

  it('is the identity for generated grants (property)', () => {
    const code = fc.stringMatching(/^[A-Z][A-Z0-9]{1,8}$/);
    const ref = fc.stringMatching(/^[A-Z][a-z]{2,12}\/[a-z0-9-]{1,16}$/);
    const time = fc
      .integer({ min: 1_600_000_000, max: 2_000_000_000 })
      .map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('access', 'collect', 'use', 'disclose', 'correct'), {
          minLength: 1,
        }),
        fc.uniqueArray(code, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(ref, { minLength: 1, maxLength: 4 }),
        ref,
        time,
        fc.option(fc.integer({ min: 1, max: 10_000_000 })),
        (actions, purposes, records, grantee, from, extra) => {
          const base = sampleGrant(bip340Signer, {
            actions,
            purposes,
            grantee,
            validFrom: from,
            scope: { records, categories: [] },
          });
          const { validUntil: _, ...open } = base;
          const grant: ConsentGrant =
            extra === null
              ? open
              : {
                  ...open,
                  validUntil: new Date(Date.parse(from) + extra * 1000)
                    .toISOString()
                    .replace('.000Z', 'Z'),
                };
          expect(consentGrantFromFhir(consentGrantToFhir(grant))).toEqual(grant);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('a realistic FHIR Consent maps to a grant', () => {
  it('takes patient, recipient actor, period, actions, purposes, classes and data', () => {
    const grant = consentGrantFromFhir(realistic, { signer: bip340Signer, nonce: 'ab'.repeat(16) });
    expect(grant).toEqual({
      type: 'medanchor/consent-grant',
      version: 1,
      patient: 'Patient/f001',
      signer: bip340Signer,
      grantee: 'Organization/research-lab-7',
      actions: ['access', 'collect'],
      purposes: ['HRESCH'],
      scope: {
        records: ['DiagnosticReport/f201'],
        categories: [
          { system: 'http://hl7.org/fhir/resource-types', code: 'Observation' },
          { system: 'http://loinc.org', code: '11506-3' },
        ],
      },
      validFrom: '2026-03-10T00:00:00Z',
      // A bare end date covers that whole day.
      validUntil: '2027-01-01T00:00:00Z',
      issuedAt: '2026-03-10T08:30:00Z',
      nonce: 'ab'.repeat(16),
    });
  });

  it('rounds fractional period edges inward, never widening the grant', () => {
    const r = structuredClone(realistic);
    r.provision!.period = {
      start: '2026-03-10T10:00:00.250+02:00',
      end: '2026-04-01T00:00:00.750Z',
    };
    const g = consentGrantFromFhir(r, { signer: bip340Signer, nonce: 'ab'.repeat(16) });
    expect(g.validFrom).toBe('2026-03-10T08:00:01Z');
    expect(g.validUntil).toBe('2026-04-01T00:00:00Z');
  });

  const refusals: [string, (r: FhirConsent) => void][] = [
    [
      'an inactive consent',
      (r) => {
        r.status = 'inactive';
      },
    ],
    [
      'a deny provision',
      (r) => {
        r.provision!.type = 'deny';
      },
    ],
    [
      'nested provisions',
      (r) => {
        r.provision!.provision = [{ type: 'deny' }];
      },
    ],
    [
      'security label restrictions',
      (r) => {
        r.provision!.securityLabel = [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' },
        ];
      },
    ],
    [
      'a data period',
      (r) => {
        r.provision!.dataPeriod = { start: '2020-01-01' };
      },
    ],
    [
      'related data',
      (r) => {
        r.provision!.data = [{ meaning: 'related', reference: { reference: 'Encounter/1' } }];
      },
    ],
    [
      'no actions',
      (r) => {
        delete r.provision!.action;
      },
    ],
    [
      'an unknown action',
      (r) => {
        r.provision!.action = [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'delete' },
            ],
          },
        ];
      },
    ],
    [
      'no purposes',
      (r) => {
        r.provision!.purpose = [];
      },
    ],
    [
      'two recipients',
      (r) => {
        r.provision!.actor![1]!.role.coding![0]!.code = 'IRCP';
      },
    ],
    [
      'a modifier extension',
      (r) => {
        r.modifierExtension = [{ url: 'urn:x', valueString: 'y' }];
      },
    ],
    [
      'a partial date',
      (r) => {
        r.provision!.period = { start: '2026-03' };
      },
    ],
    [
      'an action that is not an array',
      (r) => {
        (r.provision as Record<string, unknown>)['action'] = 'access';
      },
    ],
  ];
  for (const [name, mutate] of refusals) {
    it(`refuses ${name} with INVALID_FHIR_CONSENT`, () => {
      const r = structuredClone(realistic);
      mutate(r);
      let err: unknown;
      try {
        consentGrantFromFhir(r, { signer: bip340Signer });
      } catch (e) {
        err = e;
      }
      expect(isMedanchorError(err, 'INVALID_FHIR_CONSENT')).toBe(true);
    });
  }

  it('refuses a resource without signer extension when no signer is passed', () => {
    expect(() => consentGrantFromFhir(realistic)).toThrow(
      expect.objectContaining({ code: 'INVALID_FHIR_CONSENT' }),
    );
  });
});

import { isMedanchorError } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { consentGrantFromFhir, consentGrantToFhir } from '../../src/consent/fhir.js';
import type { FhirConsent, FhirConsentProvision } from '../../src/consent/fhir-r4.js';
import {
  consentGrantFromFhirR5,
  consentGrantToFhirR5,
  type FhirR5Consent,
} from '../../src/consent/fhir-r5.js';
import type { ConsentGrant } from '../../src/consent/grant.js';
import { bip340Signer, p2trSigner, sampleGrant } from './fixtures.js';

const ACT = 'http://terminology.hl7.org/CodeSystem/consentaction';
const REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const TYPES = 'http://hl7.org/fhir/resource-types';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

/** A grant of the resource types Observation and Condition, no records. */
const byTypes = sampleGrant(bip340Signer, {
  scope: {
    records: [],
    categories: [
      { system: TYPES, code: 'Observation' },
      { system: TYPES, code: 'Condition' },
    ],
  },
});
const byRecords = sampleGrant(bip340Signer, {
  scope: { records: ['DocumentReference/a', 'DocumentReference/b'], categories: [] },
});

/** The R4 resource of `grant` with `exceptions` nested in its permit. */
function withExceptions(grant: ConsentGrant, exceptions: FhirConsentProvision[]): FhirConsent {
  const r = consentGrantToFhir(grant);
  r.provision!.provision = exceptions;
  return r;
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isMedanchorError(e, 'INVALID_FHIR_CONSENT')) return e.message;
    throw e;
  }
  throw new Error('accepted');
}

describe('nested deny exceptions fold into the grant when the result is exact', () => {
  it('a denied action is removed', () => {
    const r = withExceptions(byTypes, [
      { type: 'deny', action: [{ coding: [{ system: ACT, code: 'use' }] }] },
    ]);
    expect(consentGrantFromFhir(r)).toEqual({ ...byTypes, actions: ['access'] });
  });

  it('a denied purpose is removed', () => {
    const r = withExceptions(byTypes, [
      { type: 'deny', purpose: [{ system: REASON, code: 'ETREAT' }] },
    ]);
    expect(consentGrantFromFhir(r)).toEqual({ ...byTypes, purposes: ['TREAT'] });
  });

  it('a denied listed record is removed', () => {
    const r = withExceptions(byRecords, [
      {
        type: 'deny',
        data: [{ meaning: 'instance', reference: { reference: 'DocumentReference/b' } }],
      },
    ]);
    expect(consentGrantFromFhir(r).scope).toEqual({
      records: ['DocumentReference/a'],
      categories: [],
    });
  });

  it('a denied resource type is removed from a permit of resource types', () => {
    const r = withExceptions(byTypes, [
      { type: 'deny', class: [{ system: TYPES, code: 'Condition' }] },
    ]);
    expect(consentGrantFromFhir(r).scope.categories).toEqual([
      { system: TYPES, code: 'Observation' },
    ]);
  });

  it('an exception for another actor takes nothing from the grantee', () => {
    const r = withExceptions(byTypes, [
      {
        type: 'deny',
        actor: [
          { role: { coding: [{ code: 'IRCP' }] }, reference: { reference: 'Practitioner/other' } },
        ],
        action: [{ coding: [{ system: ACT, code: 'access' }] }],
      },
    ]);
    expect(consentGrantFromFhir(r)).toEqual(byTypes);
  });

  it('an exception for the grantee applies; several exceptions apply in turn', () => {
    const r = withExceptions(byTypes, [
      {
        type: 'deny',
        actor: [
          { role: { coding: [{ code: 'IRCP' }] }, reference: { reference: byTypes.grantee } },
        ],
        action: [{ coding: [{ system: ACT, code: 'use' }] }],
      },
      { type: 'deny', purpose: [{ system: REASON, code: 'TREAT' }] },
    ]);
    expect(consentGrantFromFhir(r)).toMatchObject({ actions: ['access'], purposes: ['ETREAT'] });
  });

  it('a bare top-level deny with one permit exception (opt-out with an exception) is that permit', () => {
    const permit = consentGrantToFhir(byRecords).provision!;
    const r: FhirConsent = {
      ...consentGrantToFhir(byRecords),
      provision: { type: 'deny', provision: [permit] },
    };
    expect(consentGrantFromFhir(r)).toEqual(byRecords);
  });

  const refused: [string, (g: ConsentGrant) => FhirConsent, RegExp][] = [
    [
      'an exception denying everything',
      (g) => withExceptions(g, [{ type: 'deny' }]),
      /denies everything/,
    ],
    [
      'an exception denying every action',
      (g) =>
        withExceptions(g, [
          {
            type: 'deny',
            action: ['access', 'use'].map((code) => ({ coding: [{ system: ACT, code }] })),
          },
        ]),
      /every action/,
    ],
    [
      'an exception combining action and purpose',
      (g) =>
        withExceptions(g, [
          {
            type: 'deny',
            action: [{ coding: [{ system: ACT, code: 'use' }] }],
            purpose: [{ system: REASON, code: 'TREAT' }],
          },
        ]),
      /combines action and purpose/,
    ],
    [
      'an exception for part of the time',
      (g) =>
        withExceptions(g, [
          {
            type: 'deny',
            period: { start: '2026-06-01' },
            action: [{ coding: [{ system: ACT, code: 'use' }] }],
          },
        ]),
      /part of the time/,
    ],
    [
      'an exception of labelled data',
      (g) => withExceptions(g, [{ type: 'deny', securityLabel: [{ system: CONF, code: 'R' }] }]),
      /labelled data/,
    ],
    [
      'an exception of data by date',
      (g) => withExceptions(g, [{ type: 'deny', dataPeriod: { end: '2020-01-01' } }]),
      /dataPeriod/,
    ],
    [
      'an exception of one record from a class',
      (g) =>
        withExceptions(g, [
          {
            type: 'deny',
            data: [{ meaning: 'instance', reference: { reference: 'Observation/x' } }],
          },
        ]),
      /from a class/,
    ],
    [
      'a permit nested in a permit',
      (g) =>
        withExceptions(g, [
          { type: 'permit', action: [{ coding: [{ system: ACT, code: 'use' }] }] },
        ]),
      /only deny exceptions/,
    ],
    [
      'two levels of exceptions',
      (g) =>
        withExceptions(g, [
          {
            type: 'deny',
            purpose: [{ system: REASON, code: 'TREAT' }],
            provision: [{ type: 'permit' }],
          },
        ]),
      /one level of exceptions/,
    ],
  ];
  for (const [name, build, why] of refused) {
    it(`refuses ${name}, saying why`, () => {
      expect(refusal(() => consentGrantFromFhir(build(byTypes)))).toMatch(why);
    });
  }

  it('refuses excepting a non-resource-type class (classes may overlap)', () => {
    const g = sampleGrant(bip340Signer, {
      scope: {
        records: [],
        categories: [
          { system: 'http://loinc.org', code: '11506-3' },
          { system: TYPES, code: 'Observation' },
        ],
      },
    });
    const r = withExceptions(g, [
      { type: 'deny', class: [{ system: 'http://loinc.org', code: '11506-3' }] },
    ]);
    expect(refusal(() => consentGrantFromFhir(r))).toMatch(/only resource types/);
  });
});

describe('security labels', () => {
  const labelled = sampleGrant(bip340Signer, {
    scope: {
      records: [],
      categories: [
        { system: CONF, code: 'N' },
        { system: CONF, code: 'L' },
      ],
    },
  });

  it('a grant of labelled data maps to provision.securityLabel and back', () => {
    const r = consentGrantToFhir(labelled);
    expect(r.provision?.securityLabel).toEqual([
      { system: CONF, code: 'N' },
      { system: CONF, code: 'L' },
    ]);
    expect(r.provision?.class).toBeUndefined();
    expect(consentGrantFromFhir(JSON.parse(JSON.stringify(r)))).toEqual(labelled);
  });

  it('labels next to records or classes stay classes (a union), and round-trip', () => {
    const mixed = sampleGrant(bip340Signer, {
      scope: { records: ['DocumentReference/a'], categories: [{ system: CONF, code: 'N' }] },
    });
    const r = consentGrantToFhir(mixed);
    expect(r.provision?.securityLabel).toBeUndefined();
    expect(consentGrantFromFhir(r)).toEqual(mixed);
  });

  it('a FHIR permit with labels and classes (both must match) is refused', () => {
    const r = consentGrantToFhir(byTypes);
    r.provision!.securityLabel = [{ system: CONF, code: 'R' }];
    expect(refusal(() => consentGrantFromFhir(r))).toMatch(/securityLabel together with class/);
  });
});

describe('FHIR R5 Consent', () => {
  for (const [name, grant] of [
    ['records and resource types', sampleGrant(bip340Signer)],
    ['resource types only', byTypes],
    [
      'records only, BIP-322 signer, open-ended',
      (() => {
        const { validUntil: _, ...g } = sampleGrant(p2trSigner, {
          scope: { records: ['DocumentReference/a'], categories: [] },
        });
        return g as ConsentGrant;
      })(),
    ],
    [
      'security labels',
      sampleGrant(bip340Signer, {
        scope: { records: [], categories: [{ system: CONF, code: 'R' }] },
      }),
    ],
    [
      'LOINC classes',
      sampleGrant(bip340Signer, {
        scope: { records: [], categories: [{ system: 'http://loinc.org', code: '11506-3' }] },
      }),
    ],
  ] as const) {
    it(`round-trips exactly (${name})`, () => {
      const r5 = consentGrantToFhirR5(grant);
      expect(r5).toMatchObject({
        decision: 'deny',
        subject: { reference: grant.patient },
        date: grant.issuedAt.slice(0, 10),
      });
      expect(r5.provision).toHaveLength(1);
      expect(consentGrantFromFhirR5(JSON.parse(JSON.stringify(r5)))).toEqual(grant);
    });
  }

  it('places categories by kind: resourceType, securityLabel or code', () => {
    expect(consentGrantToFhirR5(byTypes).provision?.[0]?.resourceType).toHaveLength(2);
    const loinc = sampleGrant(bip340Signer, {
      scope: { records: [], categories: [{ system: 'http://loinc.org', code: '11506-3' }] },
    });
    expect(consentGrantToFhirR5(loinc).provision?.[0]?.code).toEqual([
      { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
    ]);
  });

  it('nested provisions are deny exceptions of the permit, folded as in R4', () => {
    const r5 = consentGrantToFhirR5(byTypes);
    r5.provision![0]!.provision = [{ action: [{ coding: [{ system: ACT, code: 'use' }] }] }];
    expect(consentGrantFromFhirR5(r5)).toEqual({ ...byTypes, actions: ['access'] });
    r5.provision![0]!.provision = [{ dataPeriod: { start: '2020-01-01' } }];
    expect(refusal(() => consentGrantFromFhirR5(r5))).toMatch(/dataPeriod/);
  });

  it('a default permit (decision permit) grants everyone everything and is refused', () => {
    const r5: FhirR5Consent = { ...consentGrantToFhirR5(byTypes), decision: 'permit' };
    expect(refusal(() => consentGrantFromFhirR5(r5))).toMatch(
      /decision "permit" opens the data to everyone/,
    );
  });

  it('a top-level period narrows the provision period; date stands in for the issue time', () => {
    const r5 = consentGrantToFhirR5(byTypes);
    r5.period = { start: '2026-02-01T00:00:00Z', end: '2028-01-01T00:00:00Z' };
    r5.extension = r5.extension?.filter((e) => !e.url.endsWith('consent-issued-at'));
    const g = consentGrantFromFhirR5(r5);
    expect(g.validFrom).toBe('2026-02-01T00:00:00Z');
    expect(g.validUntil).toBe(byTypes.validUntil);
    expect(g.issuedAt).toBe('2025-12-31T00:00:00Z');
  });

  it('refuses expressions, mixed class kinds, R4 elements and wrong JSON types', () => {
    const base = () => consentGrantToFhirR5(byTypes);
    const expr = base();
    expr.provision![0]!.expression = { language: 'text/fhirpath', expression: 'true' };
    expect(refusal(() => consentGrantFromFhirR5(expr))).toMatch(/expression/);
    const mixed = base();
    mixed.provision![0]!.documentType = [{ system: 'http://loinc.org', code: '11506-3' }];
    expect(refusal(() => consentGrantFromFhirR5(mixed))).toMatch(/resourceType and documentType/);
    expect(
      refusal(() => consentGrantFromFhirR5({ ...base(), patient: { reference: 'Patient/x' } })),
    ).toMatch(/R4 elements/);
    expect(refusal(() => consentGrantFromFhirR5({ ...base(), provision: 'permit' }))).toMatch(
      /wrong JSON type|provision/,
    );
    expect(refusal(() => consentGrantFromFhirR5({ ...base(), status: 'inactive' }))).toMatch(
      /status/,
    );
  });
});

import { isMedanchorError, utf8 } from '@medanchor/core';
import {
  consentGrantFromFhir,
  consentGrantFromFhirR5,
  consentGrantToFhir,
  consentGrantToFhirR5,
  consentSignerForKey,
  createConsentGrant,
} from '@medanchor/crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAuditEventConsent } from '../src/audit-consent.js';
import { auditEventFor } from '../src/audit-event.js';
import { verifyAuditEvent } from '../src/audit-ledger.js';
import type { FhirAuditEvent } from '../src/fhir-types.js';
import { loadR4Validator } from '../src/node/load-definitions.js';
import { provenanceForRecord } from '../src/provenance.js';
import { verifyProvenance } from '../src/provenance-verify.js';
import { assertFhirResource, type FhirValidator } from '../src/validator.js';

// Bad input is a typed error or a result naming a step: never a crash (property tests
// over arbitrary JSON, and over valid resources with one element replaced by junk).
let validator: FhirValidator;
beforeAll(async () => {
  validator = await loadR4Validator();
});

const onlyTyped = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!isMedanchorError(e)) throw e;
  }
};

const event = auditEventFor({
  action: 'disclose',
  patient: 'Patient/p-42',
  user: 'Practitioner/dr-1',
  server: 'Device/ehr',
  client: 'Device/pc',
  record: 'Observation/obs-1/_history/1',
  recipient: 'Organization/insurer',
  purposes: ['TREAT'],
  recorded: '2026-03-10T09:30:00Z',
});
const keys = Object.keys(event);

describe('bad input never crashes', () => {
  it('validation, verification and mapping of arbitrary JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => {
        onlyTyped(() => assertFhirResource(v, validator));
        onlyTyped(() => consentGrantFromFhir(v));
        onlyTyped(() => consentGrantFromFhirR5(v));
        onlyTyped(() => provenanceForRecord(v as never));
        onlyTyped(() => auditEventFor(v as never));
        expect((await verifyProvenance(v, utf8('{}'))).ok).toBe(false);
        expect((await verifyAuditEvent(v, v)).ok).toBe(false);
        expect(checkAuditEventConsent(v as unknown as FhirAuditEvent, v).decision).toBe('deny');
      }),
      { numRuns: 200 },
    );
  });

  it('an AuditEvent with one element replaced by junk is refused by path or accepted, never crashes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, junk) => {
        const mutated = { ...structuredClone(event), [key]: junk };
        try {
          assertFhirResource(mutated, validator, { resourceType: 'AuditEvent' });
        } catch (e) {
          expect(isMedanchorError(e)).toBe(true);
          if (isMedanchorError(e)) expect(typeof e.details['path']).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a Consent (R4 and R5) with one provision element replaced by junk maps or is refused, never crashes', () => {
    const grant = createConsentGrant({
      patient: 'Patient/p-42',
      signer: consentSignerForKey(new Uint8Array(32).fill(9)),
      grantee: 'Practitioner/dr-1',
      actions: ['access'],
      purposes: ['TREAT'],
      scope: { records: ['Observation/obs-1'] },
      validFrom: '2026-01-01T00:00:00Z',
    });
    const r4 = consentGrantToFhir(grant);
    const r5 = consentGrantToFhirR5(grant);
    const provisionKeys = [
      ...Object.keys(r4.provision ?? {}),
      'provision',
      'securityLabel',
      'dataPeriod',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...provisionKeys), fc.jsonValue(), (key, junk) => {
        const a = structuredClone(r4) as unknown as Record<string, Record<string, unknown>>;
        a['provision']![key] = junk;
        onlyTyped(() => consentGrantFromFhir(a));
        const b = structuredClone(r5) as unknown as { provision: Record<string, unknown>[] };
        b.provision[0]![key] = junk;
        onlyTyped(() => consentGrantFromFhirR5(b));
      }),
      { numRuns: 500 },
    );
  });
});

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isMedanchorError, utf8 } from '@medanchor/core';
import {
  consentGrantFromFhir,
  consentGrantFromFhirR5,
  consentGrantToFhir,
  consentGrantToFhirR5,
} from '@medanchor/crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFhirVectors } from '../../../docs/spec/make-fhir-vectors.js';
import { repoPath } from '../../../test/helpers/vectors.js';
import { auditEventBytes, auditEventFor } from '../src/index.js';
import { loadR4Validator } from '../src/node/load-definitions.js';
import { verifyProvenance } from '../src/provenance-verify.js';
import { assertFhirResource, type FhirValidator } from '../src/validator.js';

// These vectors live in the repository (docs/spec/vectors), so they never skip.
// biome-ignore lint/suspicious/noExplicitAny: vector files are checked field by field below.
type Any = any;
const read = (name: string): Any =>
  JSON.parse(readFileSync(repoPath('docs', 'spec', 'vectors', name), 'utf8'));
const provenance = read('fhir-provenance.json');
const audit = read('fhir-audit-event.json');
const coverage = read('consent-fhir-coverage.json');
const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

let validator: FhirValidator;
beforeAll(async () => {
  validator = await loadR4Validator();
});

describe('docs/spec/vectors/fhir-*.json', () => {
  it('are exactly what docs/spec/make-fhir-vectors.ts generates (deterministic, up to date)', () => {
    for (const [name, content] of Object.entries(buildFhirVectors())) {
      expect(read(name), name).toEqual(JSON.parse(JSON.stringify(content)));
    }
  });

  for (const c of provenance.cases as Any[]) {
    it(`provenance: ${c.description} -> ${c.expect.ok ? 'ok' : c.expect.step}`, async () => {
      const r = await verifyProvenance(c.provenance, utf8(c.record));
      expect(r.ok).toBe(c.expect.ok);
      if (r.ok) {
        expect(r.targetChecked).toBe(c.expect.targetChecked);
        expect(c.provenance.target[0].reference).toBe(c.expect.target);
        // Valid vectors are valid FHIR R4, and the signature data is the receipt, base64.
        expect(() =>
          assertFhirResource(c.provenance, validator, { resourceType: 'Provenance' }),
        ).not.toThrow();
        const sig = c.provenance.signature[0];
        const receipt = JSON.parse(Buffer.from(sig.data, 'base64').toString('utf8'));
        expect(receipt.record.digest).toBe(sha256Hex(c.record));
        expect(sig.who.identifier.value).toBe(receipt.checkpoint.origin);
      } else {
        expect(r.step).toBe(c.expect.step);
      }
    });
  }

  for (const c of audit.cases as Any[]) {
    it(`audit event (${c.action}): valid R4, committed bytes and digest reproduce`, () => {
      expect(auditEventFor(c.input)).toEqual(c.event);
      expect(() =>
        assertFhirResource(c.event, validator, { resourceType: 'AuditEvent' }),
      ).not.toThrow();
      expect(new TextDecoder().decode(auditEventBytes(c.event))).toBe(c.committed);
      expect(sha256Hex(c.committed)).toBe(c.digest);
      // RFC 8785 for this ASCII-only JSON: keys sorted by code unit, no whitespace.
      const sorted = (v: Any): Any =>
        Array.isArray(v)
          ? v.map(sorted)
          : v && typeof v === 'object'
            ? Object.fromEntries(
                Object.keys(v)
                  .sort()
                  .map((k) => [k, sorted(v[k])]),
              )
            : v;
      expect(JSON.stringify(sorted(c.event))).toBe(c.committed);
    });
  }

  it('a stored copy (id and server meta added) commits the same bytes', () => {
    expect(audit.stored.digest).toBe(audit.cases[1].digest);
  });

  for (const [i, c] of (coverage.roundTrips as Any[]).entries()) {
    it(`consent coverage: round trip ${i} maps both ways in R4 and R5, and the R4 resource is valid`, () => {
      expect(consentGrantToFhir(c.grant)).toEqual(c.r4);
      expect(consentGrantToFhirR5(c.grant)).toEqual(c.r5);
      expect(consentGrantFromFhir(c.r4)).toEqual(c.grant);
      expect(consentGrantFromFhirR5(c.r5)).toEqual(c.grant);
      expect(() => assertFhirResource(c.r4, validator, { resourceType: 'Consent' })).not.toThrow();
    });
  }

  for (const c of coverage.folds as Any[]) {
    it(`consent coverage: ${c.description} folds into the grant; the resource is valid R4`, () => {
      expect(consentGrantFromFhir(c.fhir)).toEqual(c.grant);
      expect(() =>
        assertFhirResource(c.fhir, validator, { resourceType: 'Consent' }),
      ).not.toThrow();
    });
  }

  for (const c of coverage.refusals as Any[]) {
    it(`consent coverage: refuses ${c.description}`, () => {
      let err: unknown;
      try {
        consentGrantFromFhir(c.fhir);
      } catch (e) {
        err = e;
      }
      expect(isMedanchorError(err, 'INVALID_FHIR_CONSENT')).toBe(true);
      expect((err as Error).message).toContain(c.reason);
    });
  }
});

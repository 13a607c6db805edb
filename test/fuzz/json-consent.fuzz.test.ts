import {
  canonicalizeJson,
  canonicalizeJsonText,
  consentSignerForKey,
  createConsentGrant,
  createConsentRevocation,
  evaluateConsent,
  parseJsonStrict,
  parseSignedConsentGrant,
  parseSignedConsentRevocation,
  signConsentGrant,
  signConsentRevocation,
  verifyConsentGrant,
  verifyConsentRevocation,
} from '@medanchor/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzzParams, mutateAll, mutations, typedOutcome } from './harness.js';

const patientKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const grant = createConsentGrant({
  patient: 'Patient/1',
  signer: consentSignerForKey(patientKey),
  grantee: 'Practitioner/2',
  actions: ['access'],
  purposes: ['TREAT'],
  scope: { categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }] },
  validFrom: '2026-01-01T00:00:00Z',
  issuedAt: '2026-01-01T00:00:00Z',
  nonce: '00112233445566778899aabbccddeeff',
});
const signed = signConsentGrant(grant, patientKey, { auxRand: new Uint8Array(32) });
const grantText = new TextEncoder().encode(JSON.stringify(signed));
const revocation = signConsentRevocation(
  createConsentRevocation(grant, {
    revokedAt: '2026-02-01T00:00:00Z',
    nonce: 'ffeeddccbbaa99887766554433221100',
  }),
  patientKey,
  { auxRand: new Uint8Array(32) },
);
const revocationText = new TextEncoder().encode(JSON.stringify(revocation));
const decoder = new TextDecoder();

/** JSON-like text: real JSON, JSON with a mutation, deep nesting, or any string. */
const jsonText = fc.oneof(
  fc.json(),
  fc
    .json()
    .chain((t) => mutations.map((m) => decoder.decode(mutateAll(new TextEncoder().encode(t), m)))),
  fc
    .tuple(fc.nat(3000), fc.constantFrom('[', '{"a":', '[{"b":'))
    .map(([n, open]) => open.repeat(n)),
  fc.string(),
);

describe(`fuzz: JSON canonicalization and consent documents (${FUZZ_RUNS} inputs per property)`, () => {
  it('canonicalizeJsonText and parseJsonStrict give text or a typed error; canonical text is a fixed point', () => {
    fc.assert(
      fc.property(jsonText, (t) => {
        const c = typedOutcome(() => canonicalizeJsonText(t));
        const p = typedOutcome(() => parseJsonStrict(t));
        if ('code' in c) {
          expect(['INVALID_JSON', 'INVALID_JSON_VALUE', 'JSON_TOO_DEEP']).toContain(c.code);
        } else {
          expect(canonicalizeJsonText(c.value)).toBe(c.value);
        }
        if ('code' in p) expect(['INVALID_JSON', 'JSON_TOO_DEEP']).toContain(p.code);
      }),
      fuzzParams(),
    );
  });

  it('canonicalizeJson of any JavaScript value gives text or a typed error', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 6, withBigInt: true, withMap: true, withDate: true }),
        (v) => {
          const c = typedOutcome(() => canonicalizeJson(v));
          if ('code' in c) expect(['INVALID_JSON_VALUE', 'JSON_TOO_DEEP']).toContain(c.code);
        },
      ),
      fuzzParams(),
    );
  });

  it('a mutated signed grant is never accepted as another grant', () => {
    fc.assert(
      fc.property(mutations, (m) => {
        const text = decoder.decode(mutateAll(grantText, m));
        const parsed = typedOutcome(() => parseSignedConsentGrant(text));
        if ('code' in parsed) {
          expect(['INVALID_GRANT', 'BAD_SIGNATURE']).toContain(parsed.code);
          return;
        }
        // Accepted: then it is the same grant (a whitespace-only change, say).
        expect(canonicalizeJson(parsed.value)).toBe(canonicalizeJson(signed));
      }),
      fuzzParams(),
    );
  });

  it('verifyConsentGrant, verifyConsentRevocation and evaluateConsent never throw on any value', () => {
    const value = fc.oneof(
      fc.anything({ maxDepth: 4 }),
      fc.record({ grant: fc.anything({ maxDepth: 3 }), signature: fc.anything({ maxDepth: 1 }) }),
      fc.constant(signed).chain((s) =>
        fc.record({
          grant: fc.constant(s.grant),
          signature: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 130 }),
        }),
      ),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(verifyConsentGrant(v).valid).toBe(false);
        expect(verifyConsentRevocation(v).valid).toBe(false);
        const d = evaluateConsent(v, {
          request: { grantee: 'Practitioner/2', action: 'access', purpose: 'TREAT' },
          revocations: [v],
          now: new Date('2026-06-01T00:00:00Z'),
        });
        expect(d.decision).toBe('deny');
      }),
      fuzzParams(),
    );
  });

  it('a mutated signed revocation is refused or is the same revocation', () => {
    fc.assert(
      fc.property(mutations, (m) => {
        const text = decoder.decode(mutateAll(revocationText, m));
        const parsed = typedOutcome(() => parseSignedConsentRevocation(text));
        if ('code' in parsed) {
          expect(['INVALID_REVOCATION', 'BAD_SIGNATURE']).toContain(parsed.code);
          return;
        }
        expect(canonicalizeJson(parsed.value)).toBe(canonicalizeJson(revocation));
      }),
      fuzzParams(),
    );
  });
});

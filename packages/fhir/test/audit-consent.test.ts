import {
  consentSignerForKey,
  createConsentGrant,
  createConsentRevocation,
  signConsentGrant,
  signConsentRevocation,
} from '@medanchor/crypto';
import { describe, expect, it } from 'vitest';
import { checkAuditEventConsent, consentRequestOfAuditEvent } from '../src/audit-consent.js';
import { type AuditEventInput, auditEventFor } from '../src/audit-event.js';

const patientKey = new Uint8Array(32).fill(5);
const grant = signConsentGrant(
  createConsentGrant({
    patient: 'Patient/p-42',
    signer: consentSignerForKey(patientKey),
    grantee: 'Practitioner/dr-okafor',
    actions: ['access'],
    purposes: ['TREAT'],
    scope: {
      records: ['Observation/obs-1'],
      categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Condition' }],
    },
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    issuedAt: '2025-12-31T12:00:00Z',
  }),
  patientKey,
);
const revocation = signConsentRevocation(
  createConsentRevocation(grant.grant, { revokedAt: '2026-06-01T00:00:00Z' }),
  patientKey,
);

const event = (extra: Partial<AuditEventInput> = {}) =>
  auditEventFor({
    action: 'read',
    patient: 'Patient/p-42',
    user: 'Practitioner/dr-okafor',
    server: 'Device/ehr',
    client: 'Device/ward-pc',
    record: 'Observation/obs-1/_history/3',
    purposes: ['TREAT'],
    recorded: '2026-03-10T09:30:00+01:00',
    ...extra,
  } as AuditEventInput);

describe('an audited access checked against the consent', () => {
  it('maps the event to a consent request (requestor, action, purpose, unversioned record)', () => {
    expect(consentRequestOfAuditEvent(event())).toEqual({
      grantee: 'Practitioner/dr-okafor',
      action: 'access',
      purpose: 'TREAT',
      record: 'Observation/obs-1',
    });
    expect(
      consentRequestOfAuditEvent(
        event({ action: 'query', query: 'Condition?patient=Patient/p-42' }),
      ),
    ).toMatchObject({
      category: { code: 'Condition' },
    });
  });

  it('a read under the grant is permitted', () => {
    expect(checkAuditEventConsent(event(), grant, [revocation]).decision).toBe('permit');
    expect(
      checkAuditEventConsent(
        event({ action: 'query', query: 'Condition?patient=Patient/p-42' }),
        grant,
      ).decision,
    ).toBe('permit');
  });

  it('accesses outside the consent are flagged with the reason', () => {
    const reasons = [
      event({ recorded: '2026-07-01T00:00:00Z' }), // after the revocation
      event({ recorded: '2027-02-01T00:00:00Z' }),
      event({ user: 'Practitioner/someone-else' }),
      event({ action: 'disclose', recipient: 'Organization/insurer-9' }),
      event({ purposes: ['HMARKT'] }),
      event({ record: 'Observation/obs-2' }),
      event({ purposes: [] }),
    ].map((e) => {
      const c = checkAuditEventConsent(e, grant, [revocation]);
      return c.decision === 'deny' ? c.reason : 'permit';
    });
    expect(reasons).toEqual([
      'revoked',
      'expired',
      'wrong-grantee',
      'action-not-granted',
      'purpose-not-granted',
      'out-of-scope',
      'not-a-request',
    ]);
  });

  it('a tampered grant is denied, never trusted', () => {
    const forged = { ...grant, grant: { ...grant.grant, grantee: 'Practitioner/mallory' } };
    expect(checkAuditEventConsent(event({ user: 'Practitioner/mallory' }), forged)).toMatchObject({
      decision: 'deny',
      reason: 'bad-signature',
    });
  });
});

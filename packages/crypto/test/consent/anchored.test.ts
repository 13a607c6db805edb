import { describe, expect, it } from 'vitest';
import {
  type ConsentAnchorTime,
  consentLedgerBytes,
  evaluateAnchoredConsent,
} from '../../src/consent/anchored.js';
import { evaluateConsent } from '../../src/consent/evaluate.js';
import { createConsentRevocation, signConsentRevocation } from '../../src/consent/revocation.js';
import { serializeSignedConsentGrant, signConsentGrant } from '../../src/consent/sign.js';
import { patientKey, sampleGrant } from './fixtures.js';

const signed = signConsentGrant(sampleGrant(), patientKey);
const request = {
  grantee: 'Practitioner/dr-456',
  action: 'access',
  purpose: 'TREAT',
  record: 'DocumentReference/discharge-2026-03',
} as const;
const s = (t: string) => Date.parse(t) / 1000;
const bound = (t: string): ConsentAnchorTime => ({ time: s(t), bound: true });
const claimed = (t: string): ConsentAnchorTime => ({ time: s(t), bound: false });
const revoke = (revokedAt: string) =>
  signConsentRevocation(
    createConsentRevocation(signed.grant, { revokedAt, nonce: 'ab'.repeat(16) }),
    patientKey,
  );
// issuedAt 2025-12-31T12:00:00Z, valid 2026-01-01 .. 2027-01-01
const grantAnchor = bound('2025-12-31T13:00:00Z');

describe('evaluateAnchoredConsent', () => {
  it('permits with a proven time when the grant was anchored (bound) before the access', () => {
    const d = evaluateAnchoredConsent(signed, { request, at: '2026-03-10T09:30:00Z', grantAnchor });
    expect(d).toMatchObject({ decision: 'permit', timeProven: true, at: '2026-03-10T09:30:00Z' });
    expect(d.grant).toEqual({
      anchoredBy: grantAnchor.time,
      proven: true,
      existedAt: true,
      backdated: false,
    });
  });

  it('permits without a proven time when the grant has no anchor, or one after the access', () => {
    const none = evaluateAnchoredConsent(signed, { request, at: '2026-03-10T09:30:00Z' });
    expect(none).toMatchObject({ decision: 'permit', timeProven: false });
    expect(none.findings.join(' ')).toMatch(/no usable anchor/);
    const late = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-10T09:30:00Z',
      grantAnchor: bound('2026-04-01T00:00:00Z'),
    });
    expect(late).toMatchObject({ decision: 'permit', timeProven: false });
    expect(late.grant).toMatchObject({ existedAt: false, backdated: true });
    expect(late.findings.join(' ')).toMatch(/anchored after the access.*back-dated/s);
  });

  it('never treats an unbound (test network) time as proven, even when told to use it', () => {
    const ignored = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-10T09:30:00Z',
      grantAnchor: claimed('2025-12-31T13:00:00Z'),
    });
    expect(ignored.timeProven).toBe(false);
    expect(ignored.grant?.anchoredBy).toBeUndefined();
    const used = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-10T09:30:00Z',
      grantAnchor: claimed('2025-12-31T13:00:00Z'),
      useUnboundTimes: true,
    });
    expect(used.grant).toMatchObject({ anchoredBy: s('2025-12-31T13:00:00Z'), proven: false });
    expect(used.timeProven).toBe(false);
    expect(used.findings.join(' ')).toMatch(/claimed, not proven/);
  });

  it('a revocation is provably in effect from its bound anchor, claimed between revokedAt and the anchor', () => {
    const revocations = [
      { revocation: revoke('2026-03-01T00:00:00Z'), anchor: bound('2026-03-01T02:00:00Z') },
    ];
    const after = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-10T09:30:00Z',
      grantAnchor,
      revocations,
    });
    expect(after).toMatchObject({ decision: 'deny', reason: 'revoked', timeProven: true });
    const between = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-01T01:00:00Z',
      grantAnchor,
      revocations,
    });
    expect(between).toMatchObject({ decision: 'deny', reason: 'revoked', timeProven: false });
    const before = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-02-28T23:59:59Z',
      grantAnchor,
      revocations,
    });
    expect(before).toMatchObject({ decision: 'permit', timeProven: true });
    expect(before.revocations[0]).toMatchObject({ applies: false, backdated: false, proven: true });
  });

  it('a back-dated revocation is reported and takes effect only from its anchor minus the allowed delay', () => {
    const revocation = revoke('2026-02-01T00:00:00Z');
    const revocations = [{ revocation, anchor: bound('2026-03-09T00:00:00Z') }];
    const at = '2026-02-15T00:00:00Z';
    // Taken at its word, the signed revocation denies the access...
    expect(evaluateConsent(signed, { request, now: at, revocations: [revocation] })).toMatchObject({
      decision: 'deny',
      reason: 'revoked',
    });
    // ...but it did not exist until shortly before its anchor.
    const d = evaluateAnchoredConsent(signed, { request, at, grantAnchor, revocations });
    expect(d).toMatchObject({ decision: 'permit', timeProven: true });
    expect(d.revocations[0]).toMatchObject({
      backdated: true,
      effectiveAt: s('2026-03-08T00:00:00Z'),
      applies: false,
    });
    expect(d.findings.join(' ')).toMatch(/revocation 0 is back-dated/);
    const window = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-08T12:00:00Z',
      grantAnchor,
      revocations,
    });
    expect(window).toMatchObject({ decision: 'deny', reason: 'revoked', timeProven: false });
    const wider = evaluateAnchoredConsent(signed, {
      request,
      at,
      grantAnchor,
      revocations,
      maxAnchorDelay: 60 * 86_400,
    });
    expect(wider).toMatchObject({ decision: 'deny', reason: 'revoked' });
    expect(wider.revocations[0]?.backdated).toBe(false);
  });

  it('a revocation dated after its anchor is effective no later than the anchor', () => {
    const revocations = [
      { revocation: revoke('2026-06-01T00:00:00Z'), anchor: bound('2026-03-05T00:00:00Z') },
    ];
    const d = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-10T09:30:00Z',
      grantAnchor,
      revocations,
    });
    expect(d).toMatchObject({ decision: 'deny', reason: 'revoked', timeProven: true });
    expect(d.revocations[0]).toMatchObject({
      postdated: true,
      effectiveAt: s('2026-03-05T00:00:00Z'),
    });
  });

  it('an unanchored or test-network revocation counts from its claimed revokedAt, never proven', () => {
    for (const anchor of [undefined, claimed('2026-03-09T00:00:00Z')]) {
      const revocations = [
        { revocation: revoke('2026-03-01T00:00:00Z'), ...(anchor ? { anchor } : {}) },
      ];
      const d = evaluateAnchoredConsent(signed, {
        request,
        at: '2026-03-02T00:00:00Z',
        grantAnchor,
        revocations,
      });
      expect(d).toMatchObject({ decision: 'deny', reason: 'revoked', timeProven: false });
      expect(d.revocations[0]).toMatchObject({ proven: false, backdated: false });
    }
  });

  it('ignores revocations whose signature does not verify', () => {
    const good = revoke('2026-03-01T00:00:00Z');
    const forged = {
      ...good,
      revocation: { ...good.revocation, revokedAt: '2026-02-01T00:00:00Z' },
    };
    const revocations = [{ revocation: forged, anchor: bound('2026-03-01T01:00:00Z') }];
    const d = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-10T09:30:00Z',
      grantAnchor,
      revocations,
    });
    expect(d).toMatchObject({ decision: 'permit', revocations: [] });
  });

  it('keeps the rule order of evaluateConsent: an expired grant is expired, not revoked', () => {
    const revocations = [
      { revocation: revoke('2026-03-01T00:00:00Z'), anchor: bound('2026-03-01T01:00:00Z') },
    ];
    const d = evaluateAnchoredConsent(signed, {
      request,
      at: '2027-02-01T00:00:00Z',
      grantAnchor,
      revocations,
    });
    expect(d).toMatchObject({ decision: 'deny', reason: 'expired', timeProven: true });
    const other = evaluateAnchoredConsent(signed, {
      request: { ...request, grantee: 'Practitioner/other' },
      at: '2026-03-10T09:30:00Z',
      grantAnchor,
    });
    expect(other).toMatchObject({ decision: 'deny', reason: 'wrong-grantee' });
  });

  it('bad input is a denial that says why, never a throw', () => {
    expect(
      evaluateAnchoredConsent({ grant: 1 }, { request, at: '2026-03-10T09:30:00Z' }),
    ).toMatchObject({
      decision: 'deny',
      reason: 'invalid-grant',
    });
    expect(evaluateAnchoredConsent(signed, { request, at: 'yesterday' })).toMatchObject({
      decision: 'deny',
      reason: 'invalid-request',
    });
    expect(evaluateAnchoredConsent(signed, null as never)).toMatchObject({
      decision: 'deny',
      reason: 'invalid-request',
    });
    const junk = evaluateAnchoredConsent(signed, {
      request,
      at: '2026-03-10T09:30:00Z',
      grantAnchor: { time: Number.NaN, bound: true },
      revocations: [null, 7, { revocation: 'x' }] as never,
    });
    expect(junk).toMatchObject({ decision: 'permit', timeProven: false, revocations: [] });
  });

  it('the ledger bytes of a signed grant are its canonical JSON', () => {
    expect(new TextDecoder().decode(consentLedgerBytes(signed))).toBe(
      serializeSignedConsentGrant(signed),
    );
  });
});

// Writes docs/spec/vectors/consent-anchored.json: the anchored-time vectors of
// docs/spec/consent.md section 11. Deterministic: the grant of consent-grants.json
// vector 0, fixed revocation nonces and BIP-340 aux randomness.
// Run: npx tsx docs/spec/make-consent-anchored-vectors.ts   (the test suite checks the file)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '@medanchor/core';
import {
  type AnchoredConsentContext,
  type ConsentAnchorTime,
  consentLedgerBytes,
  createConsentRevocation,
  evaluateAnchoredConsent,
  type SignedConsentGrant,
  signConsentRevocation,
} from '@medanchor/crypto';

const AUX = new Uint8Array(32).fill(7);
const s = (t: string) => Date.parse(t) / 1000;
const bound = (t: string): ConsentAnchorTime => ({ time: s(t), bound: true });
const claimed = (t: string): ConsentAnchorTime => ({ time: s(t), bound: false });

/** The vector file's content, built from consent-grants.json vector 0. */
export function buildConsentAnchoredVectors(): Record<string, unknown> {
  const grants = JSON.parse(
    readFileSync(fileURLToPath(new URL('./vectors/consent-grants.json', import.meta.url)), 'utf8'),
  ).vectors;
  const g = grants[0];
  const signed: SignedConsentGrant = { grant: g.grant, signature: g.signature };
  const key = fromHex(g.secretKey);
  const revoke = (revokedAt: string, n: number) =>
    signConsentRevocation(
      createConsentRevocation(g.grant, { revokedAt, nonce: n.toString(16).padStart(32, '0') }),
      key,
      { auxRand: AUX },
    );
  const request = {
    grantee: 'Practitioner/dr-456',
    action: 'access',
    purpose: 'TREAT',
    record: 'DocumentReference/discharge-2026-03',
  };
  const grantAnchor = bound('2025-12-31T13:00:00Z');
  const honest = revoke('2026-03-01T00:00:00Z', 1);
  const backdated = revoke('2026-02-01T00:00:00Z', 2);
  const postdated = revoke('2026-06-01T00:00:00Z', 3);
  type Case = Omit<AnchoredConsentContext, 'request'> & { description: string };
  const cases: Case[] = [
    {
      description: 'bound grant anchor before the access: permit, proven',
      at: '2026-03-10T09:30:00Z',
      grantAnchor,
    },
    { description: 'no grant anchor: permit, not proven', at: '2026-03-10T09:30:00Z' },
    {
      description:
        'grant anchored long after issuedAt and after the access: back-dated grant, not proven',
      at: '2026-03-10T09:30:00Z',
      grantAnchor: bound('2026-04-01T00:00:00Z'),
    },
    {
      description: 'unbound grant anchor, even when used: never proven',
      at: '2026-03-10T09:30:00Z',
      grantAnchor: claimed('2025-12-31T13:00:00Z'),
      useUnboundTimes: true,
    },
    {
      description: 'access after the bound anchor of a revocation: revoked, proven',
      at: '2026-03-10T09:30:00Z',
      grantAnchor,
      revocations: [{ revocation: honest, anchor: bound('2026-03-01T02:00:00Z') }],
    },
    {
      description: 'access between revokedAt and the anchor: revoked, not proven',
      at: '2026-03-01T01:00:00Z',
      grantAnchor,
      revocations: [{ revocation: honest, anchor: bound('2026-03-01T02:00:00Z') }],
    },
    {
      description:
        'back-dated revocation: effective from anchor minus maxAnchorDelay, so permit before',
      at: '2026-02-15T00:00:00Z',
      grantAnchor,
      revocations: [{ revocation: backdated, anchor: bound('2026-03-09T00:00:00Z') }],
    },
    {
      description: 'back-dated revocation within a wider maxAnchorDelay: not back-dated, revoked',
      at: '2026-02-15T00:00:00Z',
      grantAnchor,
      revocations: [{ revocation: backdated, anchor: bound('2026-03-09T00:00:00Z') }],
      maxAnchorDelay: 60 * 86_400,
    },
    {
      description: 'post-dated revocation: effective no later than its anchor',
      at: '2026-03-10T09:30:00Z',
      grantAnchor,
      revocations: [{ revocation: postdated, anchor: bound('2026-03-05T00:00:00Z') }],
    },
    {
      description: 'revocation with an unbound anchor, not used: counts from revokedAt, not proven',
      at: '2026-03-02T00:00:00Z',
      grantAnchor,
      revocations: [{ revocation: backdated, anchor: claimed('2026-03-09T00:00:00Z') }],
    },
    {
      description: 'an expired grant is expired whatever the revocations say',
      at: '2027-02-01T00:00:00Z',
      grantAnchor,
      revocations: [{ revocation: honest, anchor: bound('2026-03-01T02:00:00Z') }],
    },
  ];
  const vectors = cases.map(({ description, ...c }) => {
    const d = evaluateAnchoredConsent(signed, { request, ...c } as AnchoredConsentContext);
    return {
      description,
      context: JSON.parse(JSON.stringify(c)),
      expected: {
        decision: d.decision,
        ...(d.decision === 'deny' ? { reason: d.reason } : {}),
        timeProven: d.timeProven,
        grant: d.grant,
        revocations: d.revocations,
      },
    };
  });
  return {
    description:
      'Consent decided from anchored times (consent.md section 11): grant 0 of consent-grants.json, the request below, and per vector the evaluation context and the expected decision and findings.',
    grant: 0,
    request,
    ledgerBytes: {
      grant: toHex(consentLedgerBytes(signed)),
      revocation: toHex(consentLedgerBytes(honest)),
      revocationSigned: honest,
    },
    vectors,
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = fileURLToPath(new URL('./vectors/consent-anchored.json', import.meta.url));
  writeFileSync(path, `${JSON.stringify(buildConsentAnchoredVectors(), null, 2)}\n`);
  console.log(`wrote ${path}`);
}

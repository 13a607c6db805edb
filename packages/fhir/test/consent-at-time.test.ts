import { sha256, utf8 } from '@medanchor/core';
import {
  consentLedgerBytes,
  createConsentRevocation,
  evaluateConsent,
  type SignedConsentGrant,
  type SignedConsentRevocation,
  signConsentRevocation,
} from '@medanchor/crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { consentAnchorTime, evaluateConsentAtTime } from '../src/consent-at-time.js';
import { accessGrant, devLedger, iso, accessRequest as request, tipTime } from './helpers.js';

// Real anchors on an in-process devnet (seeded: block times step 600 s from 2011). Its
// times are test-network times: never proven, used only when useUnboundTimes says so.
// The proven (bound) path is covered with data in packages/crypto/test/consent/anchored.test.ts.
const patientKey = sha256(utf8('consent-at-time test patient key: not for real use'));

let env: Awaited<ReturnType<typeof devLedger>>;
let t0: number;
let grant: SignedConsentGrant;
let grantReceipt: unknown;
let revocation: SignedConsentRevocation;
let revocationReceipt: unknown;

async function commit(doc: object): Promise<unknown> {
  const { leafIndex } = await env.ledger.add(consentLedgerBytes(doc));
  await env.anchor();
  return env.ledger.receipt(leafIndex);
}

beforeAll(async () => {
  env = await devLedger('consent-at-time');
  t0 = await tipTime(env.devnet);
  grant = accessGrant(patientKey, t0);
  grantReceipt = await commit(grant);
  // Back-dated: signed as effective one minute after the grant, committed hours later.
  await env.devnet.test.mine(12);
  revocation = signConsentRevocation(
    createConsentRevocation(grant.grant, { revokedAt: iso(t0 + 60) }),
    patientKey,
  );
  revocationReceipt = await commit(revocation);
}, 120_000);

describe('consent at a time, from devnet anchors', () => {
  it('verifies the grant receipt at level 3 but reports its test-network time as not proven', async () => {
    const f = await consentAnchorTime(grant, grantReceipt, { anchors: [env.verifier] });
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    expect(f.anchor.bound).toBe(false);
    expect(f.anchor.time).toBeGreaterThan(t0);
    expect(f.statement).toMatch(/test network: proves nothing about time/);
  });

  it('by default ignores devnet times: decides on the signed claims, timeProven false', async () => {
    const d = await evaluateConsentAtTime(
      grant,
      {
        request,
        at: iso(t0 + 120),
        grantReceipt,
        revocations: [{ revocation, receipt: revocationReceipt }],
      },
      { anchors: [env.verifier] },
    );
    expect(d).toMatchObject({ decision: 'deny', reason: 'revoked', timeProven: false });
    expect(d.grantReceipt?.ok).toBe(true);
    expect(d.revocations[0]).toMatchObject({ proven: false, backdated: false });
    expect(d.revocations[0]?.anchoredBy).toBeUndefined();
  });

  it('with devnet times in use, the back-dated revocation is reported and effective only near its anchor', async () => {
    const options = { anchors: [env.verifier], useUnboundTimes: true, maxAnchorDelay: 1800 };
    const revocations = [{ revocation, receipt: revocationReceipt }];
    const early = iso(t0 + 120);
    expect(
      evaluateConsent(grant, { request, now: early, revocations: [revocation] }),
    ).toMatchObject({
      decision: 'deny',
      reason: 'revoked',
    });
    const d = await evaluateConsentAtTime(
      grant,
      { request, at: early, grantReceipt, revocations },
      options,
    );
    expect(d).toMatchObject({ decision: 'permit', timeProven: false });
    const r = d.revocations[0]!;
    expect(r).toMatchObject({ backdated: true, proven: false, applies: false });
    expect(r.effectiveAt).toBe(r.anchoredBy! - 1800);
    expect(d.findings.join('\n')).toMatch(/revocation 0 is back-dated/);
    expect(d.grant).toMatchObject({ proven: false, existedAt: false });

    const later = await evaluateConsentAtTime(
      grant,
      { request, at: iso(r.anchoredBy! + 60), grantReceipt, revocations },
      options,
    );
    expect(later).toMatchObject({ decision: 'deny', reason: 'revoked', timeProven: false });
  });

  it('a receipt that is not the document’s is reported, and the document counts by its claim', async () => {
    const d = await evaluateConsentAtTime(
      grant,
      {
        request,
        at: iso(t0 + 120),
        grantReceipt,
        revocations: [{ revocation, receipt: grantReceipt }],
      },
      { anchors: [env.verifier], useUnboundTimes: true, maxAnchorDelay: 1800 },
    );
    expect(d.revocationReceipts[0]).toMatchObject({ ok: false, step: 'content' });
    expect(d).toMatchObject({ decision: 'deny', reason: 'revoked', timeProven: false });
    expect(d.revocations[0]?.anchoredBy).toBeUndefined();
  });

  it('bad input is reported, never thrown', async () => {
    expect(await consentAnchorTime(null, grantReceipt)).toMatchObject({
      ok: false,
      step: 'content',
    });
    expect(await consentAnchorTime(grant, { junk: true })).toMatchObject({ ok: false });
    expect(await consentAnchorTime(grant, grantReceipt)).toMatchObject({ ok: false });
    const d = await evaluateConsentAtTime(grant, null as never);
    expect(d).toMatchObject({ decision: 'deny', reason: 'invalid-request' });
  });
});

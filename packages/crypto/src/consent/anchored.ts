// Consent decided from anchored times. The signed documents say when the patient claims
// to have granted and withdrawn consent; a ledger anchor proves when each document
// existed at the latest. This module takes those proven times as plain data (crypto has
// no Bitcoin code): the caller verifies the receipts and passes what they bound.
import { utf8 } from '@medanchor/core';
import { canonicalizeJson } from '../jcs/jcs.js';
import { type ConsentDecision, type ConsentRequest, evaluateConsent } from './evaluate.js';
import { type ConsentGrant, isPlainObject } from './grant.js';
import { verifyConsentRevocation } from './revocation.js';
import { verifyConsentGrant } from './sign.js';
import { formatConsentTime, parseConsentTime } from './time.js';

/**
 * When a ledger anchor shows a consent document existed, as its receipt verification
 * reported it (`facts` of `verifyReceipt` in `@medanchor/core`).
 */
export interface ConsentAnchorTime {
  /** Unix seconds: the document existed no later than this (the block's time). */
  readonly time: number;
  /**
   * True only when verification bound the time to proof of work on a public network
   * (`facts.notLaterThan` present, not a test network). Anything else is a claim.
   */
  readonly bound: boolean;
}

/** A signed revocation and, when it was committed to a ledger and anchored, its time. */
export interface AnchoredRevocation {
  /** The signed revocation (as for `evaluateConsent`). */
  readonly revocation: unknown;
  /** When its anchor shows it existed; absent when not anchored (or not verified). */
  readonly anchor?: ConsentAnchorTime;
}

/** Inputs of {@link evaluateAnchoredConsent} besides the grant. */
export interface AnchoredConsentContext {
  /** The request to decide. */
  readonly request: ConsentRequest;
  /** The instant of the access; a `Date` or a consent time string. */
  readonly at: Date | string;
  /** When the signed grant's anchor shows it existed. */
  readonly grantAnchor?: ConsentAnchorTime;
  /** Signed revocations, each with its anchor time when known. */
  readonly revocations?: readonly AnchoredRevocation[];
  /**
   * Seconds a document may honestly take from signing to its anchor (batching, block
   * interval, confirmations). A document dated earlier than its anchor minus this is
   * back-dated. Default 86 400 (one day).
   */
  readonly maxAnchorDelay?: number;
  /**
   * Use anchor times that are not bound (test networks, level-2 claims) in the decision.
   * They are still never reported as proven. For demos and tests on devnet. Default false.
   */
  readonly useUnboundTimes?: boolean;
}

/** What the anchors showed about one revocation. */
export interface AnchoredRevocationFinding {
  /** Index in `context.revocations`. */
  readonly index: number;
  /** The time the patient signed as the start of the withdrawal. */
  readonly revokedAt: string;
  /** The anchor's time (unix seconds) when one was given and used. */
  readonly anchoredBy?: number;
  /** True when `anchoredBy` was bound (proven). */
  readonly proven: boolean;
  /** Unix seconds from which this evaluation treats the grant as withdrawn. */
  readonly effectiveAt: number;
  /** `revokedAt` is earlier than the anchor minus `maxAnchorDelay`. */
  readonly backdated: boolean;
  /** `revokedAt` is later than the anchor: effective at the anchor instead. */
  readonly postdated: boolean;
  /** It is in effect at `at`. */
  readonly applies: boolean;
}

/** What the anchor showed about the grant. */
export interface AnchoredGrantFinding {
  /** The anchor's time (unix seconds) when one was given and used. */
  readonly anchoredBy?: number;
  /** True when `anchoredBy` was bound (proven). */
  readonly proven: boolean;
  /** The grant provably existed at `at` (a bound anchor no later than `at`). */
  readonly existedAt: boolean;
  /** `issuedAt` is earlier than the anchor minus `maxAnchorDelay`. */
  readonly backdated: boolean;
}

/** The outcome of {@link evaluateAnchoredConsent}: the decision and how well its times are proven. */
export type AnchoredConsentDecision = ConsentDecision & {
  /** The instant decided, `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly at: string;
  /**
   * True when every time the decision rests on is bound by an anchor: for `permit`, the
   * grant existed before `at`; for `revoked`, the revocation was anchored by `at`.
   * Denials that follow from the signed grant alone (expired, out of scope, ...) are true.
   */
  readonly timeProven: boolean;
  /** The grant's anchor finding (absent when the grant did not verify). */
  readonly grant?: AnchoredGrantFinding;
  /** One finding per valid revocation of this grant, in input order. */
  readonly revocations: readonly AnchoredRevocationFinding[];
  /** Sentences for an auditor: what is proven, what is only claimed, what is back-dated. */
  readonly findings: readonly string[];
};

const DAY = 86_400;

/**
 * The bytes an application commits to a ledger for a signed grant or a signed revocation:
 * RFC 8785 canonical JSON of the signed document, UTF-8 (docs/spec/consent.md section
 * "Anchored consent time"). Committing the signature, not only the digest, proves the
 * patient had signed by the anchor.
 * @throws `MedanchorError` `INVALID_JSON_VALUE` for a value JSON cannot carry.
 */
export function consentLedgerBytes(signedDocument: object): Uint8Array {
  return utf8(canonicalizeJson(signedDocument));
}

/**
 * Decides whether a signed grant permitted `request` at the instant `at`, using the
 * anchors' times: a revocation is effective no later than its anchor, a back-dated
 * revocation (signed as taking effect long before it was anchored) takes effect only
 * from its anchor minus `maxAnchorDelay`, and the result says which times are proven.
 * Unbound times (test networks, unchecked claims) are ignored unless `useUnboundTimes`,
 * and never count as proven. Never throws.
 * @example
 * ```ts
 * const d = evaluateAnchoredConsent(signedGrant, {
 *   request, at: '2026-03-10T09:30:00Z',
 *   grantAnchor: { time: 1767225600, bound: true },
 *   revocations: [{ revocation, anchor: { time: 1773100000, bound: true } }],
 * });
 * if (d.decision === 'permit' && !d.timeProven) console.log(d.findings.join('\n'));
 * ```
 */
export function evaluateAnchoredConsent(
  signedGrant: unknown,
  context: AnchoredConsentContext,
): AnchoredConsentDecision {
  const ctx = isPlainObject(context) ? (context as Partial<AnchoredConsentContext>) : {};
  const atMs = instant(ctx.at);
  const atText = atMs === undefined ? '' : formatConsentTime(atMs);
  // Rules 1 to 5 and 7 to 10 do not depend on revocations: decide them first.
  const base = evaluateConsent(signedGrant, {
    request: ctx.request as ConsentRequest,
    now: atMs === undefined ? 'invalid' : atText,
  });
  const bare = (d: ConsentDecision): AnchoredConsentDecision => ({
    ...d,
    at: atText,
    timeProven: true,
    revocations: [],
    findings: [],
  });
  if (base.decision === 'deny' && ['invalid-grant', 'bad-signature'].includes(base.reason))
    return bare(base);
  const grant = (verifyConsentGrant(signedGrant) as { grant: ConsentGrant }).grant;
  if (atMs === undefined || (base.decision === 'deny' && base.reason === 'invalid-request'))
    return bare(base);
  const at = Math.floor(atMs / 1000);
  const delay = validDelay(ctx.maxAnchorDelay);
  const useUnbound = ctx.useUnboundTimes === true;
  const usable = (a: unknown): ConsentAnchorTime | undefined =>
    anchorTime(a) && ((a as ConsentAnchorTime).bound || useUnbound)
      ? (a as ConsentAnchorTime)
      : undefined;
  const findings: string[] = [];

  const ga = usable(ctx.grantAnchor);
  const issued = Math.floor(parseConsentTime(grant.issuedAt)! / 1000);
  const grantFinding: AnchoredGrantFinding = {
    ...(ga === undefined ? {} : { anchoredBy: ga.time }),
    proven: ga?.bound === true,
    existedAt: ga?.bound === true && ga.time <= at,
    backdated: ga !== undefined && issued < ga.time - delay,
  };
  if (ga === undefined)
    findings.push('the grant has no usable anchor: its existence at the access is not proven');
  else {
    findings.push(
      `the grant existed no later than ${utc(ga.time)} (${ga.bound ? 'proven' : 'claimed, not proven'})`,
    );
    if (ga.time > at)
      findings.push('the grant was anchored after the access: its existence then is not proven');
    if (grantFinding.backdated)
      findings.push(`the grant is back-dated: issued ${grant.issuedAt}, anchored ${utc(ga.time)}`);
  }

  const revocations: AnchoredRevocationFinding[] = [];
  const list = Array.isArray(ctx.revocations) ? ctx.revocations : [];
  list.forEach((entry: unknown, index) => {
    if (!isPlainObject(entry)) return;
    const v = verifyConsentRevocation(entry['revocation'], grant);
    if (!v.valid) return;
    const claimed = Math.floor(parseConsentTime(v.revocation.revokedAt)! / 1000);
    const a = usable(entry['anchor']);
    // Effective no later than the anchor; a back-dated one not before its plausible signing.
    const effectiveAt =
      a === undefined ? claimed : Math.min(Math.max(claimed, a.time - delay), a.time);
    const f: AnchoredRevocationFinding = {
      index,
      revokedAt: v.revocation.revokedAt,
      ...(a === undefined ? {} : { anchoredBy: a.time }),
      proven: a?.bound === true,
      effectiveAt,
      backdated: a !== undefined && claimed < a.time - delay,
      postdated: a !== undefined && claimed > a.time,
      applies: effectiveAt <= at,
    };
    revocations.push(f);
    if (f.backdated) {
      findings.push(
        `revocation ${index} is back-dated: it says ${f.revokedAt} but was anchored ${utc(a!.time)}; effective from ${utc(effectiveAt)}`,
      );
    } else if (f.postdated) {
      findings.push(
        `revocation ${index} says ${f.revokedAt} but was anchored ${utc(a!.time)}; effective from its anchor`,
      );
    } else if (a === undefined) {
      findings.push(`revocation ${index} has no usable anchor: its time ${f.revokedAt} is claimed`);
    }
  });

  const withFindings = (d: ConsentDecision, timeProven: boolean): AnchoredConsentDecision => ({
    ...d,
    at: atText,
    timeProven,
    grant: grantFinding,
    revocations,
    findings,
  });
  // not-yet-valid and expired come from the patient's own signed period: rule order kept.
  if (base.decision === 'deny' && ['not-yet-valid', 'expired'].includes(base.reason))
    return withFindings(base, true);
  const applying = revocations
    .filter((r) => r.applies)
    .sort((x, y) => Number(y.proven) - Number(x.proven) || x.effectiveAt - y.effectiveAt)[0];
  if (applying !== undefined) {
    const provenNow = applying.proven && applying.anchoredBy! <= at;
    findings.push(
      provenNow
        ? `the grant was provably revoked at the access (revocation ${applying.index} anchored ${utc(applying.anchoredBy!)})`
        : `the access falls after revocation ${applying.index} takes effect (${utc(applying.effectiveAt)}), but before any proven anchor of it`,
    );
    return withFindings(
      {
        decision: 'deny',
        reason: 'revoked',
        detail: `the patient revoked the grant, effective ${utc(applying.effectiveAt)}`,
        ...(base.grantHash === undefined ? {} : { grantHash: base.grantHash }),
      },
      provenNow,
    );
  }
  if (base.decision === 'deny') return withFindings(base, true);
  return withFindings(base, grantFinding.existedAt);
}

function instant(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.getTime() : undefined;
  return parseConsentTime(v);
}

function anchorTime(a: unknown): boolean {
  return (
    isPlainObject(a) &&
    Number.isSafeInteger(a['time']) &&
    (a['time'] as number) >= 0 &&
    typeof a['bound'] === 'boolean'
  );
}

function validDelay(d: unknown): number {
  return typeof d === 'number' && Number.isFinite(d) && d >= 0 ? Math.floor(d) : DAY;
}

function utc(seconds: number): string {
  return formatConsentTime(seconds * 1000);
}

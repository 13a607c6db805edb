import { type ConsentAction, type ConsentCategory, isPlainObject } from './grant.js';
import { verifyConsentRevocation } from './revocation.js';
import { verifyConsentGrant } from './sign.js';
import { parseConsentTime } from './time.js';

/** One access someone asks to make under a grant. */
export interface ConsentRequest {
  /** Who asks, as a reference compared exactly with `grant.grantee`. */
  grantee: string;
  /** What they want to do. */
  action: ConsentAction;
  /** Why (a purpose-of-use code compared exactly with `grant.purposes`). */
  purpose: string;
  /** The record asked for; in scope when listed in `scope.records`. */
  record?: string;
  /** The record's category; in scope when listed in `scope.categories`. */
  category?: ConsentCategory;
}

/**
 * Why a request is denied; the first failing rule of docs/spec/consent.md section
 * "Evaluation", in this order.
 */
export type ConsentDenyReason =
  | 'invalid-grant'
  | 'bad-signature'
  | 'invalid-request'
  | 'not-yet-valid'
  | 'expired'
  | 'revoked'
  | 'wrong-grantee'
  | 'action-not-granted'
  | 'purpose-not-granted'
  | 'out-of-scope';

/** The outcome of {@link evaluateConsent}. */
export type ConsentDecision =
  | { decision: 'permit'; grantHash: string }
  | { decision: 'deny'; reason: ConsentDenyReason; detail: string; grantHash?: string };

/** Inputs of {@link evaluateConsent} besides the grant. */
export interface ConsentEvaluationContext {
  /** The request to decide. */
  request: ConsentRequest;
  /** Signed revocations known to the caller; invalid ones and those for other grants are ignored. */
  revocations?: readonly unknown[];
  /** The instant to decide at (default: now); a `Date` or a consent time string. */
  now?: Date | string;
}

/**
 * Decides whether a signed grant permits `request` at `now`: checks the grant's
 * shape and signature, its validity period, revocations, then grantee, action,
 * purpose and data scope. Never throws; bad input is a denial that says why.
 * @example
 * ```ts
 * const d = evaluateConsent(signedGrant, {
 *   request: { grantee: 'Practitioner/456', action: 'access', purpose: 'TREAT', record: 'DocumentReference/9' },
 *   revocations,
 * });
 * if (d.decision === 'deny') console.log(d.reason); // e.g. 'expired'
 * ```
 */
export function evaluateConsent(
  signedGrant: unknown,
  context: ConsentEvaluationContext,
): ConsentDecision {
  const checked = verifyConsentGrant(signedGrant);
  if (!checked.valid) {
    return checked.step === 'shape'
      ? { decision: 'deny', reason: 'invalid-grant', detail: checked.reason }
      : { decision: 'deny', reason: 'bad-signature', detail: checked.reason };
  }
  const { grant, grantHash } = checked;
  const deny = (reason: ConsentDenyReason, detail: string): ConsentDecision => ({
    decision: 'deny',
    reason,
    detail,
    grantHash,
  });
  const ctx = isPlainObject(context) ? context : ({} as Partial<ConsentEvaluationContext>);
  const now = instant(ctx.now);
  if (now === undefined)
    return deny('invalid-request', 'now must be a valid Date or a time YYYY-MM-DDTHH:MM:SSZ');
  const request = ctx.request;
  const requestProblem = checkRequest(request);
  if (requestProblem || request === undefined)
    return deny('invalid-request', requestProblem ?? 'missing request');

  if (now < parseConsentTime(grant.validFrom)!)
    return deny('not-yet-valid', `the grant is valid from ${grant.validFrom}`);
  if (grant.validUntil !== undefined && now >= parseConsentTime(grant.validUntil)!) {
    return deny('expired', `the grant expired at ${grant.validUntil}`);
  }
  for (const r of Array.isArray(ctx.revocations) ? ctx.revocations : []) {
    const v = verifyConsentRevocation(r, grant);
    if (v.valid && parseConsentTime(v.revocation.revokedAt)! <= now) {
      return deny('revoked', `the patient revoked the grant at ${v.revocation.revokedAt}`);
    }
  }
  if (request.grantee !== grant.grantee)
    return deny('wrong-grantee', 'the grant is for another grantee');
  if (!grant.actions.includes(request.action))
    return deny('action-not-granted', `action "${request.action}" is not granted`);
  if (!grant.purposes.includes(request.purpose)) {
    return deny('purpose-not-granted', `purpose "${request.purpose}" is not granted`);
  }
  const byRecord = request.record !== undefined && grant.scope.records.includes(request.record);
  const category = request.category;
  const byCategory =
    category !== undefined &&
    grant.scope.categories.some((c) => c.system === category.system && c.code === category.code);
  if (!byRecord && !byCategory)
    return deny('out-of-scope', 'neither the record nor its category is in the grant scope');
  return { decision: 'permit', grantHash };
}

function instant(now: unknown): number | undefined {
  if (now === undefined) return Date.now();
  if (now instanceof Date) return Number.isFinite(now.getTime()) ? now.getTime() : undefined;
  return parseConsentTime(now);
}

function checkRequest(r: unknown): string | undefined {
  if (!isPlainObject(r)) return 'request must be an object';
  if (typeof r['grantee'] !== 'string') return 'request.grantee must be a string';
  if (typeof r['action'] !== 'string') return 'request.action must be a string';
  if (typeof r['purpose'] !== 'string') return 'request.purpose must be a string';
  if (r['record'] !== undefined && typeof r['record'] !== 'string')
    return 'request.record must be a string';
  const c = r['category'];
  if (
    c !== undefined &&
    !(isPlainObject(c) && typeof c['system'] === 'string' && typeof c['code'] === 'string')
  ) {
    return 'request.category must be a {system, code} object';
  }
  if (r['record'] === undefined && c === undefined)
    return 'request must name a record or a category';
  return undefined;
}

// Checks an audited access against the patient's consent: the AuditEvent becomes a
// consent request (who, what, why, when) and the grant decides it, so an access that
// no valid grant covered stands out in the audit trail.
import {
  type ConsentAction,
  type ConsentDecision,
  type ConsentRequest,
  evaluateConsent,
} from '@medanchor/crypto';
import { AUDIT_FHIR } from './codes.js';
import type { FhirAuditEvent } from './fhir-types.js';
import { parseVersionRef } from './record-target.js';

const ACTIONS: Record<string, ConsentAction> = { C: 'collect', R: 'access', E: 'access' };

/**
 * The consent request an AuditEvent of {@link auditEventFor} records: the requestor as
 * grantee; `disclose` for a privacy disclosure, else `collect` (create) or `access` (read,
 * query); the first v3-ActReason purpose; the record without its version (or, for a
 * query, the searched resource type as a category). Undefined when the event lacks one.
 */
export function consentRequestOfAuditEvent(event: FhirAuditEvent): ConsentRequest | undefined {
  const grantee = event.agent?.find((a) => a?.requestor === true)?.who?.reference;
  const disclose = event.subtype?.some(
    (s) => s.system === AUDIT_FHIR.lifecycleSystem && s.code === 'disclose',
  );
  const action = disclose ? 'disclose' : ACTIONS[event.action ?? ''];
  const purpose = event.purposeOfEvent
    ?.flatMap((p) => p.coding ?? [])
    .find((c) => c.system === AUDIT_FHIR.purposeSystem)?.code;
  if (grantee === undefined || action === undefined || purpose === undefined) return undefined;
  const data = event.entity?.find((e) => e.role?.code === '4')?.what?.reference;
  const ref = parseVersionRef(data);
  if (ref !== undefined)
    return { grantee, action, purpose, record: `${ref.resourceType}/${ref.id}` };
  const query = event.entity?.find((e) => e.role?.code === '24')?.query;
  if (typeof query === 'string') {
    let text = '';
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(
        Uint8Array.from(atob(query), (ch) => ch.charCodeAt(0)),
      );
    } catch {
      return undefined;
    }
    const type = /^([A-Z][A-Za-z]{0,63})(\?|$)/.exec(text)?.[1];
    if (type !== undefined) {
      return {
        grantee,
        action,
        purpose,
        category: { system: 'http://hl7.org/fhir/resource-types', code: type },
      };
    }
  }
  return undefined;
}

/** The outcome of {@link checkAuditEventConsent}. */
export type AuditConsentCheck =
  | ConsentDecision
  | { decision: 'deny'; reason: 'not-a-request'; detail: string };

/**
 * Decides whether the access an AuditEvent records was covered by a signed grant at the
 * event's `recorded` time (with the known revocations): `permit`, or `deny` with the
 * first failing rule (`revoked`, `expired`, `out-of-scope`, ...), as `evaluateConsent`.
 * An event that does not say who, what and why is `not-a-request`. Never throws.
 * @example
 * ```ts
 * const check = checkAuditEventConsent(event, signedGrant, revocations);
 * if (check.decision === 'deny') flag(event, check.reason);
 * ```
 */
export function checkAuditEventConsent(
  event: FhirAuditEvent,
  signedGrant: unknown,
  revocations: readonly unknown[] = [],
): AuditConsentCheck {
  let request: ConsentRequest | undefined;
  try {
    request = consentRequestOfAuditEvent(event);
  } catch {
    request = undefined;
  }
  if (request === undefined) {
    return {
      decision: 'deny',
      reason: 'not-a-request',
      detail: 'the event names no requestor, action, purpose or data a consent could cover',
    };
  }
  const at = new Date(typeof event.recorded === 'string' ? event.recorded : Number.NaN);
  return evaluateConsent(signedGrant, { request, revocations, now: at });
}

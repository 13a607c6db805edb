// AuditEvents committed through a ledger: only the digest of each event's canonical
// bytes enters the log, and the event plus its receipt verify later, offline.
import {
  isMedanchorError,
  type Receipt,
  type ReceiptStep,
  type ReceiptVerified,
  sha256,
  toHex,
  utf8,
  type VerifyReceiptOptions,
  verifyReceipt,
} from '@medanchor/core';
import { canonicalizeJson } from '@medanchor/crypto';
import { assertFhirInputLimits } from './limits.js';
import { assertFhirResource, type FhirValidator } from './validator.js';

/**
 * The part of a medanchor ledger (`openLedger` of `@medanchor/chain`, or anything
 * alike) that audit recording uses: add bytes, seal, fetch a receipt.
 */
export interface AuditLedger {
  /** Accepts record bytes durably; resolves with the leaf index they will have. */
  add(content: Uint8Array): Promise<{ readonly leafIndex: number }>;
  /** Seals what is pending (and anchors it, for a ledger with an anchorer). */
  seal(): Promise<unknown>;
  /** The receipt of a leaf, once sealed. */
  receipt(leafIndex: number): Promise<Receipt | undefined>;
}

/** Server-managed elements a FHIR server rewrites on storage; left out of the committed bytes. */
const SERVER_META = ['versionId', 'lastUpdated', 'source'];

/**
 * The bytes of an AuditEvent that a ledger commits (docs/spec/audit-event.md): RFC 8785
 * canonical JSON, UTF-8, of the resource without `id`, `meta.versionId`,
 * `meta.lastUpdated` and `meta.source` (what a FHIR server assigns when it stores it).
 * @throws `MedanchorError` `INVALID_JSON_VALUE` for a value JSON cannot carry.
 */
export function auditEventBytes(event: object): Uint8Array {
  const { id: _id, meta, ...rest } = event as { id?: unknown; meta?: Record<string, unknown> };
  const kept: Record<string, unknown> = { ...rest };
  if (meta !== undefined && meta !== null && typeof meta === 'object') {
    const m = Object.fromEntries(Object.entries(meta).filter(([k]) => !SERVER_META.includes(k)));
    if (Object.keys(m).length > 0) kept['meta'] = m;
  }
  return utf8(canonicalizeJson(kept));
}

/** An AuditEvent accepted by the ledger. */
export interface RecordedAuditEvent {
  /** Its leaf index in the ledger's log (for `ledger.receipt`). */
  readonly leafIndex: number;
  /** Hex SHA-256 of {@link auditEventBytes}: the receipt's `record.digest`. */
  readonly digest: string;
}

/**
 * Validates an AuditEvent against the FHIR R4 definitions and commits its canonical
 * bytes to the ledger. Nothing is added when the event is refused.
 * @throws `MedanchorError` the input errors of `assertFhirResource` (details: `path`); the
 * ledger's own errors.
 * @example
 * ```ts
 * const { leafIndex } = await recordAuditEvent(ledger, event, validator);
 * await ledger.seal();
 * const receipt = await ledger.receipt(leafIndex);
 * ```
 */
export async function recordAuditEvent(
  ledger: AuditLedger,
  event: unknown,
  validator: FhirValidator,
): Promise<RecordedAuditEvent> {
  assertFhirResource(event, validator, { resourceType: 'AuditEvent' });
  const bytes = auditEventBytes(event as object);
  const { leafIndex } = await ledger.add(bytes);
  return { leafIndex, digest: toHex(sha256(bytes)) };
}

/** The step of {@link verifyAuditEvent} that failed: `shape`, or a receipt step. */
export type AuditEventStep = 'shape' | ReceiptStep;

/** Result of {@link verifyAuditEvent}; never throws on bad input. */
export type AuditEventVerification =
  | { readonly ok: true; readonly receipt: ReceiptVerified }
  | { readonly ok: false; readonly step: AuditEventStep; readonly reason: string };

/** Options of {@link verifyAuditEvent}. */
export interface VerifyAuditEventOptions extends Omit<VerifyReceiptOptions, 'content'> {
  /** When given, the event must also be valid FHIR R4 (step `shape`). */
  validator?: FhirValidator;
}

/**
 * Verifies that an AuditEvent is the one its receipt commits (digest of
 * {@link auditEventBytes}) and the receipt itself, with the given anchor verifiers.
 * @example
 * ```ts
 * const r = await verifyAuditEvent(event, receipt, { anchors: [verifier], requireAnchor: true });
 * ```
 */
export async function verifyAuditEvent(
  event: unknown,
  receipt: unknown,
  options: VerifyAuditEventOptions = {},
): Promise<AuditEventVerification> {
  let bytes: Uint8Array;
  try {
    if (options.validator !== undefined)
      assertFhirResource(event, options.validator, { resourceType: 'AuditEvent' });
    else assertFhirInputLimits(event);
    if (
      event === null ||
      typeof event !== 'object' ||
      (event as { resourceType?: unknown }).resourceType !== 'AuditEvent'
    )
      return { ok: false, step: 'shape', reason: 'resourceType must be AuditEvent' };
    bytes = auditEventBytes(event);
  } catch (e) {
    return {
      ok: false,
      step: 'shape',
      reason: isMedanchorError(e) ? e.message : 'the AuditEvent could not be read',
    };
  }
  const result = await verifyReceipt(receipt, { ...options, content: bytes });
  return result.ok
    ? { ok: true, receipt: result }
    : { ok: false, step: result.step, reason: result.reason };
}

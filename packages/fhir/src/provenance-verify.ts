// Checks a Provenance made by provenanceForRecord against the record it names: the
// receipt in its signature must prove these bytes, and the bytes must be the target.
import {
  isMedanchorError,
  type ReceiptStep,
  type ReceiptVerified,
  type VerifyReceiptOptions,
  verifyReceipt,
} from '@medanchor/core';
import { base64 } from '@scure/base';
import { PROVENANCE_FHIR } from './codes.js';
import { assertFhirInputLimits } from './limits.js';
import { type FhirVersionRef, parseVersionRef, versionOfRecord } from './record-target.js';
import { assertFhirResource, type FhirValidator } from './validator.js';

/**
 * The step of {@link verifyProvenance} that failed: `shape` (not a Provenance, or
 * invalid FHIR when a validator is given), `signature` (no single medanchor timestamp
 * signature, or its data is not a receipt), `target` (the record is another resource or
 * version than the target), then the receipt's own steps (`content`, `commitment`,
 * `checkpoint`, `inclusion`, `consistency`, `anchor`; `parse` is reported as `signature`).
 */
export type ProvenanceStep = 'shape' | 'signature' | 'target' | Exclude<ReceiptStep, 'parse'>;

/** A Provenance that verified against its record. */
export interface ProvenanceVerified {
  /** Discriminant. */
  readonly ok: true;
  /** The record version the Provenance is about. */
  readonly target: FhirVersionRef;
  /**
   * True when the record bytes are FHIR JSON naming the same type, id and version as the
   * target; false when they are not FHIR JSON (the target is then what the Provenance claims).
   */
  readonly targetChecked: boolean;
  /** The receipt's verification (level, anchors, anchored checkpoint digest). */
  readonly receipt: ReceiptVerified;
}

/** A Provenance that did not verify: the step and why. */
export interface ProvenanceRejected {
  /** Discriminant. */
  readonly ok: false;
  /** The failing step. */
  readonly step: ProvenanceStep;
  /** Why, in words (never record content or salts). */
  readonly reason: string;
}

/** Result of {@link verifyProvenance}; verification never throws on bad input. */
export type ProvenanceVerification = ProvenanceVerified | ProvenanceRejected;

/** Options of {@link verifyProvenance}: the receipt options, and an optional FHIR validator. */
export interface VerifyProvenanceOptions extends Omit<VerifyReceiptOptions, 'content'> {
  /** When given, the Provenance must also be valid FHIR R4 (step `shape`). */
  validator?: FhirValidator;
}

function reject(step: ProvenanceStep, reason: string): ProvenanceRejected {
  return { ok: false, step, reason };
}

/**
 * Verifies a Provenance of {@link provenanceForRecord} against the record bytes: its
 * shape, its one medanchor timestamp signature, that the record is the target version,
 * and the receipt it carries (with the given anchor verifiers, as core's `verifyReceipt`).
 * @example
 * ```ts
 * const r = await verifyProvenance(provenance, recordBytes, { anchors: [verifier], requireAnchor: true });
 * if (!r.ok) console.log(r.step, r.reason);
 * ```
 */
export async function verifyProvenance(
  provenance: unknown,
  record: Uint8Array,
  options: VerifyProvenanceOptions = {},
): Promise<ProvenanceVerification> {
  try {
    if (options.validator !== undefined) {
      assertFhirResource(provenance, options.validator, { resourceType: 'Provenance' });
    } else {
      assertFhirInputLimits(provenance);
    }
  } catch (e) {
    return reject('shape', isMedanchorError(e) ? e.message : 'the Provenance could not be read');
  }
  const p = provenance as {
    resourceType?: unknown;
    target?: unknown;
    signature?: unknown;
  };
  if (p === null || typeof p !== 'object' || p.resourceType !== 'Provenance')
    return reject('shape', 'resourceType must be Provenance');
  if (!Array.isArray(p.target) || p.target.length !== 1)
    return reject('shape', 'a medanchor Provenance has exactly one target');
  const target = parseVersionRef((p.target[0] as { reference?: unknown } | null)?.reference);
  if (target?.versionId === undefined)
    return reject('shape', 'target[0].reference must be version-specific (Type/id/_history/vid)');

  const sigs = (Array.isArray(p.signature) ? p.signature : []).filter(
    (s) => (s as { sigFormat?: unknown } | null)?.sigFormat === PROVENANCE_FHIR.receiptFormat,
  ) as { type?: unknown; data?: unknown }[];
  if (sigs.length !== 1)
    return reject(
      'signature',
      `expected one signature with sigFormat ${PROVENANCE_FHIR.receiptFormat}, found ${sigs.length}`,
    );
  const sig = sigs[0] as { type?: unknown; data?: unknown };
  const typed =
    Array.isArray(sig.type) &&
    sig.type.some(
      (c) =>
        (c as { system?: unknown })?.system === PROVENANCE_FHIR.signatureTypeSystem &&
        (c as { code?: unknown })?.code === PROVENANCE_FHIR.timestampSignature,
    );
  if (!typed)
    return reject(
      'signature',
      'the receipt signature must have type ASTM E1762 Timestamp Signature',
    );
  let receiptText: string;
  try {
    if (typeof sig.data !== 'string') throw new Error();
    receiptText = new TextDecoder('utf-8', { fatal: true }).decode(base64.decode(sig.data));
  } catch {
    return reject('signature', 'signature.data is not base64 of UTF-8 text');
  }

  if (!(record instanceof Uint8Array))
    return reject('content', 'record must be the record bytes (Uint8Array)');
  const actual = versionOfRecord(record);
  if (actual !== undefined) {
    if (actual.resourceType !== target.resourceType || actual.id !== target.id)
      return reject('target', 'the record is another resource than the Provenance target');
    if (actual.versionId !== undefined && actual.versionId !== target.versionId)
      return reject('target', 'the record is another version than the Provenance target');
  }
  const result = await verifyReceipt(receiptText, { ...options, content: record });
  if (!result.ok) {
    return result.step === 'parse'
      ? reject('signature', `signature.data is not a valid receipt: ${result.reason}`)
      : reject(result.step, result.reason);
  }
  // The signer named in the Provenance must be the log that the receipt comes from.
  const who = (sig as { who?: { identifier?: { system?: unknown; value?: unknown } } }).who;
  if (
    who?.identifier?.system === PROVENANCE_FHIR.logOriginSystem &&
    who.identifier.value !== result.receipt.checkpoint.origin
  ) {
    return reject('signature', 'signature.who names another log than the receipt checkpoint');
  }
  return { ok: true, target, targetChecked: actual !== undefined, receipt: result };
}

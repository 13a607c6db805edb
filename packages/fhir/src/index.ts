/**
 * @medanchor/fhir: FHIR R4 evidence for anchored records. A `Provenance` per record
 * version carrying its receipt, IHE BALP `AuditEvent`s committed through the ledger,
 * and validation of every resource against the official FHIR R4 definitions.
 *
 * @packageDocumentation
 */
export {
  type AuditConsentCheck,
  checkAuditEventConsent,
  consentRequestOfAuditEvent,
} from './audit-consent.js';
export {
  type AuditAction,
  type AuditEventInput,
  auditEventFor,
} from './audit-event.js';
export {
  type AuditEventStep,
  type AuditEventVerification,
  type AuditLedger,
  auditEventBytes,
  type RecordedAuditEvent,
  recordAuditEvent,
  type VerifyAuditEventOptions,
  verifyAuditEvent,
} from './audit-ledger.js';
export { AUDIT_FHIR, PROVENANCE_FHIR } from './codes.js';
export {
  type ConsentAsOfFinding,
  type ConsentAsOfQuery,
  type ConsentAtTimeDecision,
  type ConsentAtTimeOptions,
  type ConsentAtTimeQuery,
  type ConsentReceiptFinding,
  consentAnchorTime,
  evaluateConsentAtTime,
} from './consent-at-time.js';
export { FHIR_ERROR_CODES } from './error-codes.js';
export type {
  FhirAuditEvent,
  FhirAuditEventAgent,
  FhirAuditEventEntity,
  FhirMeta,
  FhirProvenance,
  FhirProvenanceAgent,
  FhirSignature,
} from './fhir-types.js';
export { assertFhirInputLimits, FHIR_INPUT_LIMITS, type FhirInputLimits } from './limits.js';
export {
  type ProvenanceAgentInput,
  type ProvenanceInput,
  provenanceForRecord,
} from './provenance.js';
export {
  type ProvenanceRejected,
  type ProvenanceStep,
  type ProvenanceVerification,
  type ProvenanceVerified,
  type VerifyProvenanceOptions,
  verifyProvenance,
} from './provenance-verify.js';
export {
  type RecordHistoryHeadCheck,
  type RecordHistoryOptions,
  type RecordHistoryStep,
  type RecordHistoryVerification,
  type RecordVersionEvidence,
  type VersionLink,
  type VersionLinkPrevious,
  verifyRecordHistory,
  versionLink,
  versionLinkBytes,
  versionLinkProblem,
} from './record-history.js';
export { type FhirVersionRef, parseVersionRef, versionOfRecord } from './record-target.js';
export {
  type AssertFhirResourceOptions,
  assertFhirResource,
  createR4Validator,
  type FhirIssue,
  type FhirR4Definitions,
  type FhirValidator,
  isFhirInputError,
} from './validator.js';

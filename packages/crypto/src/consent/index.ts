// Consent grants signed with Bitcoin keys, and the building blocks they rest on
// (RFC 8785 JSON canonicalization, BIP-322 signed messages), exported together.
export * from '../bip322/index.js';
export * from '../jcs/index.js';
export {
  type AnchoredConsentContext,
  type AnchoredConsentDecision,
  type AnchoredGrantFinding,
  type AnchoredRevocation,
  type AnchoredRevocationFinding,
  type ConsentAnchorTime,
  consentLedgerBytes,
  evaluateAnchoredConsent,
} from './anchored.js';
export {
  CONSENT_GRANT_TAG,
  CONSENT_REVOCATION_TAG,
  consentBip322Message,
  consentGrantBytes,
  consentGrantDigest,
  consentGrantHash,
  consentRevocationDigest,
} from './canonical.js';
export {
  type ConsentDecision,
  type ConsentDenyReason,
  type ConsentEvaluationContext,
  type ConsentRequest,
  evaluateConsent,
} from './evaluate.js';
export {
  CONSENT_FHIR,
  type ConsentFromFhirOptions,
  consentGrantFromFhir,
  consentGrantToFhir,
  onlySecurityLabels,
  SECURITY_LABEL_SYSTEMS,
} from './fhir.js';
export type {
  FhirCodeableConcept,
  FhirCoding,
  FhirConsent,
  FhirConsentProvision,
  FhirConsentProvisionActor,
  FhirConsentProvisionData,
  FhirElement,
  FhirExtension,
  FhirIdentifier,
  FhirPeriod,
  FhirReference,
} from './fhir-r4.js';
export {
  consentGrantFromFhirR5,
  consentGrantToFhirR5,
  type FhirR5Consent,
  type FhirR5ConsentProvision,
} from './fhir-r5.js';
export {
  assertConsentGrant,
  CONSENT_ACTIONS,
  type ConsentAction,
  type ConsentCategory,
  type ConsentGrant,
  type ConsentGrantInput,
  type ConsentScope,
  type ConsentSigner,
  consentGrantProblem,
  createConsentGrant,
} from './grant.js';
export {
  type ConsentRevocation,
  type ConsentRevocationVerification,
  consentRevocationProblem,
  createConsentRevocation,
  parseSignedConsentRevocation,
  type SignedConsentRevocation,
  signConsentRevocation,
  verifyConsentRevocation,
} from './revocation.js';
export {
  type ConsentGrantVerification,
  parseSignedConsentGrant,
  type SignedConsentGrant,
  serializeSignedConsentGrant,
  signConsentGrant,
  verifyConsentGrant,
} from './sign.js';
export type { ConsentSignOptions } from './signature.js';
export {
  type ConsentKeyKind,
  type ConsentSigningFunction,
  type ConsentSignRequest,
  consentKeySigner,
  consentMultisigSigner,
  consentSignerForKey,
} from './signer.js';
export { formatConsentTime, parseConsentTime } from './time.js';

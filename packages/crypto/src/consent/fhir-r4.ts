// The FHIR R4 types the grant mapping reads and writes, from the maintained
// DefinitelyTyped package (@types/fhir, module `fhir/r4`), under medanchor's names.
import type {
  CodeableConcept,
  Coding,
  Consent,
  ConsentProvision,
  ConsentProvisionActor,
  ConsentProvisionData,
  Extension,
  Period,
  Reference,
} from 'fhir/r4';

/** FHIR R4 Coding (from `@types/fhir`). */
export type FhirCoding = Coding;
/** FHIR R4 CodeableConcept (from `@types/fhir`). */
export type FhirCodeableConcept = CodeableConcept;
/** FHIR R4 Reference (from `@types/fhir`); only the literal `reference` is mapped. */
export type FhirReference = Reference;
/** FHIR R4 Period (from `@types/fhir`). */
export type FhirPeriod = Period;
/** FHIR R4 Extension (from `@types/fhir`). */
export type FhirExtension = Extension;
/** FHIR R4 Consent.provision.actor (from `@types/fhir`). */
export type FhirConsentProvisionActor = ConsentProvisionActor;
/** FHIR R4 Consent.provision.data (from `@types/fhir`). */
export type FhirConsentProvisionData = ConsentProvisionData;
/** FHIR R4 Consent.provision (from `@types/fhir`). */
export type FhirConsentProvision = ConsentProvision;
/** FHIR R4 Consent resource (from `@types/fhir`). */
export type FhirConsent = Consent;

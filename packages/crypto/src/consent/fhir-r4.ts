// The slice of the FHIR R4 Consent resource the grant mapping reads and writes.
// Written here because the installed @types/fhir (3.0.2) describes FHIR STU3, whose
// Consent has no `provision` element.

/** FHIR R4 Coding. */
export interface FhirCoding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}

/** FHIR R4 CodeableConcept. */
export interface FhirCodeableConcept {
  coding?: FhirCoding[];
  text?: string;
}

/** FHIR R4 Reference (only the literal `reference` is mapped). */
export interface FhirReference {
  reference?: string;
  type?: string;
  display?: string;
}

/** FHIR R4 Period. */
export interface FhirPeriod {
  start?: string;
  end?: string;
}

/** FHIR R4 Extension (string and code values, and nested extensions). */
export interface FhirExtension {
  url: string;
  valueString?: string;
  valueCode?: string;
  extension?: FhirExtension[];
}

/** FHIR R4 Consent.provision.actor. */
export interface FhirConsentProvisionActor {
  role: FhirCodeableConcept;
  reference: FhirReference;
}

/** FHIR R4 Consent.provision.data. */
export interface FhirConsentProvisionData {
  meaning: 'instance' | 'related' | 'dependents' | 'authoredby';
  reference: FhirReference;
}

/** FHIR R4 Consent.provision. */
export interface FhirConsentProvision {
  type?: 'deny' | 'permit';
  period?: FhirPeriod;
  actor?: FhirConsentProvisionActor[];
  action?: FhirCodeableConcept[];
  securityLabel?: FhirCoding[];
  purpose?: FhirCoding[];
  class?: FhirCoding[];
  code?: FhirCodeableConcept[];
  dataPeriod?: FhirPeriod;
  data?: FhirConsentProvisionData[];
  provision?: FhirConsentProvision[];
  extension?: FhirExtension[];
  modifierExtension?: FhirExtension[];
}

/** FHIR R4 Consent resource (the elements medanchor maps; others pass through untyped). */
export interface FhirConsent {
  resourceType: 'Consent';
  id?: string;
  extension?: FhirExtension[];
  modifierExtension?: FhirExtension[];
  status: 'draft' | 'proposed' | 'active' | 'rejected' | 'inactive' | 'entered-in-error';
  scope: FhirCodeableConcept;
  category: FhirCodeableConcept[];
  patient?: FhirReference;
  dateTime?: string;
  performer?: FhirReference[];
  organization?: FhirReference[];
  policyRule?: FhirCodeableConcept;
  provision?: FhirConsentProvision;
}

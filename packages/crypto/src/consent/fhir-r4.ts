// The FHIR R4 data types the grant mapping reads and writes, declared here after the
// R4 specification (hl7.org/fhir/R4). medanchor's own declarations, because the FHIR
// type packages either do not resolve under node16/nodenext (`fhir/r4` of @types/fhir)
// or are ESM-only without an exports map, which breaks CommonJS consumers' declarations
// (@medplum/fhirtypes). Elements the mapping never touches are left out.

/** Members every FHIR element may carry besides its own. */
export interface FhirElement {
  /** Element id. */
  id?: string;
  /** Extensions. */
  extension?: FhirExtension[];
}

/** FHIR Extension (only the value types the mapping uses are typed). */
export interface FhirExtension extends FhirElement {
  /** Identifies the meaning of the extension. */
  url: string;
  /** A string value. */
  valueString?: string;
  /** A code value. */
  valueCode?: string;
  /** A dateTime value. */
  valueDateTime?: string;
}

/** FHIR Coding. */
export interface FhirCoding extends FhirElement {
  /** Identity of the terminology system. */
  system?: string;
  /** Version of the system. */
  version?: string;
  /** Symbol in syntax defined by the system. */
  code?: string;
  /** Representation defined by the system. */
  display?: string;
  /** If this coding was chosen directly by the user. */
  userSelected?: boolean;
}

/** FHIR CodeableConcept. */
export interface FhirCodeableConcept extends FhirElement {
  /** Codes defined by terminology systems. */
  coding?: FhirCoding[];
  /** Plain text representation. */
  text?: string;
}

/** FHIR Identifier (the members the mapping may meet). */
export interface FhirIdentifier extends FhirElement {
  /** The namespace of the value. */
  system?: string;
  /** The value that is unique. */
  value?: string;
}

/** FHIR Reference; only the literal `reference` is mapped. */
export interface FhirReference extends FhirElement {
  /** Literal reference, e.g. `Patient/123`. */
  reference?: string;
  /** Type the reference refers to. */
  type?: string;
  /** Logical reference, when literal reference is not known. */
  identifier?: FhirIdentifier;
  /** Text alternative for the resource. */
  display?: string;
}

/** FHIR Period. */
export interface FhirPeriod extends FhirElement {
  /** Starting time with inclusive boundary. */
  start?: string;
  /** End time with inclusive boundary, if not ongoing. */
  end?: string;
}

/** FHIR R4 Consent.provision.actor. */
export interface FhirConsentProvisionActor extends FhirElement {
  /** How the actor is involved. */
  role: FhirCodeableConcept;
  /** Resource for the actor (or group, by role). */
  reference: FhirReference;
}

/** FHIR R4 Consent.provision.data. */
export interface FhirConsentProvisionData extends FhirElement {
  /** `instance` | `related` | `dependents` | `authoredby`. */
  meaning: 'instance' | 'related' | 'dependents' | 'authoredby';
  /** The actual data reference. */
  reference: FhirReference;
}

/** FHIR R4 Consent.provision: a rule, with nested provisions as its exceptions. */
export interface FhirConsentProvision extends FhirElement {
  /** Extensions that cannot be ignored. */
  modifierExtension?: FhirExtension[];
  /** `deny` | `permit`. */
  type?: 'deny' | 'permit';
  /** Timeframe for this rule. */
  period?: FhirPeriod;
  /** Who the rule applies to. */
  actor?: FhirConsentProvisionActor[];
  /** Actions controlled by this rule. */
  action?: FhirCodeableConcept[];
  /** Security labels that define affected resources. */
  securityLabel?: FhirCoding[];
  /** Context of activities covered by this rule. */
  purpose?: FhirCoding[];
  /** e.g. Resource Type, Profile, CDA, etc. */
  class?: FhirCoding[];
  /** e.g. LOINC or SNOMED CT code, etc. in the content. */
  code?: FhirCodeableConcept[];
  /** Timeframe for data controlled by this rule. */
  dataPeriod?: FhirPeriod;
  /** Data controlled by this rule. */
  data?: FhirConsentProvisionData[];
  /** Nested exception rules. */
  provision?: FhirConsentProvision[];
}

/** FHIR R4 Consent resource (the elements the mapping reads or writes). */
export interface FhirConsent extends FhirElement {
  /** Always `Consent`. */
  resourceType: 'Consent';
  /** Metadata about the resource. */
  meta?: { versionId?: string; lastUpdated?: string; profile?: string[]; security?: FhirCoding[] };
  /** Extensions that cannot be ignored. */
  modifierExtension?: FhirExtension[];
  /** Identifier for this record. */
  identifier?: FhirIdentifier[];
  /** `draft` | `proposed` | `active` | `rejected` | `inactive` | `entered-in-error`. */
  status: 'draft' | 'proposed' | 'active' | 'rejected' | 'inactive' | 'entered-in-error';
  /** Which of the four areas this resource covers. */
  scope: FhirCodeableConcept;
  /** Classification of the consent statement. */
  category: FhirCodeableConcept[];
  /** Who the consent applies to. */
  patient?: FhirReference;
  /** When this Consent was created or indexed. */
  dateTime?: string;
  /** Who is agreeing to the policy and rules. */
  performer?: FhirReference[];
  /** Custodian of the consent. */
  organization?: FhirReference[];
  /** Regulation that this consents to. */
  policyRule?: FhirCodeableConcept;
  /** Constraints to the base Consent.policyRule. */
  provision?: FhirConsentProvision;
}

// The code systems, codes and URLs this package writes (normative: docs/spec/provenance.md
// and docs/spec/audit-event.md). Facts from FHIR R4, ASTM E1762, DICOM PS3.16 and IHE BALP.

/** Systems and codes of medanchor's FHIR Provenance (docs/spec/provenance.md). */
export const PROVENANCE_FHIR = {
  /** ASTM E1762 signature types, as FHIR R4 names the system. */
  signatureTypeSystem: 'urn:iso-astm:E1762-95:2013',
  /** ASTM E1762 "Timestamp Signature": the receipt proves when, not who. */
  timestampSignature: '1.2.840.10065.1.12.1.18',
  /** `Signature.sigFormat` of a signature whose `data` is a receipt v1. */
  receiptFormat: 'application/vnd.medanchor.receipt+json',
  /** `Signature.targetFormat`: the record is the FHIR JSON bytes that were anchored. */
  targetFormat: 'application/fhir+json',
  /** Identifier system of a log, valued with its origin. */
  logOriginSystem: 'https://medanchor.dev/fhir/log-origin',
  participantTypeSystem: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  dataOperationSystem: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
} as const;

/** Systems, codes and profiles of the IHE BALP AuditEvents (docs/spec/audit-event.md). */
export const AUDIT_FHIR = {
  auditEventTypeSystem: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  restfulSystem: 'http://hl7.org/fhir/restful-interaction',
  dicomSystem: 'http://dicom.nema.org/resources/ontology/DCM',
  lifecycleSystem: 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle',
  entityTypeSystem: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  entityRoleSystem: 'http://terminology.hl7.org/CodeSystem/object-role',
  sourceTypeSystem: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  participationSystem: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  purposeSystem: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  balpProfile: 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/',
} as const;

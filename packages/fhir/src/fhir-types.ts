// The FHIR R4 resources this package emits, declared after the R4 specification
// (hl7.org/fhir/R4): Provenance and AuditEvent, with the members it writes or reads.
// Own declarations, so the package's types resolve for every consumer (ESM and
// CommonJS, node16 to bundler) without an ESM-only types package behind them.
import type {
  FhirCodeableConcept,
  FhirCoding,
  FhirExtension,
  FhirPeriod,
  FhirReference,
} from '@medanchor/crypto';

/** Resource metadata. */
export interface FhirMeta {
  /** Version id assigned by a server. */
  versionId?: string;
  /** When a server last changed the resource. */
  lastUpdated?: string;
  /** Profiles the resource claims to conform to. */
  profile?: string[];
  /** Security labels. */
  security?: FhirCoding[];
}

/** FHIR R4 Signature data type. */
export interface FhirSignature {
  /** Indication of the reason the entity signed the object(s). */
  type: FhirCoding[];
  /** When the signature was created (an instant). */
  when: string;
  /** Who signed. */
  who: FhirReference;
  /** The party represented. */
  onBehalfOf?: FhirReference;
  /** The technical format of the signed resources. */
  targetFormat?: string;
  /** The technical format of the signature. */
  sigFormat?: string;
  /** The actual signature content, base64. */
  data?: string;
}

/** FHIR R4 Provenance.agent. */
export interface FhirProvenanceAgent {
  /** How the agent participated. */
  type?: FhirCodeableConcept;
  /** What the agent's role was. */
  role?: FhirCodeableConcept[];
  /** Who participated. */
  who: FhirReference;
  /** Who the agent is representing. */
  onBehalfOf?: FhirReference;
}

/** FHIR R4 Provenance resource. */
export interface FhirProvenance {
  /** Always `Provenance`. */
  resourceType: 'Provenance';
  /** Logical id. */
  id?: string;
  /** Metadata. */
  meta?: FhirMeta;
  /** Extensions. */
  extension?: FhirExtension[];
  /** Target references (usually version-specific). */
  target: FhirReference[];
  /** When the activity occurred. */
  occurredPeriod?: FhirPeriod;
  /** When the activity occurred. */
  occurredDateTime?: string;
  /** When the activity was recorded / updated (an instant). */
  recorded: string;
  /** Policy or plan the activity was defined by. */
  policy?: string[];
  /** Activity that occurred. */
  activity?: FhirCodeableConcept;
  /** Actor involved. */
  agent: FhirProvenanceAgent[];
  /** Signature on target. */
  signature?: FhirSignature[];
}

/** FHIR R4 AuditEvent.agent. */
export interface FhirAuditEventAgent {
  /** How agent participated. */
  type?: FhirCodeableConcept;
  /** Agent role in the event. */
  role?: FhirCodeableConcept[];
  /** Identifier of who. */
  who?: FhirReference;
  /** Alternative user identity. */
  altId?: string;
  /** Human friendly name for the agent. */
  name?: string;
  /** Whether user is initiator. */
  requestor: boolean;
  /** Reason given for this user. */
  purposeOfUse?: FhirCodeableConcept[];
}

/** FHIR R4 AuditEvent.entity. */
export interface FhirAuditEventEntity {
  /** Specific instance of resource. */
  what?: FhirReference;
  /** Type of entity involved. */
  type?: FhirCoding;
  /** What role the entity played. */
  role?: FhirCoding;
  /** Life-cycle stage for the entity. */
  lifecycle?: FhirCoding;
  /** Security labels on the entity. */
  securityLabel?: FhirCoding[];
  /** Descriptor for entity. */
  name?: string;
  /** Descriptive text. */
  description?: string;
  /** Query parameters (base64). */
  query?: string;
}

/** FHIR R4 AuditEvent resource. */
export interface FhirAuditEvent {
  /** Always `AuditEvent`. */
  resourceType: 'AuditEvent';
  /** Logical id. */
  id?: string;
  /** Metadata. */
  meta?: FhirMeta;
  /** Extensions. */
  extension?: FhirExtension[];
  /** Type/identifier of event. */
  type: FhirCoding;
  /** More specific type/id for the event. */
  subtype?: FhirCoding[];
  /** Type of action performed during the event: C, R, U, D or E. */
  action?: 'C' | 'R' | 'U' | 'D' | 'E';
  /** When the activity occurred. */
  period?: FhirPeriod;
  /** Time when the event was recorded (an instant). */
  recorded: string;
  /** Whether the event succeeded or failed: 0, 4, 8 or 12. */
  outcome?: '0' | '4' | '8' | '12';
  /** Description of the event outcome. */
  outcomeDesc?: string;
  /** The purposeOfUse of the event. */
  purposeOfEvent?: FhirCodeableConcept[];
  /** Actor involved in the event. */
  agent: FhirAuditEventAgent[];
  /** Audit Event Reporter. */
  source: { site?: string; observer: FhirReference; type?: FhirCoding[] };
  /** Data or objects used. */
  entity?: FhirAuditEventEntity[];
}

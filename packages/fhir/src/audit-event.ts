// IHE Basic Audit Log Patterns (BALP) AuditEvents in FHIR R4 for the four things an
// auditor asks about a patient's record: who created, read, searched or disclosed it.
import { MedanchorError, utf8 } from '@medanchor/core';
import type { FhirCoding as Coding } from '@medanchor/crypto';
import { base64 } from '@scure/base';
import { AUDIT_FHIR } from './codes.js';
import type {
  FhirAuditEvent as AuditEvent,
  FhirAuditEventAgent as AuditEventAgent,
  FhirAuditEventEntity as AuditEventEntity,
} from './fhir-types.js';
import { parseVersionRef } from './record-target.js';
import { fhirInstant } from './time.js';
import { assertFhirResource, type FhirValidator } from './validator.js';

/** The audited interaction. */
export type AuditAction = 'create' | 'read' | 'query' | 'disclose';

/** Inputs of {@link auditEventFor}. */
export interface AuditEventInput {
  /** What happened. */
  action: AuditAction;
  /** The patient whose data it was: `Patient/123`. */
  patient: string;
  /** The person (or app) who asked: `Practitioner/456`; the requestor agent. */
  user: string;
  /** The server that did it and records the event (BALP server agent and audit source): `Device/ehr`. */
  server: string;
  /** The client application or machine the request came from (BALP client agent): `Device/app`. */
  client: string;
  /** The record (for create, read, disclose): `Observation/obs-1` or `Observation/obs-1/_history/2`. */
  record?: string;
  /** The search (for query), e.g. `Observation?patient=Patient/123`; committed base64-encoded. */
  query?: string;
  /** Who received the data (for disclose): `Organization/insurer`. */
  recipient?: string;
  /** Purposes of use (HL7 v3 ActReason codes such as `TREAT`). */
  purposes?: readonly string[];
  /** FHIR outcome: `0` success (default), `4` minor failure, `8` serious failure, `12` major failure. */
  outcome?: '0' | '4' | '8' | '12';
  /** When it happened (default now). */
  recorded?: Date | string;
  /** When given, the event is checked against the FHIR R4 definitions before it is returned. */
  validator?: FhirValidator;
}

const SHAPES: Record<
  AuditAction,
  { profile: string; type: Coding; subtype: Coding[]; action: AuditEvent['action'] }
> = {
  create: {
    profile: 'IHE.BasicAudit.PatientCreate',
    type: { system: AUDIT_FHIR.auditEventTypeSystem, code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: AUDIT_FHIR.restfulSystem, code: 'create', display: 'create' }],
    action: 'C',
  },
  read: {
    profile: 'IHE.BasicAudit.PatientRead',
    type: { system: AUDIT_FHIR.auditEventTypeSystem, code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: AUDIT_FHIR.restfulSystem, code: 'read', display: 'read' }],
    action: 'R',
  },
  query: {
    profile: 'IHE.BasicAudit.PatientQuery',
    type: { system: AUDIT_FHIR.auditEventTypeSystem, code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: AUDIT_FHIR.restfulSystem, code: 'search-type', display: 'search type' }],
    action: 'E',
  },
  disclose: {
    profile: 'IHE.BasicAudit.PrivacyDisclosure.Source',
    type: { system: AUDIT_FHIR.dicomSystem, code: '110106', display: 'Export' },
    subtype: [
      {
        system: AUDIT_FHIR.lifecycleSystem,
        code: 'disclose',
        display: 'Disclose Record Lifecycle Event',
      },
      { system: AUDIT_FHIR.restfulSystem, code: 'read', display: 'read' },
    ],
    action: 'R',
  },
};

function refused(message: string, path: string): never {
  throw new MedanchorError('INVALID_AUDIT_INPUT', message, { details: { path } });
}

function ref(value: unknown, name: string): string {
  if (parseVersionRef(value) === undefined)
    refused(`${name} must be a reference such as Patient/123`, name);
  return value as string;
}

/**
 * A FHIR R4 AuditEvent following the IHE BALP profile for `action` (PatientCreate,
 * PatientRead, PatientQuery, PrivacyDisclosure.Source): type and subtype codes, the
 * client, server and user agents (plus the recipient of a disclosure), the server as
 * audit source, the patient as an entity (Person / Patient) and the record or the query.
 * @throws `MedanchorError` `INVALID_AUDIT_INPUT` (details: `path`) for a missing or malformed
 * input; the errors of `assertFhirResource` when a validator is given.
 * @example
 * ```ts
 * const event = auditEventFor({ action: 'read', patient: 'Patient/p-42', user: 'Practitioner/dr-1',
 *   server: 'Device/ehr', client: 'Device/ward-pc-7', record: 'Observation/obs-1/_history/2' });
 * ```
 */
export function auditEventFor(input: AuditEventInput): AuditEvent {
  const shape = SHAPES[input?.action];
  if (shape === undefined) refused('action must be create, read, query or disclose', 'action');
  const patient = ref(input.patient, 'patient');
  if (!patient.startsWith('Patient/')) refused('patient must reference a Patient', 'patient');
  const agent: AuditEventAgent[] = [
    {
      type: {
        coding: [{ system: AUDIT_FHIR.dicomSystem, code: '110153', display: 'Source Role ID' }],
      },
      who: { reference: ref(input.client, 'client') },
      requestor: false,
    },
    {
      type: {
        coding: [
          { system: AUDIT_FHIR.dicomSystem, code: '110152', display: 'Destination Role ID' },
        ],
      },
      who: { reference: ref(input.server, 'server') },
      requestor: false,
    },
    { who: { reference: ref(input.user, 'user') }, requestor: true },
  ];
  const entity: AuditEventEntity[] = [
    {
      what: { reference: patient },
      type: { system: AUDIT_FHIR.entityTypeSystem, code: '1', display: 'Person' },
      role: { system: AUDIT_FHIR.entityRoleSystem, code: '1', display: 'Patient' },
    },
  ];
  if (input.action === 'query') {
    if (typeof input.query !== 'string' || input.query.length === 0 || input.query.length > 8192)
      refused('query must be the search, 1 to 8192 characters', 'query');
    entity.push({
      type: { system: AUDIT_FHIR.entityTypeSystem, code: '2', display: 'System Object' },
      role: { system: AUDIT_FHIR.entityRoleSystem, code: '24', display: 'Query' },
      query: base64.encode(utf8(input.query)),
    });
  } else {
    entity.push({
      what: { reference: ref(input.record, 'record') },
      type: { system: AUDIT_FHIR.entityTypeSystem, code: '2', display: 'System Object' },
      role: { system: AUDIT_FHIR.entityRoleSystem, code: '4', display: 'Domain Resource' },
    });
  }
  if (input.action === 'disclose') {
    agent.push({
      type: {
        coding: [
          {
            system: AUDIT_FHIR.participationSystem,
            code: 'IRCP',
            display: 'information recipient',
          },
        ],
      },
      who: { reference: ref(input.recipient, 'recipient') },
      requestor: false,
    });
  }
  const outcome = input.outcome ?? '0';
  if (!['0', '4', '8', '12'].includes(outcome)) refused('outcome must be 0, 4, 8 or 12', 'outcome');
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    meta: { profile: [`${AUDIT_FHIR.balpProfile}${shape.profile}`] },
    type: shape.type,
    subtype: shape.subtype,
    action: shape.action,
    recorded: fhirInstant(input.recorded, 'recorded'),
    outcome,
    agent,
    source: {
      observer: { reference: input.server },
      type: [{ system: AUDIT_FHIR.sourceTypeSystem, code: '4', display: 'Application Server' }],
    },
    entity,
  };
  if (input.purposes !== undefined && input.purposes.length > 0) {
    event.purposeOfEvent = input.purposes.map((code, i) => {
      if (typeof code !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(code))
        refused(`purposes[${i}] must be an ActReason code such as TREAT`, `purposes[${i}]`);
      return { coding: [{ system: AUDIT_FHIR.purposeSystem, code }] };
    });
  }
  if (input.validator !== undefined)
    assertFhirResource(event, input.validator, { resourceType: 'AuditEvent' });
  return event;
}

// A FHIR R4 Provenance for one anchored record version: the receipt rides in
// `signature.data` as an ASTM "timestamp signature" (docs/spec/provenance.md).
import {
  encodeReceipt,
  MedanchorError,
  type Receipt,
  utf8,
  verifyReceiptMerkle,
} from '@medanchor/core';
import { base64 } from '@scure/base';
import { PROVENANCE_FHIR } from './codes.js';
import type {
  FhirProvenance as Provenance,
  FhirProvenanceAgent as ProvenanceAgent,
} from './fhir-types.js';
import { formatVersionRef, parseVersionRef, versionOfRecord } from './record-target.js';
import { fhirInstant } from './time.js';
import { assertFhirResource, type FhirValidator } from './validator.js';

/** Who took part in making the record version. */
export interface ProvenanceAgentInput {
  /** A reference such as `Practitioner/dr-456` or `Device/ehr-1`. */
  who: string;
  /** The agent's part (FHIR `provenance-participant-type`; default `author`). */
  role?:
    | 'author'
    | 'enterer'
    | 'verifier'
    | 'legal'
    | 'attester'
    | 'informant'
    | 'custodian'
    | 'assembler'
    | 'composer'
    | 'performer';
  /** On whose behalf, e.g. `Organization/hospital`. */
  onBehalfOf?: string;
}

/** Inputs of {@link provenanceForRecord}. */
export interface ProvenanceInput {
  /** The exact record bytes that were committed (the receipt's content). */
  record: Uint8Array;
  /** The record's receipt (pending or anchored). */
  receipt: Receipt;
  /** At least one agent. */
  agents: readonly ProvenanceAgentInput[];
  /**
   * The version-specific target `Type/id/_history/vid`. Default: read from the record
   * when it is FHIR JSON with `meta.versionId`. When the record is FHIR JSON, the given
   * target must name the same type, id and version.
   */
  target?: string;
  /** When the Provenance is recorded (default now). */
  recorded?: Date | string;
  /** `CREATE` for a first version, `UPDATE` for a later one (v3-DataOperation); omitted when not given. */
  activity?: 'CREATE' | 'UPDATE' | 'DELETE';
  /** When given, the result is checked against the FHIR R4 definitions before it is returned. */
  validator?: FhirValidator;
}

function refused(message: string, path: string): never {
  throw new MedanchorError('INVALID_PROVENANCE_INPUT', message, { details: { path } });
}

/**
 * The FHIR R4 Provenance of an anchored record version: a version-specific `target`,
 * `recorded`, the agents, and one `signature` of type ASTM E1762 "Timestamp Signature"
 * whose `data` is the receipt (canonical JSON, base64). Anyone holding the Provenance
 * and the record can check it with {@link verifyProvenance}.
 *
 * The receipt carries the commitment salt: share the Provenance only with those who may
 * see the record.
 * @throws `MedanchorError` `INVALID_PROVENANCE_INPUT` (details: `path`) when the record
 * does not match the receipt or the target, or an input is malformed; the errors of
 * {@link assertFhirResource} when a validator is given and the result does not pass.
 * @example
 * ```ts
 * const provenance = provenanceForRecord({
 *   record, receipt, agents: [{ who: 'Practitioner/dr-456' }], activity: 'UPDATE',
 * });
 * ```
 */
export function provenanceForRecord(input: ProvenanceInput): Provenance {
  if (input === null || typeof input !== 'object') refused('the input must be an object', '$');
  if (!(input.record instanceof Uint8Array))
    refused('record must be the record bytes (Uint8Array)', 'record');
  const merkle = verifyReceiptMerkle(input.receipt, { content: input.record });
  if (!merkle.ok) {
    refused(
      `the receipt does not prove this record (step ${merkle.step}: ${merkle.reason})`,
      'receipt',
    );
  }
  const fromRecord = versionOfRecord(input.record);
  let target: string;
  if (input.target !== undefined) {
    const given = parseVersionRef(input.target);
    if (given?.versionId === undefined)
      refused('target must be a version-specific reference Type/id/_history/vid', 'target');
    if (
      fromRecord !== undefined &&
      (fromRecord.resourceType !== given.resourceType ||
        fromRecord.id !== given.id ||
        (fromRecord.versionId !== undefined && fromRecord.versionId !== given.versionId))
    ) {
      refused('target names another resource or version than the record', 'target');
    }
    target = formatVersionRef(given);
  } else {
    if (fromRecord?.versionId === undefined) {
      refused(
        'the record has no meta.versionId (or is not FHIR JSON): pass target as Type/id/_history/vid',
        'target',
      );
    }
    target = formatVersionRef(fromRecord);
  }
  if (!Array.isArray(input.agents) || input.agents.length === 0)
    refused('at least one agent is required', 'agents');
  const agent: ProvenanceAgent[] = input.agents.map((a, i) => {
    if (typeof a?.who !== 'string' || parseVersionRef(a.who) === undefined)
      refused(`agents[${i}].who must be a reference such as Practitioner/123`, `agents[${i}].who`);
    const out: ProvenanceAgent = {
      type: {
        coding: [{ system: PROVENANCE_FHIR.participantTypeSystem, code: a.role ?? 'author' }],
      },
      who: { reference: a.who },
    };
    if (a.onBehalfOf !== undefined) {
      if (parseVersionRef(a.onBehalfOf) === undefined)
        refused(`agents[${i}].onBehalfOf must be a reference`, `agents[${i}].onBehalfOf`);
      out.onBehalfOf = { reference: a.onBehalfOf };
    }
    return out;
  });
  const recorded = fhirInstant(input.recorded, 'recorded');
  const origin = merkle.receipt.checkpoint.origin;
  const provenance: Provenance = {
    resourceType: 'Provenance',
    target: [{ reference: target }],
    recorded,
    agent,
    signature: [
      {
        type: [
          {
            system: PROVENANCE_FHIR.signatureTypeSystem,
            code: PROVENANCE_FHIR.timestampSignature,
            display: 'Timestamp Signature',
          },
        ],
        when: recorded,
        who: {
          identifier: { system: PROVENANCE_FHIR.logOriginSystem, value: origin },
          display: `medanchor log ${origin}`,
        },
        targetFormat: PROVENANCE_FHIR.targetFormat,
        sigFormat: PROVENANCE_FHIR.receiptFormat,
        data: base64.encode(utf8(encodeReceipt(merkle.receipt))),
      },
    ],
  };
  if (input.activity !== undefined) {
    if (!['CREATE', 'UPDATE', 'DELETE'].includes(input.activity))
      refused('activity must be CREATE, UPDATE or DELETE', 'activity');
    provenance.activity = {
      coding: [{ system: PROVENANCE_FHIR.dataOperationSystem, code: input.activity }],
    };
  }
  if (input.validator !== undefined)
    assertFhirResource(provenance, input.validator, { resourceType: 'Provenance' });
  return provenance;
}

// Writes docs/spec/vectors/fhir-provenance.json and fhir-audit-event.json: the test
// vectors of docs/spec/provenance.md and docs/spec/audit-event.md. Deterministic: fixed
// salts, fixed times, a three-record log built in memory (level-1 receipts).
// Run: npx tsx docs/spec/make-fhir-vectors.ts   (the test suite checks the files match)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildReceipt,
  commitRecord,
  leafHash,
  MerkleLog,
  type Receipt,
  sha256,
  toHex,
  utf8,
} from '@medanchor/core';
import {
  type ConsentGrant,
  consentGrantFromFhir,
  consentGrantToFhir,
  consentGrantToFhirR5,
  consentSignerForKey,
  createConsentGrant,
  type FhirConsent,
} from '../../packages/crypto/src/consent/index.js';
import {
  type AuditEventInput,
  auditEventBytes,
  auditEventFor,
  provenanceForRecord,
} from '../../packages/fhir/src/index.js';

const ORIGIN = 'hospital.example/fhir-vectors';

function observation(version: string, value: number): Uint8Array {
  return utf8(
    JSON.stringify({
      resourceType: 'Observation',
      id: 'glucose-1',
      meta: { versionId: version },
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] },
      subject: { reference: 'Patient/p-42' },
      valueQuantity: { value, unit: 'mmol/L' },
    }),
  );
}

/** Level-1 receipts of `records`, committed with salts sha256("fhir vector salt i"). */
function receiptsOf(records: Uint8Array[]): Receipt[] {
  const commitments = records.map((r, i) =>
    commitRecord(r, { salt: sha256(utf8(`fhir vector salt ${i}`)) }),
  );
  const log = new MerkleLog();
  log.append(commitments.map((c) => leafHash(c.commitment)));
  const checkpoint = { origin: ORIGIN, size: log.size, root: log.root() };
  return commitments.map((commitment, leafIndex) =>
    buildReceipt({
      commitment,
      leafIndex,
      checkpoint,
      inclusionProof: log.inclusionProof(leafIndex),
    }),
  );
}

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

function provenanceVectors() {
  const v1 = observation('1', 7.8);
  const v2 = observation('2', 8.1);
  const pdf = utf8('%PDF-1.7 discharge letter (vector)');
  const [r1, r2, r3] = receiptsOf([v1, v2, pdf]) as [Receipt, Receipt, Receipt];
  const agents = [{ who: 'Practitioner/dr-456', onBehalfOf: 'Organization/hospital' }];
  const recorded = '2026-03-10T09:30:00Z';
  const p2 = provenanceForRecord({ record: v2, receipt: r2, agents, recorded, activity: 'UPDATE' });
  const pPdf = provenanceForRecord({
    record: pdf,
    receipt: r3,
    agents: [{ who: 'Device/scanner-3', role: 'assembler' }],
    recorded,
    target: 'DocumentReference/letter-1/_history/1',
  });
  const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
  const withData = (data: string) => {
    const p = clone(p2);
    (p.signature as { data: string }[])[0]!.data = data;
    return p;
  };
  const swapped = provenanceForRecord({ record: v1, receipt: r1, agents, recorded });
  return {
    description:
      'FHIR R4 Provenance of anchored record versions (docs/spec/provenance.md). Records are UTF-8 text; receipts are level 1 (no anchors). Each case: the Provenance, the record, and the verification outcome.',
    cases: [
      {
        description: 'Observation version 2, FHIR JSON record',
        provenance: p2,
        record: decode(v2),
        expect: { ok: true, targetChecked: true, target: 'Observation/glucose-1/_history/2' },
      },
      {
        description: 'a PDF record (not FHIR JSON): the target is claimed, not checked',
        provenance: pPdf,
        record: decode(pdf),
        expect: { ok: true, targetChecked: false, target: 'DocumentReference/letter-1/_history/1' },
      },
      {
        description: 'the record changed after anchoring',
        provenance: p2,
        record: decode(v2).replace('8.1', '9.9'),
        expect: { ok: false, step: 'content' },
      },
      {
        description: 'another version of the record than the target',
        provenance: p2,
        record: decode(v1),
        expect: { ok: false, step: 'target' },
      },
      {
        description: 'the receipt of version 1 in a Provenance of version 2',
        provenance: withData(swapped.signature![0]!.data!),
        record: decode(v2),
        expect: { ok: false, step: 'content' },
      },
      {
        description: 'signature data is not base64',
        provenance: withData('not base64!'),
        record: decode(v2),
        expect: { ok: false, step: 'signature' },
      },
      {
        description: 'signature data is not a receipt',
        provenance: withData(btoa('{"version":2}')),
        record: decode(v2),
        expect: { ok: false, step: 'signature' },
      },
      {
        description: 'no medanchor receipt signature',
        provenance: { ...clone(p2), signature: [] },
        record: decode(v2),
        expect: { ok: false, step: 'signature' },
      },
      {
        description: 'a target without version',
        provenance: { ...clone(p2), target: [{ reference: 'Observation/glucose-1' }] },
        record: decode(v2),
        expect: { ok: false, step: 'shape' },
      },
    ],
  };
}

function auditVectors() {
  const base = {
    patient: 'Patient/p-42',
    user: 'Practitioner/dr-okafor',
    server: 'Device/ehr-server',
    client: 'Device/ward-7-pc',
    recorded: '2026-03-10T09:30:00Z',
    purposes: ['TREAT'],
  };
  const inputs: AuditEventInput[] = [
    { ...base, action: 'create', record: 'Observation/glucose-1/_history/1' },
    { ...base, action: 'read', record: 'Observation/glucose-1/_history/1' },
    { ...base, action: 'query', query: 'Observation?patient=Patient/p-42&code=2339-0' },
    {
      ...base,
      action: 'disclose',
      record: 'Observation/glucose-1/_history/1',
      recipient: 'Organization/insurer-9',
      purposes: ['HPAYMT'],
    },
  ];
  return {
    description:
      'IHE BALP AuditEvents (docs/spec/audit-event.md): for each input, the AuditEvent, its committed bytes (RFC 8785, UTF-8, shown as text) and their SHA-256 (the receipt record.digest).',
    cases: inputs.map((input) => {
      const event = auditEventFor(input);
      const bytes = auditEventBytes(event);
      return {
        action: input.action,
        input,
        event,
        committed: decode(bytes),
        digest: toHex(sha256(bytes)),
      };
    }),
    stored: (() => {
      // As a FHIR server returns it: id and server meta added; committed bytes unchanged.
      const event = auditEventFor(inputs[1]!);
      const stored = {
        ...event,
        id: 'ae-1',
        meta: { ...event.meta, versionId: '3', lastUpdated: '2026-03-10T09:30:02Z', source: 'ehr' },
      };
      return { event: stored, digest: toHex(sha256(auditEventBytes(stored))) };
    })(),
  };
}

function consentCoverageVectors() {
  const grant = (scope: ConsentGrant['scope']): ConsentGrant =>
    createConsentGrant({
      patient: 'Patient/p-42',
      signer: consentSignerForKey(sha256(utf8('medanchor fhir vector key: patient'))),
      grantee: 'Practitioner/dr-456',
      actions: ['access', 'use'],
      purposes: ['TREAT', 'ETREAT'],
      scope,
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      issuedAt: '2025-12-31T12:00:00Z',
      nonce: '0f0e0d0c0b0a09080706050403020100',
    });
  const TYPES = 'http://hl7.org/fhir/resource-types';
  const byTypes = grant({
    records: [],
    categories: [
      { system: TYPES, code: 'Observation' },
      { system: TYPES, code: 'Condition' },
    ],
  });
  const labelled = grant({
    records: [],
    categories: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }],
  });
  const withRecords = grant({
    records: ['DocumentReference/a', 'DocumentReference/b'],
    categories: [],
  });
  const nest = (
    g: ConsentGrant,
    exceptions: NonNullable<FhirConsent['provision']>[],
  ): FhirConsent => {
    const r = consentGrantToFhir(g);
    (r.provision as NonNullable<FhirConsent['provision']>).provision = exceptions;
    return r;
  };
  const ACT = 'http://terminology.hl7.org/CodeSystem/consentaction';
  const folds = [
    {
      description: 'deny action use',
      fhir: nest(byTypes, [{ type: 'deny', action: [{ coding: [{ system: ACT, code: 'use' }] }] }]),
    },
    {
      description: 'deny resource type Condition',
      fhir: nest(byTypes, [{ type: 'deny', class: [{ system: TYPES, code: 'Condition' }] }]),
    },
    {
      description: 'deny one listed record',
      fhir: nest(withRecords, [
        {
          type: 'deny',
          data: [{ meaning: 'instance', reference: { reference: 'DocumentReference/b' } }],
        },
      ]),
    },
  ];
  const refusals = [
    {
      description: 'an exception combining action and purpose',
      reason: 'combines action and purpose',
      fhir: nest(byTypes, [
        {
          type: 'deny',
          action: [{ coding: [{ system: ACT, code: 'use' }] }],
          purpose: [
            { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' },
          ],
        },
      ]),
    },
    {
      description: 'an exception by data period',
      reason: 'dataPeriod',
      fhir: nest(byTypes, [{ type: 'deny', dataPeriod: { end: '2020-01-01' } }]),
    },
    {
      description: 'an exception of one record from a class',
      reason: 'from a class of data',
      fhir: nest(byTypes, [
        {
          type: 'deny',
          data: [{ meaning: 'instance', reference: { reference: 'Observation/x' } }],
        },
      ]),
    },
  ];
  return {
    description:
      'FHIR Consent coverage (docs/spec/consent.md sections 7, 7.1, 7.2): R4 and R5 resources of grants (round trips), R4 resources with deny exceptions and the grant they fold into, and refused resources with a phrase of the reason.',
    roundTrips: [byTypes, labelled, withRecords].map((g) => ({
      grant: g,
      r4: consentGrantToFhir(g),
      r5: consentGrantToFhirR5(g),
    })),
    folds: folds.map((f) => ({ ...f, grant: consentGrantFromFhir(f.fhir) })),
    refusals,
  };
}

/** Every vector file, by name. Pure: the test suite calls it and compares with the files. */
export function buildFhirVectors(): Record<string, unknown> {
  return {
    'fhir-provenance.json': provenanceVectors(),
    'fhir-audit-event.json': auditVectors(),
    'consent-fhir-coverage.json': consentCoverageVectors(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, content] of Object.entries(buildFhirVectors())) {
    writeFileSync(
      new URL(`vectors/${name}`, import.meta.url),
      `${JSON.stringify(content, null, 2)}\n`,
    );
    console.log(`wrote docs/spec/vectors/${name}`);
  }
}

// FHIR evidence for an auditor: two versions of an Observation are anchored, each
// access is an IHE BALP AuditEvent committed to the same ledger, the latest version gets
// a Provenance carrying its receipt, and the auditor verifies all of it at level 3 from
// the FHIR resources alone, checks each access against the patient's consent, and sees a
// malformed event refused before anything was recorded.
import { openLedger, regtest } from '@medanchor/chain';
import { isMedanchorError, MemoryJournal, utf8 } from '@medanchor/core';
import { consentSignerForKey, createConsentGrant, signConsentGrant } from '@medanchor/crypto';
import {
  type AuditEventInput,
  auditEventFor,
  checkAuditEventConsent,
  type FhirAuditEvent,
  provenanceForRecord,
  recordAuditEvent,
  verifyAuditEvent,
  verifyProvenance,
} from '@medanchor/fhir';
import { loadR4Validator } from '@medanchor/fhir/node';
import { devAnchoring } from '../shared/dev-anchoring.js';

export interface FhirEvidenceResult {
  provenanceLevel: number;
  tamperedStep: string;
  auditVerified: number;
  flagged: string[];
  refused: string;
}

export async function main(): Promise<FhirEvidenceResult> {
  const validator = await loadR4Validator();
  const { devnet, anchorer, verifier } = await devAnchoring('fhir-evidence');
  const ledger = await openLedger({
    origin: 'hospital.example/evidence',
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });

  // Two versions of a lab result, committed as their exact FHIR JSON bytes.
  const version = (versionId: string, value: number) =>
    utf8(
      JSON.stringify({
        resourceType: 'Observation',
        id: 'glucose-1',
        meta: { versionId },
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose' }] },
        subject: { reference: 'Patient/p-42' },
        valueQuantity: { value, unit: 'mmol/L' },
      }),
    );
  const v1 = version('1', 7.8);
  const v2 = version('2', 8.1);
  await ledger.add(v1);
  const { leafIndex: v2Leaf } = await ledger.add(v2);

  // Every access is audited through the same ledger.
  const who = {
    patient: 'Patient/p-42',
    server: 'Device/ehr-server',
    client: 'Device/ward-7-pc',
    purposes: ['TREAT'],
  };
  const inputs: AuditEventInput[] = [
    {
      ...who,
      action: 'create',
      user: 'Practitioner/dr-okafor',
      record: 'Observation/glucose-1/_history/1',
    },
    {
      ...who,
      action: 'read',
      user: 'Practitioner/dr-okafor',
      record: 'Observation/glucose-1/_history/2',
    },
    {
      ...who,
      action: 'query',
      user: 'Practitioner/dr-okafor',
      query: 'Observation?patient=Patient/p-42',
    },
    {
      ...who,
      action: 'disclose',
      user: 'Practitioner/dr-okafor',
      record: 'Observation/glucose-1/_history/2',
      recipient: 'Organization/insurer-9',
      purposes: ['HPAYMT'],
    },
  ];
  const audited: { event: FhirAuditEvent; leafIndex: number }[] = [];
  for (const input of inputs) {
    const event = auditEventFor({ ...input, validator });
    audited.push({ event, ...(await recordAuditEvent(ledger, event, validator)) });
  }

  // A malformed event from a buggy client is refused by path; nothing is recorded.
  let refused = 'accepted';
  try {
    await recordAuditEvent(ledger, { ...audited[1]!.event, agent: 'dr-okafor' }, validator);
  } catch (e) {
    refused = isMedanchorError(e) ? `${e.code} at ${String(e.details['path'])}` : 'crash';
  }

  await ledger.seal();
  await devnet.test.mine(6);
  await ledger.sync();

  // The Provenance of version 2: who made it, and its receipt as a timestamp signature.
  const provenance = provenanceForRecord({
    record: v2,
    receipt: (await ledger.receipt(v2Leaf))!,
    agents: [{ who: 'Practitioner/dr-okafor', onBehalfOf: 'Organization/hospital' }],
    activity: 'UPDATE',
    validator,
  });
  const receipts = await Promise.all(audited.map((a) => ledger.receipt(a.leafIndex)));
  await ledger.close();

  // The auditor's side: FHIR resources, the record, the patient's grant and a backend.
  const checked = await verifyProvenance(provenance, v2, {
    anchors: [verifier],
    requireAnchor: true,
    validator,
  });
  if (!checked.ok) throw new Error(`provenance did not verify: ${checked.step} ${checked.reason}`);
  const tampered = await verifyProvenance(provenance, version('2', 5.2), { anchors: [verifier] });
  let auditVerified = 0;
  for (const [i, { event }] of audited.entries()) {
    const r = await verifyAuditEvent(event, receipts[i], {
      anchors: [verifier],
      requireAnchor: true,
    });
    if (r.ok && r.receipt.level === 3) auditVerified++;
  }
  const patientKey = new Uint8Array(32).fill(42); // example only, never a real key
  const grant = signConsentGrant(
    createConsentGrant({
      patient: 'Patient/p-42',
      signer: consentSignerForKey(patientKey),
      grantee: 'Practitioner/dr-okafor',
      actions: ['access', 'collect'],
      purposes: ['TREAT'],
      scope: {
        records: ['Observation/glucose-1'],
        categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }],
      },
      validFrom: new Date(Date.now() - 86_400_000),
    }),
    patientKey,
  );
  const flagged = audited.flatMap(({ event }) => {
    const c = checkAuditEventConsent(event, grant);
    return c.decision === 'deny' ? [`${event.subtype?.[0]?.code}: ${c.reason}`] : [];
  });

  const t = checked.receipt.anchors.find((a) => a.status === 'verified');
  console.log(
    `fhir-evidence: ${provenance.target[0]?.reference} by ${provenance.agent[0]?.who.reference}`,
  );
  console.log(
    `  provenance verified at level ${checked.receipt.level} (${t?.type ?? 'no anchor'})`,
  );
  console.log(`  an altered record fails at step "${tampered.ok ? 'none' : tampered.step}"`);
  console.log(`  ${auditVerified} of ${audited.length} audit events verified at level 3`);
  console.log(`  outside the consent: ${flagged.join(', ') || 'none'}`);
  console.log(`  malformed event refused: ${refused}`);
  return {
    provenanceLevel: checked.receipt.level,
    tamperedStep: tampered.ok ? 'none' : tampered.step,
    auditVerified,
    flagged,
    refused,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

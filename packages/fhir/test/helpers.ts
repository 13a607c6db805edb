import { openLedger, regtest } from '@medanchor/chain';
import { MemoryJournal, type Receipt, utf8 } from '@medanchor/core';
import {
  consentSignerForKey,
  createConsentGrant,
  formatConsentTime,
  type SignedConsentGrant,
  signConsentGrant,
} from '@medanchor/crypto';
import { devAnchoring } from '../../../examples/shared/dev-anchoring.js';
import { type VersionLink, versionLink } from '../src/record-history.js';

/** A ledger on an in-process devnet, anchoring every seal, and a level-3 verifier. */
export async function devLedger(label: string) {
  const { devnet, anchorer, verifier } = await devAnchoring(label);
  const journal = new MemoryJournal();
  const ledger = await openLedger({
    origin: `hospital.example/${label}`,
    journal,
    anchorer,
    network: regtest,
  });
  /** Seals, mines 6 blocks and upgrades receipts. */
  const anchor = async () => {
    await ledger.seal();
    await devnet.test.mine(6);
    await ledger.sync();
  };
  return { devnet, ledger, verifier, anchor };
}

/** The FHIR JSON bytes of an Observation version. */
export function observation(id: string, versionId: string, value: number): Uint8Array {
  return utf8(
    JSON.stringify({
      resourceType: 'Observation',
      id,
      meta: { versionId },
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose' }] },
      subject: { reference: 'Patient/p-42' },
      valueQuantity: { value, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    }),
  );
}

/** Version `v` of Observation/obs-1 and its link to the version before (none for the first). */
export function obsVersion(
  v: number,
  prev?: { link: VersionLink; receipt: Receipt },
): { content: Uint8Array; link: VersionLink } {
  const content = observation('obs-1', String(v), 5 + v / 10);
  return { content, link: versionLink('Observation/obs-1', content, prev?.receipt, prev?.link) };
}

/** The consent tests' question: may Dr Okafor access Observation/obs-1 to treat. */
export const accessRequest = {
  grantee: 'Practitioner/dr-okafor',
  action: 'access',
  purpose: 'TREAT',
  record: 'Observation/obs-1',
} as const;

/** A consent document's time from Unix seconds. */
export const iso = (s: number): string => formatConsentTime(s * 1000);

/** The time (Unix seconds) in the header of the devnet's tip: where a test's clock starts. */
export async function tipTime(devnet: { tip(): Promise<{ header: Uint8Array }> }): Promise<number> {
  const tip = (await devnet.tip()).header;
  return new DataView(tip.buffer, tip.byteOffset).getUint32(68, true);
}

/** Patient p-42's grant of {@link accessRequest}, valid for a year from `t0` (Unix seconds). */
export function accessGrant(patientKey: Uint8Array, t0: number): SignedConsentGrant {
  return signConsentGrant(
    createConsentGrant({
      patient: 'Patient/p-42',
      signer: consentSignerForKey(patientKey),
      grantee: accessRequest.grantee,
      actions: ['access'],
      purposes: ['TREAT'],
      scope: { records: ['Observation/obs-1'] },
      validFrom: iso(t0),
      validUntil: iso(t0 + 365 * 86_400),
      issuedAt: iso(t0),
    }),
    patientKey,
  );
}

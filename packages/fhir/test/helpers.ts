import { openLedger, regtest } from '@medanchor/chain';
import { MemoryJournal, utf8 } from '@medanchor/core';
import { devAnchoring } from '../../../examples/shared/dev-anchoring.js';

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

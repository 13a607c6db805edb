// The quick-start demo: medanchor end to end on the embedded devnet (an in-process
// regtest chain that mines real blocks). Every step runs for real: nothing is mocked.
//
//   synthetic FHIR records -> encrypted for a clinician -> patient signs consent ->
//   stamped (durable) -> sealed into the log -> checkpoint anchored in a Bitcoin tx ->
//   mined -> receipts upgraded -> every receipt verified (levels 1-3) -> a tampered
//   record caught.
import { openLedger, regtest } from '@medanchor/chain';
import { MemoryJournal, type Receipt, sha256, toHex, utf8, verifyReceipt } from '@medanchor/core';
import {
  consentSignerForKey,
  createConsentGrant,
  evaluateConsent,
  generateX25519KeyPair,
  open,
  seal,
  signConsentGrant,
} from '@medanchor/crypto';
import { devAnchoring } from '../shared/dev-anchoring.js';
import { syntheticFhir } from './synthetic-fhir.js';

const count = Number(process.env['MEDANCHOR_DEMO_RECORDS'] ?? 1000);
const timings: [string, number][] = [];
async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  timings.push([name, performance.now() - t0]);
  return out;
}
const fail = (why: string): never => {
  console.error(`demo failed: ${why}`);
  process.exit(1);
};

// 1. Records, a clinician's encryption key, and the patient's consent signed with a Bitcoin key.
const records = await step('generate FHIR', () => syntheticFhir(count));
const clinician = await generateX25519KeyPair();
const envelopes = await step('encrypt', () =>
  Promise.all(
    records.map((r) =>
      seal(utf8(JSON.stringify(r)), {
        recipients: [clinician.publicKey],
        context: {
          recordId: `${r.resourceType}/${r.id}`,
          version: '1',
          contentType: 'application/fhir+json',
        },
      }),
    ),
  ),
);
const patientKey = sha256(utf8('demo patient key: never derive real keys like this'));
const signedGrant = signConsentGrant(
  createConsentGrant({
    patient: 'Patient/pat-0',
    signer: consentSignerForKey(patientKey),
    grantee: 'Practitioner/dr-lind',
    actions: ['access'],
    purposes: ['TREAT'],
    scope: { categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }] },
    validFrom: new Date(Date.now() - 60_000),
    validUntil: new Date(Date.now() + 365 * 86_400_000),
  }),
  patientKey,
);
const decision = evaluateConsent(signedGrant, {
  request: {
    grantee: 'Practitioner/dr-lind',
    action: 'access',
    purpose: 'TREAT',
    category: { system: 'http://hl7.org/fhir/resource-types', code: 'Observation' },
  },
});
if (decision.decision !== 'permit') fail(`consent was not granted: ${JSON.stringify(decision)}`);
const opened = await open(envelopes[1]!, clinician.privateKey);
if (toHex(opened.payload) !== toHex(utf8(JSON.stringify(records[1]))))
  fail('the clinician could not open a record');

// 2. A devnet with a funded anchoring key, an anchorer and a ledger.
const { devnet, anchorer, verifier } = await step('mine funding', () =>
  devAnchoring('medanchor demo'),
);
const ledger = await openLedger({
  origin: 'demo.medanchor.example/clinic-ledger',
  journal: new MemoryJournal(),
  anchorer,
  network: regtest,
  policy: { maxRecords: count + 2 },
});

// 3. Stamp the encrypted records and the consent, seal, anchor, mine, upgrade.
const stamped = [...envelopes, utf8(JSON.stringify(signedGrant))];
const accepted = await step('stamp (durable add)', () =>
  Promise.all(stamped.map((e) => ledger.add(e))),
);
const batch = await step(
  'seal + anchor',
  async () => (await ledger.seal()) ?? fail('nothing was sealed'),
);
await step('mine 6 blocks', () => devnet.test.mine(6));
await step('upgrade receipts', () => ledger.sync());
const receipts: Receipt[] = [];
for (const a of accepted)
  receipts.push((await ledger.receipt(a.leafIndex)) ?? fail('a receipt is missing'));

// 4. Verify every receipt: Merkle, SPV, and depth in the chain from the backend.
const verifiers = [verifier];
const levels = new Map<number, number>();
await step('verify every receipt', async () => {
  for (let i = 0; i < receipts.length; i++) {
    const result = await verifyReceipt(receipts[i], {
      content: stamped[i]!,
      anchors: verifiers,
      requireAnchor: true,
    });
    if (!result.ok) fail(`receipt ${i} failed at ${result.step}: ${result.reason}`);
    else levels.set(result.level, (levels.get(result.level) ?? 0) + 1);
  }
});

// 5. One stored envelope is altered after the fact: it must be caught.
const tampered = stamped[3]!.slice();
tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
const caught = await verifyReceipt(receipts[3], { content: tampered, anchors: verifiers });
await ledger.close();

const anchor = receipts[0]!.anchors[0] as { txid?: string; height?: number } | undefined;
const kinds = new Map<string, number>();
for (const r of records) kinds.set(r.resourceType, (kinds.get(r.resourceType) ?? 0) + 1);
console.log(`medanchor demo on devnet (regtest), ${records.length} synthetic FHIR R4 resources`);
console.log(
  `  ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}, each encrypted for the clinician (HPKE)`,
);
console.log(`  patient consent signed (BIP-340) and checked: ${decision.decision}`);
console.log(
  `  sealed ${batch.receipts.length} entries into log "${batch.checkpoint.origin}" at size ${batch.checkpoint.size}`,
);
console.log(
  `  checkpoint ${toHex(batch.checkpointDigest).slice(0, 16)}... anchored in tx ${anchor?.txid ?? '?'} at height ${anchor?.height ?? '?'}`,
);
console.log(
  `  receipts verified: ${[...levels].map(([l, n]) => `${n} at level ${l}`).join(', ')} of ${receipts.length}`,
);
console.log(`  tampered envelope: ${caught.ok ? 'NOT CAUGHT' : `caught at step "${caught.step}"`}`);
console.log(`  timings: ${timings.map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(', ')}`);
if (caught.ok) process.exit(1);

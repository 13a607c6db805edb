// Consent-based sharing: the patient signs a grant with a Bitcoin key, the record is
// encrypted for the clinic, the clinician opens it only when the grant permits, and
// every grant, revocation and access is committed to the ledger, so when consent was
// given, used and withdrawn is provable.
import { openLedger, regtest } from '@medanchor/chain';
import { MemoryJournal, sha256, toHex, utf8, verifyReceipt } from '@medanchor/core';
import {
  consentSignerForKey,
  createConsentGrant,
  createConsentRevocation,
  evaluateConsent,
  generateX25519KeyPair,
  open,
  seal,
  signConsentGrant,
  signConsentRevocation,
} from '@medanchor/crypto';
import { devAnchoring } from '../shared/dev-anchoring.js';

export async function main(): Promise<{ before: string; after: string; events: number }> {
  const { devnet, anchorer, verifier } = await devAnchoring('consent-sharing');
  const ledger = await openLedger({
    origin: 'clinic.example/consent-ledger',
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });
  const audit = (event: Record<string, unknown>) => ledger.add(utf8(JSON.stringify(event)));

  // The patient's key (a Bitcoin key: BIP-340 Schnorr) and the clinic's encryption key.
  const patientKey = sha256(utf8('example patient key: not for real use'));
  const clinic = await generateX25519KeyPair();
  const record = utf8(
    '{"resourceType":"Observation","id":"glucose-1","valueQuantity":{"value":7.8,"unit":"mmol/L"}}',
  );
  const envelope = await seal(record, {
    recipients: [clinic.publicKey],
    context: {
      recordId: 'Observation/glucose-1',
      version: '1',
      contentType: 'application/fhir+json',
    },
  });

  const grant = signConsentGrant(
    createConsentGrant({
      patient: 'Patient/p-42',
      signer: consentSignerForKey(patientKey),
      grantee: 'Practitioner/dr-okafor',
      actions: ['access'],
      purposes: ['TREAT'],
      scope: { records: ['Observation/glucose-1'] },
      validFrom: new Date(Date.now() - 60_000),
      validUntil: new Date(Date.now() + 30 * 86_400_000),
    }),
    patientKey,
  );
  await audit({ type: 'consent-grant', grant });

  const request = {
    grantee: 'Practitioner/dr-okafor',
    action: 'access',
    purpose: 'TREAT',
    record: 'Observation/glucose-1',
  } as const;
  const before = evaluateConsent(grant, { request });
  if (before.decision === 'permit') {
    const opened = await open(envelope, clinic.privateKey);
    await audit({
      type: 'access',
      grantee: request.grantee,
      record: request.record,
      payloadSha256: toHex(sha256(opened.payload)),
    });
  }

  // The patient withdraws consent; the next request is denied, and that is logged too.
  const revocation = signConsentRevocation(createConsentRevocation(grant.grant), patientKey);
  await audit({ type: 'consent-revocation', revocation });
  const after = evaluateConsent(grant, { request, revocations: [revocation] });
  await audit({
    type: 'access-denied',
    grantee: request.grantee,
    record: request.record,
    reason: after.decision === 'deny' ? after.reason : 'none',
  });

  const batch = (await ledger.seal())!;
  await devnet.test.mine(6);
  await ledger.sync();
  let events = 0;
  for (let i = 0; i < batch.receipts.length; i++) {
    const r = await verifyReceipt(await ledger.receipt(batch.firstIndex + i), {
      anchors: [verifier],
      requireAnchor: true,
    });
    if (!r.ok) throw new Error(`audit event ${i} did not verify`);
    events++;
  }
  await ledger.close();
  const afterText = after.decision === 'deny' ? `deny (${after.reason})` : after.decision;
  console.log(
    `consent-sharing: before revocation ${before.decision}, after ${afterText}; ${events} audit events anchored`,
  );
  return { before: before.decision, after: afterText, events };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

// An auditor checks that a log was only appended to between two anchored checkpoints:
// a consistency proof links the two roots, and both checkpoints are anchored on chain.
import { openLedger, regtest } from '@medanchor/chain';
import { fromHex, MemoryJournal, utf8, verifyConsistency, verifyReceipt } from '@medanchor/core';
import { devAnchoring } from '../shared/dev-anchoring.js';

export async function main(): Promise<{ consistent: boolean; rewriteDetected: boolean }> {
  const { devnet, anchorer, verifier } = await devAnchoring('audit-trail');
  const ledger = await openLedger({
    origin: 'lab.example/results',
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });

  // Monday's batch, anchored.
  const first = await ledger.add(utf8('result 1: HbA1c 6.1%'));
  await ledger.add(utf8('result 2: LDL 2.9 mmol/L'));
  const monday = (await ledger.seal())!.checkpoint;
  await devnet.test.mine(6);
  // Tuesday's batch, anchored.
  await ledger.add(utf8('result 3: TSH 2.2 mU/L'));
  const tuesday = (await ledger.seal())!.checkpoint;
  await devnet.test.mine(6);
  await ledger.sync();

  // What the operator publishes: both checkpoints, a consistency proof, and receipts.
  const proof = ledger.batcher.log.consistencyProof(monday.size, tuesday.size);
  const consistent = verifyConsistency(monday.size, tuesday.size, proof, monday.root, tuesday.root);

  // Both checkpoints are anchored: a receipt of each verifies at level 3.
  const r1 = await verifyReceipt(await ledger.receipt(first.leafIndex), {
    content: utf8('result 1: HbA1c 6.1%'),
    anchors: [verifier],
    requireAnchor: true,
  });
  const r3 = await verifyReceipt(await ledger.receipt(2), {
    anchors: [verifier],
    requireAnchor: true,
  });
  if (!r1.ok || !r3.ok) throw new Error('an anchored receipt did not verify');

  // A rewritten Monday (result 2 changed after the fact) cannot be consistent with Tuesday.
  const forgedRoot = fromHex('00'.repeat(32));
  const rewriteDetected = !verifyConsistency(
    monday.size,
    tuesday.size,
    proof,
    forgedRoot,
    tuesday.root,
  );
  await ledger.close();
  console.log(
    `audit-trail: Monday (${monday.size}) -> Tuesday (${tuesday.size}) consistent: ${consistent}; rewrite detected: ${rewriteDetected}`,
  );
  return { consistent, rewriteDetected };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

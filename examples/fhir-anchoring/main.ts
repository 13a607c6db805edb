// Anchor a FHIR bundle: every resource is stamped durably (file journal, file log), the
// batch is sealed and anchored on devnet, and each receipt is written next to its
// resource and verified back from disk, as an auditor would.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, regtest } from '@medanchor/chain';
import { encodeReceipt, MerkleLog, utf8, verifyReceipt } from '@medanchor/core';
import { FileJournal, FileLogStore } from '@medanchor/core/node';
import { syntheticFhir } from '../demo/synthetic-fhir.js';
import { devAnchoring } from '../shared/dev-anchoring.js';

export async function main(dir = mkdtempSync(join(tmpdir(), 'medanchor-fhir-'))): Promise<number> {
  const { devnet, anchorer, verifier } = await devAnchoring('fhir-anchoring');
  const store = FileLogStore.open(join(dir, 'log'));
  const ledger = await openLedger({
    origin: 'hospital.example/fhir-ledger',
    journal: new FileJournal(join(dir, 'journal.bin')),
    log: new MerkleLog(store),
    anchorer,
    network: regtest,
  });

  const bundle = syntheticFhir(50, 7);
  mkdirSync(join(dir, 'records'), { recursive: true });
  const accepted = [];
  for (const resource of bundle) {
    const bytes = utf8(JSON.stringify(resource));
    writeFileSync(join(dir, 'records', `${resource.resourceType}-${resource.id}.json`), bytes);
    accepted.push({ resource, ack: await ledger.add(bytes) });
  }
  await ledger.seal();
  await devnet.test.mine(6);
  await ledger.sync();

  for (const { resource, ack } of accepted) {
    const receipt = await ledger.receipt(ack.leafIndex);
    if (!receipt) throw new Error(`no receipt for ${resource.id}`);
    writeFileSync(
      join(dir, 'records', `${resource.resourceType}-${resource.id}.receipt.json`),
      encodeReceipt(receipt),
    );
  }
  await ledger.close();
  store.close();

  // The auditor's side: only the files on disk and a Bitcoin backend.
  let verified = 0;
  for (const { resource } of accepted) {
    const base = join(dir, 'records', `${resource.resourceType}-${resource.id}`);
    const result = await verifyReceipt(JSON.parse(readFileSync(`${base}.receipt.json`, 'utf8')), {
      content: new Uint8Array(readFileSync(`${base}.json`)),
      anchors: [verifier],
      requireAnchor: true,
    });
    if (!result.ok || result.level !== 3)
      throw new Error(`${resource.id} did not verify: ${JSON.stringify(result)}`);
    verified++;
  }
  console.log(`fhir-anchoring: ${verified} FHIR resources anchored and verified from ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  return verified;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

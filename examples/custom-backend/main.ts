// Plugging your own Backend into the anchorer and the verifier: a failover backend over
// two Esplora servers (two "operators", both serving the same devnet over HTTP on
// 127.0.0.1). A record is anchored through the first; then it goes down, and syncing
// and level-3 verification carry on through the second, with headers from the cache.
import {
  bitcoinAnchorVerifier,
  createAnchorer,
  esploraBackend,
  fundingKeyFromSecret,
  memoryAnchorStateStore,
  openLedger,
  regtest,
} from '@medanchor/chain';
import { createDevnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { MemoryJournal, sha256, utf8, verifyReceipt } from '@medanchor/core';
import { failoverBackend } from './failover-backend.js';

/** What the example shows: a level-3 receipt despite the outage, failover and cache at work. */
export interface CustomBackendResult {
  level: number;
  failedOver: boolean;
  cacheHits: number;
}

export async function main(): Promise<CustomBackendResult> {
  const devnet = createDevnet({ seed: 'custom-backend' });
  const operatorA = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
  const operatorB = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
  // Failover is this backend's job, so the Esplora backends are told not to retry.
  const esplora = (url: string) => esploraBackend({ url, retries: 0, timeoutMs: 5_000 });
  const backend = failoverBackend({
    backends: [esplora(operatorA.url), esplora(operatorB.url)],
    // Headers 6 deep are final here (the verifier asks for 6 confirmations).
    finalityDepth: 6,
    onFailover: (e) => console.log(`  ${e.method}: ${e.backend} failed (${e.code}), next one`),
  });

  // From here on, the code is what it would be with any backend.
  const key = fundingKeyFromSecret(
    sha256(utf8('example key custom-backend: not for real funds')),
    'p2tr',
    regtest,
  );
  await devnet.test.mine(2, key.script);
  await devnet.test.mine(100);
  const anchorer = await createAnchorer({
    backend,
    network: regtest,
    key,
    state: memoryAnchorStateStore(),
    fee: { minSatPerVb: 1, maxSatPerVb: 25 },
  });
  const ledger = await openLedger({
    origin: 'clinic.example/records',
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });
  const record = utf8('{"resourceType":"Observation","id":"bp-1","status":"final"}');
  const { leafIndex } = await ledger.add(record);
  await ledger.seal(); // broadcast through operator A

  console.log('custom-backend: operator A goes down');
  await operatorA.close();
  await devnet.test.mine(6); // the miners carry on
  await ledger.sync(); // confirmations tracked through operator B

  const verifier = bitcoinAnchorVerifier({
    network: regtest,
    backends: [backend],
    minConfirmations: 6,
  });
  const receipt = await ledger.receipt(leafIndex);
  const options = { content: record, anchors: [verifier], requireAnchor: true };
  const first = await verifyReceipt(receipt, options);
  // A second auditor (a verifier of its own, which keeps no headers from the first) looks at
  // the same receipt: the headers deep enough to be final come from the backend's cache.
  const hitsBefore = backend.stats().cacheHits;
  const second = bitcoinAnchorVerifier({
    network: regtest,
    backends: [backend],
    minConfirmations: 6,
  });
  const again = await verifyReceipt(receipt, { ...options, anchors: [second] });
  const stats = backend.stats();
  await ledger.close();
  await operatorB.close();

  const level = first.ok && again.ok ? Math.min(first.level, again.level) : 0;
  console.log(
    `  receipt verified at level ${level}; ${stats.calls} backend calls, ${stats.failovers} failed over, ${stats.cacheHits} from the cache (${stats.cacheHits - hitsBefore} on the second check)`,
  );
  return { level, failedOver: stats.failovers > 0, cacheHits: stats.cacheHits - hitsBefore };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

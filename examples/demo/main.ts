// The quick-start demo: the smallest real end-to-end run of what medanchor has today.
// Every step runs for real: nothing is mocked. It grows with the product.
import {
  MemoryJournal,
  openBatcher,
  type Receipt,
  toHex,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { syntheticFhir } from './synthetic-fhir.js';

const count = Number(process.env['MEDANCHOR_DEMO_RECORDS'] ?? 1000);
const timings: [string, number][] = [];
async function step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  timings.push([name, performance.now() - t0]);
  return out;
}

const records = await step('generate', () => syntheticFhir(count));
const bytes = records.map((r) => utf8(JSON.stringify(r)));

const batcher = await openBatcher({
  origin: 'demo.medanchor.example/clinic-log',
  journal: new MemoryJournal(),
  policy: { maxRecords: count + 1 },
});
await step('stamp (durable add)', () => Promise.all(bytes.map((b) => batcher.add(b))));
const batch = await step('seal', async () => {
  const sealed = await batcher.seal();
  if (!sealed) throw new Error('nothing was sealed');
  return sealed;
});

const receipts: Receipt[] = batch.receipts;
const verified = await step('verify every receipt', async () => {
  let ok = 0;
  for (let i = 0; i < receipts.length; i++) {
    const result = await verifyReceipt(receipts[i], { content: bytes[i]! });
    if (result.ok) ok++;
    else console.error(`receipt ${i} failed at ${result.step}: ${result.reason}`);
  }
  return ok;
});

// One record is altered after the fact: a changed glucose value must be caught.
const victim = records.findIndex((r) => r.resourceType === 'Observation');
const tampered = utf8(
  JSON.stringify({ ...records[victim], valueQuantity: { value: 99, unit: 'mg/dL' } }),
);
const caught = await verifyReceipt(receipts[victim], { content: tampered });
await batcher.close();

const kinds = new Map<string, number>();
for (const r of records) kinds.set(r.resourceType, (kinds.get(r.resourceType) ?? 0) + 1);
console.log(`medanchor demo: ${records.length} synthetic FHIR R4 resources`);
console.log(`  ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
console.log(`  sealed into log "${batch.checkpoint.origin}" at size ${batch.checkpoint.size}`);
console.log(`  checkpoint digest to anchor: ${toHex(batch.checkpointDigest)}`);
console.log(
  `  receipts verified (record -> commitment -> checkpoint): ${verified}/${receipts.length}`,
);
console.log(
  `  tampered record ${records[victim]!.id}: ${caught.ok ? 'NOT CAUGHT' : `caught at step "${caught.step}"`}`,
);
console.log(`  timings: ${timings.map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(', ')}`);
if (verified !== receipts.length || caught.ok) process.exit(1);

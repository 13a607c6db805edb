import { createHash } from 'node:crypto';
import { sha256 } from '@medanchor/core';
import { measure, printTable } from '../harness.js';

/** Core section: hashing baselines (Merkle figures join as the log lands). */
export async function run(): Promise<void> {
  const mib = new Uint8Array(1 << 20).fill(7);
  const nodeBulk = await measure(
    'node:crypto sha256 1 MiB',
    () => createHash('sha256').update(mib).digest(),
    {
      items: 1,
      unit: 'MiB',
    },
  );
  const nobleBulk = await measure('@medanchor/core sha256 1 MiB', () => sha256(mib), {
    items: 1,
    unit: 'MiB',
  });
  printTable('SHA-256 bulk rate (the hardware limit for Merkle work)', [
    { m: nodeBulk },
    { m: nobleBulk, baseline: nodeBulk },
  ]);
}

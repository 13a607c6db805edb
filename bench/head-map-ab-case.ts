// The seal that bench/head-map-ab.ts measures, bundled once per side (its @medanchor imports
// resolved to that side's sources): N new records into a fresh ledger, one seal, with or
// without the head map, on the memory or file stores. Returns the seal's CPU milliseconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '@medanchor/chain';
import {
  generateNoteKey,
  type HeadMapStore,
  type LedgerStore,
  memoryHeadMapStore,
  memoryLedgerStore,
  sha256,
  utf8,
} from '@medanchor/core';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';

const ORIGIN = 'bench.example/head-map-ab';
const logKey = generateNoteKey(ORIGIN);

/** One seal of `n` new records; its CPU time (user + system) in milliseconds. */
export async function sealNew(
  kind: 'memory' | 'file',
  withMap: boolean,
  n: number,
): Promise<number> {
  const dir = kind === 'file' ? mkdtempSync(join(tmpdir(), 'medanchor-head-map-ab-')) : undefined;
  let store: LedgerStore;
  let map: HeadMapStore | undefined;
  if (dir === undefined) {
    store = memoryLedgerStore({ origin: ORIGIN });
    map = withMap ? memoryHeadMapStore() : undefined;
  } else {
    store = await openFileLedgerStore(join(dir, 'store'), { origin: ORIGIN });
    map = withMap ? await openFileHeadMapStore(join(dir, 'map')) : undefined;
  }
  try {
    const ledger = await openLedger({
      store,
      pollMs: 0,
      signer: logKey,
      batchSize: 1_000_000,
      policy: { maxRecords: Number.MAX_SAFE_INTEGER },
      ...(map === undefined ? {} : { headMap: { store: map } }),
    });
    for (let at = 0; at < n; at += 5_000)
      await store.addPending(
        Array.from({ length: Math.min(5_000, n - at) }, (_, j) => ({
          salt: sha256(utf8(`salt ${at + j}`)),
          digest: sha256(utf8(`record ${at + j}`)),
          recordId: `Observation/o-${at + j}`,
        })),
      );
    const c0 = process.cpuUsage();
    await ledger.seal();
    const c = process.cpuUsage(c0);
    await ledger.close();
    return (c.user + c.system) / 1000;
  } finally {
    await map?.close?.();
    await store.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

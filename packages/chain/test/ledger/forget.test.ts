// Erasure on the file store: stamp, anchor on the devnet, forget, then search every byte
// of the store's directory (journal segments, leaf and meta files, index segments, tiles,
// checkpoints, anchors, head, leftovers of rewrites) for the record's salts and digests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileLedgerStore } from '@medanchor/core/node';
import { afterEach, describe, expect, it } from 'vitest';
import { findInTree, runErasureScenario } from './forget-scenario.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('forget on the file store', () => {
  it('leaves no byte of the salt or digest anywhere in the store directory; other records verify at level 3', async () => {
    const root = mkdtempSync(join(tmpdir(), 'medanchor-forget-'));
    dirs.push(root);
    const dir = join(root, 'store');
    const store = await openFileLedgerStore(dir, { origin: 'clinic.example/forget-file' });
    let found = 0;
    const { ledger, secrets } = await runErasureScenario(store, 'file', (s) => {
      found = findInTree(dir, s).hits.length;
    });
    expect(found).toBeGreaterThan(0); // the search sees them before the forget
    await ledger.close();
    await store.close();
    const after = findInTree(dir, secrets);
    expect(after.files).toBeGreaterThan(5);
    expect(after.hits).toEqual([]);
    // Opened again (a new process would): still nothing, and the forget holds.
    const again = await openFileLedgerStore(dir, { origin: 'clinic.example/forget-file' });
    expect(await again.versions('obs-1')).toEqual([]);
    await again.close();
    expect(findInTree(dir, secrets).hits).toEqual([]);
  }, 60_000);
});

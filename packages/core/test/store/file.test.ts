import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isMedanchorError, sealCheckpoint, sequencePending } from '../../src/index.js';
import { openFileLedgerStore } from '../../src/node.js';
import { runLedgerStoreContract, sampleItem } from './contract.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'medanchor-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Every file's name and bytes (the lock aside): equal fingerprints, nothing written.
function fingerprint(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'lock') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else h.update(`${rel}${name}\n`).update(readFileSync(p));
    }
  };
  walk(dir, '');
  return h.digest('hex');
}

runLedgerStoreContract('file', {
  async create(origin) {
    const dir = join(tempDir(), 'store');
    return {
      store: await openFileLedgerStore(dir, { origin }),
      reopen: (o) => openFileLedgerStore(dir, { origin: o }),
      async writeSchemaVersion(version) {
        const head = JSON.parse(readFileSync(join(dir, 'head.json'), 'utf8'));
        writeFileSync(join(dir, 'head.json'), JSON.stringify({ ...head, schema: version }));
      },
      fingerprint: async () => fingerprint(dir),
    };
  },
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return e.code;
    throw e;
  }
  return 'resolved';
}

describe('file ledger store', () => {
  const origin = 'file.example/ledger';

  it('shares one journal sync among concurrent adds', async () => {
    const store = await openFileLedgerStore(tempDir(), { origin });
    const before = store.stats().journalSyncs;
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.addPending([sampleItem(i)])));
    const syncs = store.stats().journalSyncs - before;
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(100);
    await store.close();
  });

  it('opens without reading sequenced records again: the journal is compacted', async () => {
    const dir = tempDir();
    let store = await openFileLedgerStore(dir, { origin });
    const lease = (await store.acquireLease('seq', 60_000))!;
    // ~3 MiB of journal: several segments, all sequenced.
    for (let b = 0; b < 6; b++) {
      await store.addPending(
        Array.from({ length: 5000 }, (_, i) => sampleItem(b * 5000 + i, { key: `k${b}-${i}` })),
      );
      await sequencePending(store, lease, 100_000);
    }
    await sealCheckpoint(store, lease);
    await store.addPending([sampleItem(1e6, { key: 'tail' })]);
    await store.close();
    store = await openFileLedgerStore(dir, { origin });
    expect(store.stats().pendingReadAtOpen).toBe(1);
    expect(store.stats().journalSegments).toBeLessThanOrEqual(2);
    expect(readdirSync(join(dir, 'pending')).length).toBeLessThanOrEqual(2);
    expect(await store.size()).toBe(30_000);
    expect((await store.leafByKey('k3-77'))?.index).toBe(3 * 5000 + 77);
    const [dup] = await store.addPending([sampleItem(5, { key: 'k0-5' })]);
    expect(dup!.duplicateOf).toBeDefined();
    expect(store.stats().indexSegments).toBeLessThanOrEqual(3);
    await store.close();
  });

  it('finds every key and record version across many merged index segments, after reopening', async () => {
    const dir = tempDir();
    let store = await openFileLedgerStore(dir, { origin });
    const lease = (await store.acquireLease('seq', 60_000))!;
    for (let b = 0; b < 40; b++) {
      const items = Array.from({ length: 1 + (b % 7) * 3 }, (_, i) =>
        sampleItem(b * 100 + i, { key: `b${b}-${i}`, recordId: `rec-${i}`, version: b }),
      );
      await store.addPending(items);
      await sequencePending(store, lease, 1000);
    }
    const segments = store.stats().indexSegments;
    await store.close();
    store = await openFileLedgerStore(dir, { origin });
    expect(segments).toBeLessThanOrEqual(8);
    expect(readdirSync(join(dir, 'index')).length).toBe(3 * segments);
    const size = await store.size();
    const leaves = await store.readLeaves(0, size);
    for (const leaf of leaves) {
      expect((await store.leafByKey(leaf.key!))?.index).toBe(leaf.index);
    }
    for (const id of ['rec-0', 'rec-5', 'rec-18']) {
      const expected = leaves.filter((l) => l.recordId === id).map((l) => l.index);
      expect(expected.length).toBeGreaterThan(0);
      expect(await store.versions(id)).toEqual(expected);
    }
    expect(await store.leafByKey('b0-1')).toBeUndefined(); // batch 0 had one record
    await store.close();
  });

  it('repairs a torn journal tail and keeps every acknowledged record', async () => {
    const dir = tempDir();
    let store = await openFileLedgerStore(dir, { origin });
    await store.addPending([sampleItem(1), sampleItem(2)]);
    await store.close();
    const seg = readdirSync(join(dir, 'pending'))[0]!;
    // A crash mid-append leaves part of a frame: append half of a plausible one.
    writeFileSync(join(dir, 'pending', seg), Uint8Array.of(0, 0, 0, 90, 1, 2, 3), { flag: 'a' });
    store = await openFileLedgerStore(dir, { origin });
    expect(await store.pendingCount()).toBe(2);
    await store.addPending([sampleItem(3)]);
    expect(await store.pendingCount()).toBe(3);
    await store.close();
  });

  it('refuses a second open while the store is held, and a damaged head', async () => {
    const dir = tempDir();
    const store = await openFileLedgerStore(dir, { origin });
    expect(await codeOf(openFileLedgerStore(dir, { origin }))).toBe('STORE_LOCKED');
    await store.close();
    writeFileSync(join(dir, 'head.json'), '{"format":"medanchor-file-ledger"');
    expect(await codeOf(openFileLedgerStore(dir, { origin }))).toBe('STORE_CORRUPT');
    expect(await codeOf(openFileLedgerStore(dir, { origin: 'bad origin' }))).toBe('INVALID_ORIGIN');
  });

  it('takes over a lock left by a process that is gone, or by an earlier one with our pid', async () => {
    const dir = tempDir();
    await (await openFileLedgerStore(dir, { origin })).close();
    for (const pid of [999999999, process.pid]) {
      writeFileSync(join(dir, 'lock'), `${pid}\n`);
      const store = await openFileLedgerStore(dir, { origin });
      expect(await store.size()).toBe(0);
      expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
      await store.close();
    }
  });
});

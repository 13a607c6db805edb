import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sequencePending, sha256, toHex, utf8 } from '../../src/index.js';
import { openFileLedgerStore } from '../../src/node.js';
import { findInTree } from './find-bytes.js';

// File-store specifics of forget: the pending journal segment it rewrites keeps every
// record still pending, through later integrates, compaction and a reopen; index lookups
// running while a forget swaps the index are not broken.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const origin = 'file-forget.test/ledger';
const item = (n: number, recordId: string) => ({
  salt: sha256(utf8(`salt ${n}`)),
  digest: sha256(utf8(`record ${n}`)),
  key: `k${n}`,
  recordId,
});

describe('forget in the file store', () => {
  it('keeps the records still pending in the journal segment it rewrites', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'medanchor-file-forget-')), 'store');
    dirs.push(dir);
    let store = await openFileLedgerStore(dir, { origin });
    await store.addPending([item(0, 'gone'), item(1, 'p1'), item(2, 'p2')]);
    const lease = (await store.acquireLease('a', 60_000))!;
    await sequencePending(store, lease, 1);
    const journal = () =>
      readdirSync(join(dir, 'pending')).map((n) => readFileSync(join(dir, 'pending', n)));
    expect(journal().some((b) => b.indexOf(item(0, '').salt) >= 0)).toBe(true);
    expect((await store.forget('gone', 5)).map((t) => t.index)).toEqual([0]);
    expect(journal().some((b) => b.indexOf(item(0, '').salt) >= 0)).toBe(false);
    // One more integrate (compaction runs after it) with a record left pending.
    await sequencePending(store, lease, 1);
    await store.close();
    store = await openFileLedgerStore(dir, { origin });
    const pending = await store.readPending(10);
    expect(pending.map((p) => p.recordId)).toEqual(['p2']);
    expect(toHex(pending[0]!.salt)).toBe(toHex(item(2, '').salt));
    // And new adds after that keep going in order.
    await store.addPending([item(3, 'p3')]);
    const l2 = (await store.acquireLease('b', 60_000))!;
    await sequencePending(store, l2, 10);
    expect((await store.readLeaves(0, 4)).map((l) => l.recordId ?? '-')).toEqual([
      '-',
      'p1',
      'p2',
      'p3',
    ]);
    expect(findInTree(dir, [{ name: 'salt 0', bytes: item(0, '').salt }]).hits).toEqual([]);
    await store.close();
  });

  it('answers lookups that run while a forget replaces the index', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'medanchor-file-forget-')), 'store');
    dirs.push(dir);
    const store = await openFileLedgerStore(dir, { origin });
    await store.addPending(Array.from({ length: 200 }, (_, n) => item(n, `r${n % 20}`)));
    const lease = (await store.acquireLease('a', 60_000))!;
    await sequencePending(store, lease, 1000);
    const lookups: Promise<unknown>[] = [];
    const forgets: Promise<unknown>[] = [];
    for (let r = 0; r < 10; r++) {
      forgets.push(store.forget(`r${r}`, 7));
      for (let n = 100; n < 110; n++) lookups.push(store.leafByKey(`k${n + r * 2}`));
      lookups.push(store.versions(`r${10 + r}`));
    }
    await Promise.all(forgets);
    const results = await Promise.allSettled(lookups);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (let r = 10; r < 20; r++) expect(await store.versions(`r${r}`)).toHaveLength(10);
    for (let r = 0; r < 10; r++) expect(await store.versions(`r${r}`)).toEqual([]);
    await store.close();
  });
});

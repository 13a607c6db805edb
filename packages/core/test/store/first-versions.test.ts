// LedgerStore.firstVersions (the batch record-id lookup a seal with the head map uses) on
// the memory and file stores: it answers what versions() answers on seeded random logs with
// forgets and refuses what is not an array of strings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LedgerStore,
  memoryLedgerStore,
  sequencePending,
  sha256,
  utf8,
} from '../../src/index.js';
import { openFileLedgerStore } from '../../src/node.js';
import { agreeOnRandomLog } from './first-versions-agree.js';

const ORIGIN = 'clinic.example/first-versions';
const dirs: string[] = [];
const stores: LedgerStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const memory = async () => {
  const s = memoryLedgerStore({ origin: ORIGIN });
  stores.push(s);
  return s;
};
const file = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-first-versions-'));
  dirs.push(dir);
  const s = await openFileLedgerStore(dir, { origin: ORIGIN });
  stores.push(s);
  return s;
};

describe.each([
  ['memory', memory],
  ['file', file],
] as const)('firstVersions on the %s store', (kind, make) => {
  it('agrees with versions() on seeded random logs with forgets', async () => {
    // The file store syncs every integrate: fewer rounds there, the same cases reached.
    const rounds = kind === 'file' ? 15 : 24;
    for (const seed of kind === 'file' ? [1, 2] : [1, 2, 3]) {
      const store = await make();
      const reopen =
        kind === 'file'
          ? async (s: LedgerStore) => {
              const dir = (s as LedgerStore & { dir: string }).dir;
              await s.close();
              const again = await openFileLedgerStore(dir, { origin: ORIGIN });
              stores.push(again);
              return again;
            }
          : undefined;
      const cover = await agreeOnRandomLog(store, seed, rounds, reopen);
      // Fixed seeds: every case is reached on every run, not by luck.
      expect(cover.multi, `seed ${seed}`).toBeGreaterThan(0);
      expect(cover.forgotten, `seed ${seed}`).toBeGreaterThan(0);
      expect(cover.unknown, `seed ${seed}`).toBe(rounds * 2);
    }
  });

  it('answers an empty list, repeats an id, and refuses what is not an array of strings', async () => {
    const store = await make();
    await store.addPending([
      { salt: sha256(utf8('s1')), digest: sha256(utf8('d1')), recordId: 'a' },
      { salt: sha256(utf8('s2')), digest: sha256(utf8('d2')), recordId: 'b' },
      { salt: sha256(utf8('s3')), digest: sha256(utf8('d3')), recordId: 'a' },
    ]);
    // Pending records are not sequenced yet: no first version.
    expect(await store.firstVersions!(['a'])).toEqual([undefined]);
    const lease = await store.acquireLease('t', 60_000);
    await sequencePending(store, lease!, 10);
    expect(await store.firstVersions!([])).toEqual([]);
    expect(await store.firstVersions!(['b', 'a', 'a', 'c'])).toEqual([1, 0, 0, undefined]);
    for (const bad of [undefined, 'a', [1], ['a', null]])
      await expect(store.firstVersions!(bad as unknown as string[])).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    await store.close();
    await expect(store.firstVersions!(['a'])).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});

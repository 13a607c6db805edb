// firstVersionsOf, the head map's one way to ask a store for first versions: the store's
// batch method when it has one, versions() per id when it does not (a third-party store),
// with the same answers; a batch answer of the wrong length is a typed error.
import { type LedgerStore, memoryLedgerStore } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { agreeOnRandomLog } from '../../../core/test/store/first-versions-agree.js';
import { firstVersionsOf } from '../../src/ledger/first-versions.js';

const ORIGIN = 'clinic.example/first-versions-of';

describe('firstVersionsOf', () => {
  it('falls back to versions() per id for a store without firstVersions: same answers', async () => {
    const store = memoryLedgerStore({ origin: ORIGIN });
    const asked: string[] = [];
    // A third-party store: the same object without the batch method, counting versions().
    const plain: LedgerStore = {
      ...store,
      firstVersions: undefined,
      versions(id: string) {
        asked.push(id);
        return store.versions(id);
      },
    };
    await agreeOnRandomLog(store, 7, 6);
    const ids = Array.from({ length: 45 }, (_, k) => `Observation/o-${k}`);
    const want = await store.firstVersions!(ids);
    expect(await firstVersionsOf(store, ids)).toEqual(want);
    expect(asked).toEqual([]); // the batch method answered
    expect(await firstVersionsOf(plain, ids)).toEqual(want);
    expect(asked.sort()).toEqual([...ids].sort());
    expect(want.some((v) => v !== undefined)).toBe(true);
    expect(want.some((v) => v === undefined)).toBe(true);
    await expect(firstVersionsOf(plain, 'x' as unknown as string[])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('refuses a store whose answer has the wrong length (STORE_CORRUPT)', async () => {
    const store = memoryLedgerStore({ origin: ORIGIN });
    const broken: LedgerStore = { ...store, firstVersions: async () => [] };
    await expect(firstVersionsOf(broken, ['a'])).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });
});

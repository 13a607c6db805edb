// LedgerStore.firstVersions on a real PostgreSQL server: one statement answers what
// versions() answers id by id, on seeded random logs with forgets, across a reopen.
import { openPostgresLedgerStore } from '@medanchor/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreeOnRandomLog } from '../../core/test/store/first-versions-agree.js';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();
if (skip !== undefined) console.log(`skipping the PostgreSQL firstVersions test: ${skip}`);
const ORIGIN = 'clinic.example/pg-first-versions';

describe.skipIf(skip !== undefined)('firstVersions on PostgreSQL', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('agrees with versions() on seeded random logs with forgets', async () => {
    for (const seed of [1, 2]) {
      const url = await server.createDatabase();
      const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
      const cover = await agreeOnRandomLog(store, seed, 18, async (s) => {
        await s.close();
        return openPostgresLedgerStore({ url, origin: ORIGIN });
      });
      await store.close().catch(() => undefined); // closed already by the first reopen
      expect(cover.multi, `seed ${seed}`).toBeGreaterThan(0);
      expect(cover.forgotten, `seed ${seed}`).toBeGreaterThan(0);
      expect(cover.unknown, `seed ${seed}`).toBe(18 * 2);
    }
  }, 120_000);

  it('answers ids PostgreSQL text cannot hold, an empty list, and refuses non-strings', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
    try {
      expect(await store.firstVersions!([])).toEqual([]);
      expect(await store.firstVersions!(['a\0b', 'c'])).toEqual([undefined, undefined]);
      await expect(store.firstVersions!([1] as unknown as string[])).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    } finally {
      await store.close();
    }
    await expect(store.firstVersions!(['a'])).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  }, 60_000);
});

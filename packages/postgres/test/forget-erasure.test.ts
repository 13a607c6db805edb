// Erasure on PostgreSQL: stamp, anchor on the devnet, forget, then search the database
// for the record's salts and digests (raw, hex, HEX, base64):
// - covered: a pg_dump of the database (every row of every table); and every file of the
//   cluster's data directory outside pg_wal (table and index files of every database,
//   free space and visibility maps, pg_xact, global) after VACUUM FULL of the tables
//   the record touched (pending, keys, leaves) and a CHECKPOINT, so no dead row version
//   and no dirty page is left out of the files;
// - not covered, and reported instead: pg_wal. Write-ahead log segments keep the old row
//   images until the server recycles them (after checkpoints, beyond wal_keep_size and
//   any replication slot or archive); docs/privacy.md says what that means for erasure.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { openPostgresLedgerStore } from '@medanchor/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findIn,
  findInTree,
  runErasureScenario,
  type Secret,
} from '../../chain/test/ledger/forget-scenario.js';
import {
  findPostgresBin,
  type PgServer,
  postgresSkipReason,
  startPgServer,
} from './helpers/pg-server.js';

const skip = postgresSkipReason();

async function sql(url: string, ...statements: string[]): Promise<pg.QueryResult[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: pg.QueryResult[] = [];
    for (const s of statements) out.push(await c.query(s));
    return out;
  } finally {
    await c.end();
  }
}

describe.skipIf(skip !== undefined)('forget on PostgreSQL', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const dump = (url: string): Uint8Array => {
    const bin = findPostgresBin() as { dir: string };
    return execFileSync(join(bin.dir, 'pg_dump'), ['--data-only', '--no-owner', url], {
      maxBuffer: 256 << 20,
    });
  };
  // Everything outside pg_wal, after the dead rows are gone and pages are on disk.
  const flushAndSearch = async (url: string, secrets: readonly Secret[]) => {
    await sql(
      url,
      'vacuum full medanchor_pending, medanchor_keys, medanchor_leaves',
      'checkpoint',
      'checkpoint',
    );
    const rest = findInTree(server.dataDir, secrets, (p) => p.includes('/pg_wal'));
    const wal = findInTree(join(server.dataDir, 'pg_wal'), secrets);
    return { rest, wal };
  };

  it('leaves no salt or digest in a pg_dump or the cluster files (WAL aside); other records verify at level 3', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({ url, origin: 'clinic.example/forget-pg' });
    let dumped = 0;
    let filed = 0;
    const { ledger, secrets } = await runErasureScenario(store, 'postgres', async (s) => {
      dumped = findIn('pg_dump', dump(url), s).length;
      await sql(url, 'checkpoint');
      filed = findInTree(server.dataDir, s, (p) => p.includes('/pg_wal')).hits.length;
    });
    // Positive controls: both searches see the record before the forget.
    expect(dumped).toBeGreaterThan(0);
    expect(filed).toBeGreaterThan(0);
    await ledger.close();
    await store.close();

    expect(findIn('pg_dump', dump(url), secrets)).toEqual([]);
    const { rest, wal } = await flushAndSearch(url, secrets);
    expect(rest.files).toBeGreaterThan(100);
    expect(rest.hits).toEqual([]);
    // The rows that remain: one per leaf, forgotten ones with NULL salt and digest.
    const [rows] = await sql(
      url,
      'select leaf_index, salt is null as gone, forgotten_ms from medanchor_leaves order by leaf_index',
    );
    expect(rows!.rows.map((r) => r.gone)).toEqual([true, false, true, false]);
    console.log(
      `forget on PostgreSQL: searched ${rest.files} cluster files (${rest.bytes} bytes) outside pg_wal: no hit; pg_wal (not covered): ${wal.hits.length} hit(s) in ${wal.files} segment(s)`,
    );
  }, 120_000);
});

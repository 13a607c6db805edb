// The shared LedgerStore contract suite, run against a real PostgreSQL server.
import { openPostgresLedgerStore } from '@medanchor/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { runLedgerStoreContract } from '../../core/test/store/contract.js';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// Every table's rows, hashed by the server: equal fingerprints mean nothing was written.
async function fingerprint(url: string): Promise<string> {
  return withClient(url, async (c) => {
    const names = await c.query<{ t: string }>(
      "select table_name as t from information_schema.tables where table_schema = 'public' order by 1",
    );
    const parts: string[] = [];
    for (const { t } of names.rows) {
      const r = await c.query<{ h: string | null }>(
        `select md5(string_agg(x::text, '|' order by x::text)) as h from "${t}" x`,
      );
      parts.push(`${t}:${r.rows[0]?.h ?? 'empty'}`);
    }
    return parts.join(',');
  });
}

describe.skipIf(skip !== undefined)('PostgreSQL store', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  runLedgerStoreContract('postgres', {
    largeLeaves: 66_000,
    async create(origin) {
      const url = await server.createDatabase();
      const store = await openPostgresLedgerStore({ url, origin });
      return {
        store,
        reopen: (o) => openPostgresLedgerStore({ url, origin: o }),
        writeSchemaVersion: (v) =>
          withClient(url, async (c) => {
            await c.query('insert into medanchor_schema_version (version) values ($1)', [v]);
          }),
        fingerprint: () => fingerprint(url),
      };
    },
  });
});

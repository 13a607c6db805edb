import { MedanchorError } from '@medanchor/core';
import type pg from 'pg';
import { sql as v1 } from './migrations/0001-initial.js';
import { sql as v2 } from './migrations/0002-forget.js';
import { sql as v3 } from './migrations/0003-head-map.js';

/** The migrations this release knows, in order; version `i + 1` is `MIGRATIONS[i]`. */
const MIGRATIONS: readonly string[] = [v1, v2, v3];

/** The newest schema version this release writes and reads. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

// One key for every medanchor database: concurrent openers queue for the migration.
const MIGRATION_LOCK = 0x6d65_6461; // "meda"

/**
 * Brings the schema up to {@link POSTGRES_SCHEMA_VERSION} and checks the origin, in one
 * transaction on `client`: a refused open (newer schema, another origin) rolls back, so
 * it writes nothing. A fresh database gets every migration and `origin`.
 */
export async function migrate(client: pg.ClientBase, origin: string): Promise<void> {
  await client.query('begin');
  try {
    // Serializes concurrent first opens; released at commit or rollback.
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const exists = await client.query<{ t: string | null }>(
      "select to_regclass('medanchor_schema_version')::text as t",
    );
    let current = 0;
    if (exists.rows[0]?.t !== null) {
      const r = await client.query<{ v: number | null }>(
        'select max(version)::int as v from medanchor_schema_version',
      );
      current = r.rows[0]?.v ?? 0;
    }
    if (current > POSTGRES_SCHEMA_VERSION)
      throw new MedanchorError(
        'STORE_SCHEMA_UNKNOWN',
        `the database holds medanchor schema version ${current}, newer than this release knows (${POSTGRES_SCHEMA_VERSION}): upgrade @medanchor/postgres`,
        { details: { found: current, known: POSTGRES_SCHEMA_VERSION } },
      );
    if (current === 0)
      await client.query(
        'create table medanchor_schema_version (version integer primary key, applied_at timestamptz not null default now())',
      );
    for (let v = current + 1; v <= POSTGRES_SCHEMA_VERSION; v++) {
      await client.query(MIGRATIONS[v - 1] as string);
      await client.query('insert into medanchor_schema_version (version) values ($1)', [v]);
    }
    const meta = await client.query<{ origin: string }>('select origin from medanchor_meta');
    const found = meta.rows[0]?.origin;
    if (found === undefined) {
      await client.query('insert into medanchor_meta (origin) values ($1)', [origin]);
    } else if (found !== origin) {
      throw new MedanchorError(
        'STORE_ORIGIN_MISMATCH',
        `the database holds the log "${found}", not "${origin}": point the store URL at that log's database or use its origin`,
        { details: { found, expected: origin } },
      );
    }
    await client.query('commit');
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  }
}

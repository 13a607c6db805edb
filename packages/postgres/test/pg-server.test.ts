import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)('the PostgreSQL test server (real initdb/postgres)', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves a fresh database, survives SIGKILL and restarts with committed rows intact', async () => {
    const url = await server.createDatabase();
    const c1 = new pg.Client({ connectionString: url });
    await c1.connect();
    await c1.query('create table t (x int)');
    await c1.query('insert into t values (1), (2)');
    await c1.end();
    server.kill();
    const down = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    await expect(down.connect()).rejects.toThrow();
    await server.start();
    const c2 = new pg.Client({ connectionString: url });
    await c2.connect();
    const r = await c2.query('select count(*)::int as n from t');
    await c2.end();
    expect(r.rows[0].n).toBe(2);
  });
});

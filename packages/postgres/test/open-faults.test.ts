import { randomBytes } from 'node:crypto';
import { isMedanchorError, MedanchorError, sha256, utf8 } from '@medanchor/core';
import { openPostgresLedgerStore, POSTGRES_SCHEMA_VERSION } from '@medanchor/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();
const ORIGIN = 'clinic.example/ledger';

async function rejection(p: Promise<unknown>): Promise<MedanchorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MedanchorError) return e;
    throw new Error(`expected a MedanchorError, got ${String(e)}`);
  }
  throw new Error('expected a rejection');
}

// A real client retries a retryable STORE_UNAVAILABLE: a server just restarted or resumed
// on a loaded machine may take longer than a short connect timeout to accept a connection.
// Bounded, so a server that never comes back still fails the test.
async function retryingUnavailable<T>(call: () => Promise<T>, boundMs = 30_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      return await call();
    } catch (e) {
      if (!isMedanchorError(e, 'STORE_UNAVAILABLE') || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

// The tables of a database, so "nothing written" can be checked as "nothing changed".
async function tables(url: string): Promise<string[]> {
  const rows = await sql<{ t: string }>(
    url,
    "select table_name as t from information_schema.tables where table_schema = 'public' order by 1",
  );
  return rows.map((r) => r.t);
}

const item = (n: number) => ({
  salt: new Uint8Array(randomBytes(32)),
  digest: sha256(utf8(`record ${n}`)),
});

describe.skipIf(skip !== undefined)('openPostgresLedgerStore on a real PostgreSQL', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates the tables on a fresh database, records the schema version, and reopens', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
    await store.close();
    const again = await openPostgresLedgerStore({ url, origin: ORIGIN });
    expect(again.origin).toBe(ORIGIN);
    await again.close();
    const v = await sql<{ version: number }>(
      url,
      'select version from medanchor_schema_version order by version',
    );
    // One row per migration applied, 1 up to this release's version.
    expect(v.map((r) => r.version)).toEqual(
      Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    expect(await tables(url)).toContain('medanchor_leaves');
  });

  it('several processes opening a fresh database at once migrate it exactly once', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all(
      Array.from({ length: 5 }, () => openPostgresLedgerStore({ url, origin: ORIGIN })),
    );
    await Promise.all(stores.map((s) => s.close()));
    const v = await sql<{ n: string }>(url, 'select count(*) as n from medanchor_schema_version');
    expect(Number(v[0]?.n)).toBe(POSTGRES_SCHEMA_VERSION);
  });

  it('refuses a database of another origin with STORE_ORIGIN_MISMATCH and writes nothing', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
    await store.addPending([item(1)]);
    await store.close();
    const e = await rejection(openPostgresLedgerStore({ url, origin: 'other.example/log' }));
    expect(e.code).toBe('STORE_ORIGIN_MISMATCH');
    expect(e.message).toContain(ORIGIN);
    const meta = await sql<{ origin: string }>(url, 'select origin from medanchor_meta');
    expect(meta).toEqual([{ origin: ORIGIN }]);
    const n = await sql<{ n: string }>(url, 'select count(*) as n from medanchor_pending');
    expect(Number(n[0]?.n)).toBe(1);
  });

  it('refuses a schema newer than it knows with STORE_SCHEMA_UNKNOWN and creates nothing', async () => {
    const url = await server.createDatabase();
    await sql(
      url,
      'create table medanchor_schema_version (version integer primary key, applied_at timestamptz)',
    );
    await sql(url, 'insert into medanchor_schema_version (version) values ($1)', [
      POSTGRES_SCHEMA_VERSION + 1,
    ]);
    const before = await tables(url);
    const e = await rejection(openPostgresLedgerStore({ url, origin: ORIGIN }));
    expect(e.code).toBe('STORE_SCHEMA_UNKNOWN');
    expect(e.details.found).toBe(POSTGRES_SCHEMA_VERSION + 1);
    expect(await tables(url)).toEqual(before);
  });

  it('refuses bad credentials with STORE_AUTH_FAILED and never repeats the password', async () => {
    const url = await server.createDatabase();
    const db = new URL(url).pathname.slice(1);
    const bad = server.url(db, { user: 'medanchor', password: 'wrong-secret-xyz' });
    const e = await rejection(openPostgresLedgerStore({ url: bad, origin: ORIGIN }));
    expect(e.code).toBe('STORE_AUTH_FAILED');
    expect(e.details.retryable).toBe(false);
    expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain('wrong-secret-xyz');
    expect(await tables(url)).toEqual([]);
  });

  it('refuses a URL of another scheme with STORE_URL_INVALID naming the accepted ones', async () => {
    for (const url of [
      'mysql://u:secret-pw@127.0.0.1/db',
      'file:///var/lib/medanchor',
      'not a url',
    ]) {
      const e = await rejection(openPostgresLedgerStore({ url, origin: ORIGIN }));
      expect(e.code).toBe('STORE_URL_INVALID');
      expect(e.message).not.toContain('secret-pw');
    }
    const e = await rejection(openPostgresLedgerStore({ url: 'sqlite://x/y', origin: ORIGIN }));
    expect(e.message).toContain('postgres://');
  });

  it('names a missing database with STORE_DATABASE_MISSING', async () => {
    const e = await rejection(
      openPostgresLedgerStore({ url: server.url('no_such_database_here'), origin: ORIGIN }),
    );
    expect(e.code).toBe('STORE_DATABASE_MISSING');
  });

  it('refuses a bad origin with INVALID_ORIGIN before connecting', async () => {
    const e = await rejection(
      openPostgresLedgerStore({ url: server.url('x'), origin: 'has space' }),
    );
    expect(e.code).toBe('INVALID_ORIGIN');
  });

  it('while the server is killed, calls fail with retryable STORE_UNAVAILABLE; after restart the same store works', async () => {
    const url = await server.createDatabase();
    // Connecting to a live server on a loaded CI machine can take over a second: the bound
    // under test is how fast a dead server is reported, which a longer timeout leaves alone
    // (the refused connection fails at once).
    const store = await openPostgresLedgerStore({ url, origin: ORIGIN, connectTimeoutMs: 5_000 });
    await store.addPending([item(1)]);
    server.kill();
    const t0 = Date.now();
    const e = await rejection(store.addPending([item(2)]));
    // A bound, not a benchmark: the call settles instead of hanging.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(e.code).toBe('STORE_UNAVAILABLE');
    expect(e.details.retryable).toBe(true);
    const e2 = await rejection(store.size());
    expect(e2.code).toBe('STORE_UNAVAILABLE');
    await server.start();
    // Keyed, so a retried attempt whose first try committed unseen still makes one record.
    const acks = await retryingUnavailable(() =>
      store.addPending([{ ...item(3), key: 'after-restart@3' }]),
    );
    expect(acks).toHaveLength(1);
    expect(await store.pendingCount()).toBe(2);
    await store.close();
  });

  it('a server that stops answering (SIGSTOP) gives STORE_UNAVAILABLE within the connect bound, never a hang; a retry with the same key makes one record', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({
      url,
      origin: ORIGIN,
      // The open connects to a live server: 1 s was too short on a loaded machine (failed in
      // a full run). A stopped server is met by the pooled connection's query timeout
      // (statementTimeoutMs + 2 s), still well inside the bound below.
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 1_000,
    });
    const keyed = { ...item(1), key: 'lab-7@1' };
    server.pause();
    try {
      const t0 = Date.now();
      const e = await rejection(store.addPending([keyed]));
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(isMedanchorError(e, 'STORE_UNAVAILABLE')).toBe(true);
      expect(e.details.retryable).toBe(true);
    } finally {
      server.resume();
    }
    // The statement may have reached the server before it stopped and commit once it
    // resumes: the outcome was unknown to the caller, and the retry settles it (retried in
    // turn while the resumed server is still slow to accept a connection).
    const [ack] = await retryingUnavailable(() => store.addPending([keyed]));
    expect(ack).toBeDefined();
    expect(await store.pendingCount()).toBe(1);
    await store.close();
  });

  it('refuses calls after close with STORE_CLOSED', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
    await store.close();
    expect((await rejection(store.size())).code).toBe('STORE_CLOSED');
    expect((await rejection(store.addPending([item(1)]))).code).toBe('STORE_CLOSED');
  });
});

// The head map's entries and secret in PostgreSQL (docs/spec/head-map.md section 6), beside
// the ledger store's tables: every process that may sequence reads the same secret, so a
// record keeps one key whoever seals.
import { assertOrigin, type HeadMapStore, MedanchorError, sha256, toHex } from '@medanchor/core';
import pg from 'pg';
import { migrate } from './migrate.js';
import { storeError } from './pg-errors.js';
import { parseStoreUrl } from './store-url.js';

/** Options of {@link openPostgresHeadMapStore}. */
export interface PostgresHeadMapStoreOptions {
  /** The ledger store's database URL (`postgres://...`). */
  readonly url: string;
  /** The log's origin, as the ledger store was opened with. */
  readonly origin: string;
  /** Connections this store keeps at most (default 2). */
  readonly maxConnections?: number;
}

/**
 * Opens the head map store of a PostgreSQL ledger: its entries in `medanchor_head_map_nodes`,
 * the map secret in `medanchor_head_map_secret` (made by the first opener, 32 random bytes;
 * every later opener reads the same). Migrates the schema like the ledger store does.
 * `put` is one insert statement (durable at its commit; entries already there are kept);
 * `getMany` one select for a whole tree level, so a seal costs one round trip per level.
 * @example
 * ```ts
 * const headMap = await openPostgresHeadMapStore({ url, origin });
 * const ledger = await openLedger({ store, signer, headMap: { store: headMap } });
 * ```
 * @throws MedanchorError `STORE_UNAVAILABLE`, `STORE_AUTH_FAILED`, `STORE_DATABASE_MISSING`,
 * `STORE_ORIGIN_MISMATCH`, `STORE_SCHEMA_UNKNOWN`, `STORE_QUERY_FAILED`, `INVALID_ORIGIN`.
 */
export async function openPostgresHeadMapStore(
  options: PostgresHeadMapStoreOptions,
): Promise<HeadMapStore> {
  const where = parseStoreUrl(options?.url);
  assertOrigin(options.origin);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 2,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => {}); // an idle client's failure surfaces on its next query
  let secret: Uint8Array;
  try {
    const client = await pool.connect();
    try {
      await migrate(client, options.origin);
      await client.query(
        'insert into medanchor_head_map_secret (secret) values ($1) on conflict (singleton) do nothing',
        [Buffer.from(crypto.getRandomValues(new Uint8Array(32)))],
      );
      const r = await client.query<{ secret: Uint8Array }>(
        'select secret from medanchor_head_map_secret',
      );
      secret = new Uint8Array(r.rows[0]!.secret);
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end().catch(() => {});
    throw storeError(e, where, 'opening the head map');
  }
  let closed = false;
  const closedError = () =>
    new MedanchorError('STORE_CLOSED', 'the head map store is closed: open it again');
  return {
    secret,
    async get(hash) {
      if (closed) throw closedError();
      try {
        const r = await pool.query<{ bytes: Uint8Array }>(
          'select bytes from medanchor_head_map_nodes where hash = $1',
          [Buffer.from(hash)],
        );
        const row = r.rows[0];
        return row === undefined ? undefined : new Uint8Array(row.bytes);
      } catch (e) {
        throw storeError(e, where, 'reading the head map');
      }
    },
    async getMany(list) {
      if (closed) throw closedError();
      if (list.length === 0) return [];
      try {
        // One round trip for a whole tree level; rows come back in any order.
        const r = await pool.query<{ hash: Uint8Array; bytes: Uint8Array }>(
          'select hash, bytes from medanchor_head_map_nodes where hash = any($1::bytea[])',
          [list.map((h) => Buffer.from(h))],
        );
        const found = new Map<string, Uint8Array>();
        for (const row of r.rows) found.set(toHex(row.hash), new Uint8Array(row.bytes));
        return list.map((h) => found.get(toHex(h)));
      } catch (e) {
        throw storeError(e, where, 'reading the head map');
      }
    },
    async put(entries, given) {
      if (closed) throw closedError();
      const hashes: Uint8Array[] = [];
      const bytes: Uint8Array[] = [];
      const seen = new Set<string>();
      for (const [i, e] of entries.entries()) {
        if (!(e instanceof Uint8Array) || (e.length !== 48 && e.length !== 65))
          throw new MedanchorError('INVALID_ARGUMENT', 'a head-map entry is 48 or 65 bytes');
        // The map's update hands over the hashes it computed; rows are still checked
        // against their hash whenever they are read.
        const h = given?.[i] ?? sha256(e);
        if (seen.has(toHex(h))) continue;
        seen.add(toHex(h));
        hashes.push(h);
        bytes.push(e);
      }
      if (hashes.length === 0) return;
      try {
        await pool.query(
          `insert into medanchor_head_map_nodes (hash, bytes)
           select * from unnest($1::bytea[], $2::bytea[]) on conflict (hash) do nothing`,
          [hashes.map((h) => Buffer.from(h)), bytes.map((b) => Buffer.from(b))],
        );
      } catch (e) {
        throw storeError(e, where, 'writing the head map');
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

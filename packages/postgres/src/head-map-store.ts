// The head map's entries and secret in PostgreSQL (docs/spec/head-map.md section 6), beside
// the ledger store's tables: every process that may sequence reads the same secret, so a
// record keeps one key whoever seals.
import { assertOrigin, type HeadMapStore, MedanchorError, sha256 } from '@medanchor/core';
import pg from 'pg';
import {
  checkPacked,
  GET_STATEMENT,
  PUT_CHUNK,
  PUT_STATEMENT,
  packEntries,
  packHashes,
  SLOT,
  unpackFound,
} from './head-map-wire.js';
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
 * `put` is one insert statement per 65,536 entries, several in one transaction (durable at
 * its commit, all or nothing; entries already there are kept); `getMany` is one select for a
 * whole tree level, so a seal costs one round trip per level. Entries travel as binary
 * bytea, packed, never as one parameter or row per entry.
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
  const getMany = async (list: readonly Uint8Array[]) => {
    if (closed) throw closedError();
    if (list.length === 0) return [];
    const hashes = packHashes(list);
    try {
      const r = await pool.query<{ found: Uint8Array | null }>({
        ...GET_STATEMENT,
        values: [hashes],
      });
      return unpackFound(r.rows[0]?.found ?? null, list.length);
    } catch (e) {
      throw storeError(e, where, 'reading the head map');
    }
  };
  // One statement per PUT_CHUNK entries; more than one run in a transaction, so a failed
  // batch leaves nothing behind.
  const putPacked = async (bytes: Uint8Array, hashes: Uint8Array, count: number) => {
    if (closed) throw closedError();
    checkPacked(bytes, hashes, count);
    if (count === 0) return;
    const chunk = (from: number, to: number) => ({
      ...PUT_STATEMENT,
      values: [bytes.subarray(SLOT * from, SLOT * to), hashes.subarray(32 * from, 32 * to)],
    });
    try {
      if (count <= PUT_CHUNK) {
        await pool.query(chunk(0, count));
        return;
      }
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (let i = 0; i < count; i += PUT_CHUNK)
          await client.query(chunk(i, Math.min(count, i + PUT_CHUNK)));
        await client.query('commit');
        client.release();
      } catch (e) {
        // A client whose rollback fails is dropped from the pool, not reused.
        await client.query('rollback').then(
          () => client.release(),
          (r) => client.release(r),
        );
        throw e;
      }
    } catch (e) {
      throw storeError(e, where, 'writing the head map');
    }
  };
  const store: HeadMapStore = {
    secret,
    async get(hash) {
      return (await getMany([hash]))[0];
    },
    getMany,
    async put(entries, given) {
      if (closed) throw closedError();
      const { bytes, hashes } = packEntries(entries, given, sha256);
      await putPacked(bytes, hashes, entries.length);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  // The map's update hands its new entries over packed (core's putEntries looks for this
  // symbol), so they go to the server as they are.
  Object.defineProperty(store, Symbol.for('medanchor.headMap.putPacked'), { value: putPacked });
  return store;
}

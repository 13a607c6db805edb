import {
  anchorStateJson,
  assertOrigin,
  checkAnchorDigest,
  checkCheckpoint,
  checkLeafIndex,
  checkLeaseRequest,
  checkRangeArgs,
  checkRecordIds,
  checkTile,
  equalBytes,
  type IntegrateBatch,
  type LeafRecord,
  type Lease,
  type LedgerStore,
  type LoadAnchorsOptions,
  leaseLost,
  MedanchorError,
  type PendingAck,
  type PendingInput,
  type PendingRecord,
  preparePending,
  type StoredAnchor,
  type StoredCheckpoint,
  storeClosed,
  TILE_WIDTH,
  type Tombstone,
  tileWidth,
  treeRoot,
} from '@medanchor/core';
import pg from 'pg';
import { forgetInPostgres, TOMBSTONE_SQL, tombstoneRow } from './forget.js';
import { GroupCommit } from './group-commit.js';
import { migrate } from './migrate.js';
import { storeError } from './pg-errors.js';
import {
  bytes,
  LEAF_COLUMNS,
  type LeafRow,
  leafRecord,
  PACKED_RECORD_COLUMNS,
  type PackedRecordRow,
  packedPendingRecord,
  param,
} from './rows.js';
import { parseStoreUrl, type StoreUrlFacts } from './store-url.js';
import { FullTileCache } from './tile-cache.js';

/** Options of {@link openPostgresLedgerStore}. */
export interface PostgresLedgerStoreOptions {
  /**
   * `postgres://user:password@host:port/database` (or `postgresql://`). The database must
   * exist; the tables are created (or migrated) on open. Query parameters such as
   * `sslmode` are passed to node-postgres.
   */
  readonly url: string;
  /** The log's origin: a fresh database takes it, an existing one must hold the same. */
  readonly origin: string;
  /** Connections this process keeps at most (default 10). */
  readonly maxConnections?: number;
  /**
   * Bound on establishing a connection, in milliseconds (default 5,000): while the
   * database is down a call fails with `STORE_UNAVAILABLE` within about this long.
   */
  readonly connectTimeoutMs?: number;
  /**
   * Bound on one statement, in milliseconds (default 30,000), enforced by the server
   * (`statement_timeout`) and, a little later, by the client for a server that went silent.
   */
  readonly statementTimeoutMs?: number;
  /** Full tiles (8 KiB each) kept in memory for proofs (default 1,024, i.e. 8 MiB; 0 for none). */
  readonly tileCacheSize?: number;
  /**
   * Most records in one transaction (default 5,000). Concurrent `addPending` calls of
   * this process share transactions (group commit) up to this many records; one call
   * is never split.
   */
  readonly maxGroupRecords?: number;
}

const TILE_BYTES = TILE_WIDTH * 32;
// Record ids per firstVersions statement.
const FIRST_VERSIONS_CHUNK = 10_000;

// A group of records to acknowledge, as the parameters of the two statements below:
// $1, $2, $3 salts, digests and commitments end to end (32 bytes each), $4 keys, $5
// record ids, $6 versions (text arrays, or NULL when no record has one), $7 the count.
const ADD_INPUT = `input as (
  select i::int as ord,
         substr($1::bytea, i * 32 - 31, 32) as salt,
         substr($2::bytea, i * 32 - 31, 32) as digest,
         substr($3::bytea, i * 32 - 31, 32) as commitment,
         ($4::text[])[i] as idem_key,
         ($5::text[])[i] as record_id,
         ($6::text[])[i]::bigint as version
  from generate_series(1, $7::int) as i
), ids as materialized (
  select input.*, nextval('medanchor_pending_id_seq') as pending_id from input
)`;

// Without keys every record is new: one insert.
const ADD_UNKEYED_SQL = `with ${ADD_INPUT}, fresh as (
  insert into medanchor_pending (pending_id, salt, digest, commitment, idem_key, record_id, version)
  select pending_id, salt, digest, commitment, null, record_id, version from ids
)
select string_agg(pending_id::text, ',' order by ord) as ids from ids`;

// With keys, a key taken before stores nothing; its ack is read afterwards.
const ADD_KEYED_SQL = `with ${ADD_INPUT}, keyed as (
  insert into medanchor_keys (idem_key, pending_id, commitment)
  select idem_key, pending_id, commitment from ids where idem_key is not null
  order by idem_key -- one lock order for every writer: no deadlocks between groups
  on conflict (idem_key) do nothing
  returning pending_id
), fresh as (
  insert into medanchor_pending (pending_id, salt, digest, commitment, idem_key, record_id, version)
  select pending_id, salt, digest, commitment, idem_key, record_id, version from ids
  where idem_key is null or pending_id in (select pending_id from keyed)
  returning pending_id
)
select ids.ord, ids.pending_id, (fresh.pending_id is not null) as stored
from ids left join fresh using (pending_id) order by ids.ord`;

type Prepared = ReturnType<typeof preparePending>[number];

function checkedInt(value: unknown, what: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      `${what} must be an integer from ${min} to ${max}`,
    );
  return value as number;
}

function leaseOf(row: { owner: string; token: string; expires_ms: string }): Lease {
  return { owner: row.owner, token: Number(row.token), expiresAt: Number(row.expires_ms) };
}

function checkpointOf(
  origin: string,
  row: { tree_size: string; root: Uint8Array; note: Uint8Array | null },
): StoredCheckpoint {
  return {
    origin,
    size: Number(row.tree_size),
    root: bytes(row.root),
    ...(row.note === null ? {} : { note: bytes(row.note) }),
  };
}

/**
 * The ledger storage contract on PostgreSQL. Any number of processes may open the same
 * database and call `addPending`; the lease (a row with a fencing token, timed by the
 * database clock) lets exactly one of them sequence. Created by
 * {@link openPostgresLedgerStore}.
 */
class PostgresLedgerStore implements LedgerStore {
  readonly origin: string;
  private readonly pool: pg.Pool;
  private readonly where: StoreUrlFacts;
  private readonly cache: FullTileCache;
  private readonly group: GroupCommit<Prepared, PendingAck>;
  private readonly leafReads: GroupCommit<number, LeafRecord | undefined>;
  private readonly sizeReads: GroupCommit<null, number>;
  private readonly anchorReads: GroupCommit<string, StoredAnchor | undefined>;
  private readonly tileReads: GroupCommit<
    { level: number; index: number },
    { size: number; hashes: Uint8Array | undefined }
  >;
  private closed = false;

  constructor(
    origin: string,
    pool: pg.Pool,
    where: StoreUrlFacts,
    cacheSize: number,
    maxGroup: number,
  ) {
    this.origin = origin;
    this.pool = pool;
    this.where = where;
    this.cache = new FullTileCache(cacheSize);
    // Two groups in flight: one commits while the next one's rows travel. More made the
    // groups smaller and cost more per record in both processes (measured: 4 in flight
    // took 2.5x the CPU per record of 2 with 64 callers).
    this.group = new GroupCommit((items) => this.writePending(items), 2, maxGroup);
    // Reads: two groups in flight, as for writes (bigger groups, fewer round trips).
    this.leafReads = new GroupCommit((indices) => this.readLeafGroup(indices), 2, 1_000);
    this.anchorReads = new GroupCommit((digests) => this.readAnchorGroup(digests), 2, 256);
    this.sizeReads = new GroupCommit((calls) => this.readSize(calls), 2, 100_000);
    this.tileReads = new GroupCommit((wanted) => this.readTileGroup(wanted), 4, 256);
  }

  private open(): void {
    if (this.closed) throw storeClosed();
  }

  // One statement outside a transaction.
  // A `name` makes it a prepared statement, planned once per connection (for the hot reads).
  private async query<R extends pg.QueryResultRow>(
    doing: string,
    text: string,
    values: unknown[] = [],
    name?: string,
  ): Promise<R[]> {
    this.open();
    try {
      const r = await this.pool.query<R>(
        name === undefined ? { text, values } : { name, text, values },
      );
      return r.rows;
    } catch (e) {
      throw storeError(e, this.where, doing);
    }
  }

  // A transaction: committed when `fn` resolves, rolled back when it throws. A connection
  // that failed is destroyed, not returned to the pool.
  private async tx<T>(doing: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    this.open();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw storeError(e, this.where, doing);
    }
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const out = await fn(client);
      await client.query('commit');
      return out;
    } catch (e) {
      if (e instanceof MedanchorError) {
        await client.query('rollback').catch((r: Error) => {
          broken = r;
        });
        throw e;
      }
      // The connection failed (or timed out): drop it rather than wait on a rollback the
      // server does by itself when the connection closes.
      broken = e instanceof Error ? e : new Error(String(e));
      throw storeError(e, this.where, doing);
    } finally {
      client.release(broken);
    }
  }

  // Fencing: the lease row is locked (shared) until commit, so a takeover waits for this
  // transaction and every later write of the old holder sees the new token.
  private async fence(c: pg.PoolClient, lease: Lease): Promise<void> {
    const r = await c.query<{ owner: string | null; token: string }>(
      'select owner, token from medanchor_lease for share',
    );
    const row = r.rows[0];
    if (row === undefined || row.owner !== lease?.owner || Number(row.token) !== lease?.token)
      throw leaseLost(lease);
  }

  async addPending(items: readonly PendingInput[]): Promise<PendingAck[]> {
    this.open();
    const prepared = preparePending(items);
    if (prepared.length === 0) return [];
    return this.group.submit(prepared);
  }

  // One transaction for a group of checked items (from one or more addPending calls).
  private async writePending(prepared: Prepared[]): Promise<PendingAck[]> {
    // A key repeated inside one call: only its first item is sent; the others repeat its ack.
    const firstOfKey = new Map<string, number>();
    const send: number[] = [];
    prepared.forEach((p, i) => {
      if (p.key !== undefined) {
        if (firstOfKey.has(p.key)) return;
        firstOfKey.set(p.key, i);
      }
      send.push(i);
    });
    // The 32-byte columns travel as one binary parameter each (the records' bytes end to
    // end): no text encoding of bytea arrays on either side. Optional columns are a text
    // array only when some record has them, else NULL (every element NULL).
    const packed = (f: (p: Prepared) => Uint8Array) => {
      const out = Buffer.allocUnsafe(send.length * 32);
      for (let j = 0; j < send.length; j++) out.set(f(prepared[send[j]!]!), j * 32);
      return out;
    };
    const optional = (f: (p: Prepared) => string | undefined) => {
      const values = send.map((i) => f(prepared[i]!) ?? null);
      return values.some((v) => v !== null) ? values : null;
    };
    const keys = optional((p) => p.key);
    const values = [
      packed((p) => p.salt),
      packed((p) => p.digest),
      packed((p) => p.commitment),
      keys,
      optional((p) => p.recordId),
      optional((p) => (p.version === undefined ? undefined : String(p.version))),
      send.length,
    ];
    // One statement in autocommit: it commits (one WAL flush for the whole group) before
    // it answers, in one round trip. Keys seen before are read after it: they are
    // committed (the insert waited for their writers) and never change. Named, so each
    // connection plans it once.
    this.open();
    const c = this.pool;
    const acks = await (async () => {
      const out = new Map<number, PendingAck>();
      if (keys === null) {
        // One row: the new ids in input order.
        const r = await c.query<{ ids: string }>({
          name: 'medanchor_add_unkeyed',
          text: ADD_UNKEYED_SQL,
          values,
        });
        const ids = r.rows[0]?.ids.split(',') ?? [];
        if (ids.length !== send.length)
          throw new MedanchorError(
            'STORE_CONFLICT',
            'the database acknowledged another count of records: retry the call',
          );
        for (let j = 0; j < send.length; j++) {
          const i = send[j]!;
          out.set(i, { pendingId: ids[j]!, commitment: prepared[i]!.commitment });
        }
        return out;
      }
      const r = await c.query<{ ord: number; pending_id: string; stored: boolean }>({
        name: 'medanchor_add_keyed',
        text: ADD_KEYED_SQL,
        values,
      });
      const repeated: number[] = [];
      for (const row of r.rows) {
        const i = send[row.ord - 1]!;
        if (row.stored)
          out.set(i, { pendingId: row.pending_id, commitment: prepared[i]!.commitment });
        else repeated.push(i);
      }
      if (repeated.length > 0) {
        // Keys seen before (committed by now: the insert above waited for their writers).
        const taken = repeated.map((i) => prepared[i]!.key!);
        const k = await c.query<{ idem_key: string; pending_id: string; commitment: Uint8Array }>(
          'select idem_key, pending_id, commitment from medanchor_keys where idem_key = any($1::text[])',
          [taken],
        );
        const byKey = new Map(k.rows.map((row) => [row.idem_key, row]));
        for (const i of repeated) {
          const first = byKey.get(prepared[i]!.key!);
          if (first === undefined)
            throw new MedanchorError(
              'STORE_CONFLICT',
              'an idempotency key was reported taken but is not stored: retry the call',
            );
          const ack: PendingAck = {
            pendingId: first.pending_id,
            commitment: bytes(first.commitment),
          };
          out.set(i, { ...ack, duplicateOf: ack });
        }
      }
      return out;
    })().catch((e) => {
      throw storeError(e, this.where, 'adding records');
    });
    return prepared.map((p, i) => {
      const own = acks.get(i);
      if (own !== undefined) return own;
      const first = acks.get(firstOfKey.get(p.key!)!)!;
      const base = first.duplicateOf ?? first;
      return { ...base, duplicateOf: base };
    });
  }

  async pendingCount(): Promise<number> {
    const rows = await this.query<{ n: string }>(
      'counting pending records',
      'select count(*) as n from medanchor_pending',
    );
    return Number(rows[0]?.n ?? 0);
  }

  async readPending(limit: number): Promise<PendingRecord[]> {
    this.open();
    checkedInt(limit, 'limit', 0, 10_000_000);
    // Salt, digest and commitment as one 96-byte value: one decode and one copy per row
    // instead of three (the sequencer reads tens of thousands of rows a second).
    const rows = await this.query<PackedRecordRow>(
      'reading pending records',
      `select ${PACKED_RECORD_COLUMNS} from medanchor_pending order by pending_id limit $1`,
      [limit],
      'medanchor_read_pending',
    );
    return rows.map(packedPendingRecord);
  }

  async acquireLease(owner: string, ttlMs: number): Promise<Lease | undefined> {
    this.open();
    checkLeaseRequest(owner, ttlMs);
    // The database clock decides expiry, so machines with skewed clocks agree.
    const rows = await this.query<{ owner: string; token: string; expires_ms: string }>(
      'acquiring the sequencer lease',
      `update medanchor_lease
         set token = case when owner = $1 and expires_at > clock_timestamp() then token else token + 1 end,
             owner = $1,
             expires_at = clock_timestamp() + $2 * interval '1 millisecond'
       where owner is null or owner = $1 or expires_at <= clock_timestamp()
       returning owner, token, (extract(epoch from expires_at) * 1000)::bigint as expires_ms`,
      [owner, ttlMs],
    );
    return rows[0] === undefined ? undefined : leaseOf(rows[0]);
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    this.open();
    checkLeaseRequest(lease?.owner, ttlMs);
    const rows = await this.query<{ owner: string; token: string; expires_ms: string }>(
      'renewing the sequencer lease',
      `update medanchor_lease
         set expires_at = clock_timestamp() + $3 * interval '1 millisecond'
       where owner = $1 and token = $2
       returning owner, token, (extract(epoch from expires_at) * 1000)::bigint as expires_ms`,
      [lease.owner, lease.token, ttlMs],
    );
    if (rows[0] === undefined) throw leaseLost(lease);
    return leaseOf(rows[0]);
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.query(
      'releasing the sequencer lease',
      'update medanchor_lease set owner = null, expires_at = null where owner = $1 and token = $2',
      [lease?.owner, lease?.token],
    );
  }

  async integrate(lease: Lease, batch: IntegrateBatch): Promise<void> {
    this.open();
    const firstIndex = checkedInt(batch?.firstIndex, 'firstIndex', 0, Number.MAX_SAFE_INTEGER);
    if (!Array.isArray(batch.leaves) || !Array.isArray(batch.tiles))
      throw new MedanchorError(
        'INVALID_ARGUMENT',
        'an integrate batch needs leaves and tiles arrays',
      );
    for (const t of batch.tiles) checkTile(t);
    const n = batch.leaves.length;
    await this.tx('integrating records', async (c) => {
      await this.fence(c, lease);
      const m = await c.query<{ tree_size: string }>(
        'select tree_size from medanchor_meta for update',
      );
      const size = Number(m.rows[0]?.tree_size ?? 0);
      if (size !== firstIndex)
        throw new MedanchorError(
          'STORE_CONFLICT',
          `integrate starts at leaf ${firstIndex} but the log has ${size} leaves: read the size again`,
          { details: { firstIndex, size } },
        );
      if (n > 0) {
        // The leaves are the stored pending rows themselves (what was acknowledged), matched
        // by id and commitment: a batch that names a record not pending changes nothing.
        const moved = await c.query(
          `with b as (
             select * from unnest($1::bigint[], $2::bytea[]) with ordinality as b(pending_id, commitment, ord)
           ), d as (
             delete from medanchor_pending p using b
             where p.pending_id = b.pending_id and p.commitment = b.commitment
             returning p.*, b.ord
           )
           insert into medanchor_leaves (leaf_index, pending_id, salt, digest, commitment, idem_key, record_id, version)
           select $3::bigint + d.ord - 1, pending_id, salt, digest, commitment, idem_key, record_id, version from d`,
          [
            batch.leaves.map((l) => l.pendingId),
            batch.leaves.map((l) => param(l.commitment)),
            firstIndex,
          ],
        );
        if (moved.rowCount !== n)
          throw new MedanchorError(
            'STORE_CONFLICT',
            `${n - (moved.rowCount ?? 0)} of ${n} records in the batch are not pending (sequenced already or never acknowledged): read pending again`,
            { details: { expected: n, found: moved.rowCount ?? 0 } },
          );
      }
      if (batch.tiles.length > 0) {
        // A full tile never changes: an upsert may only grow a partial one.
        await c.query(
          `insert into medanchor_tiles (level, tile_index, hashes)
           select * from unnest($1::smallint[], $2::bigint[], $3::bytea[])
           on conflict (level, tile_index) do update set hashes = excluded.hashes
           where octet_length(medanchor_tiles.hashes) < ${TILE_BYTES}`,
          [
            batch.tiles.map((t) => t.level),
            batch.tiles.map((t) => String(t.index)),
            batch.tiles.map((t) => param(t.hashes)),
          ],
        );
      }
      await c.query('update medanchor_meta set tree_size = $1', [firstIndex + n]);
    });
  }

  async size(): Promise<number> {
    this.open();
    // Concurrent calls share one query; each query starts after the calls it answers.
    const [n] = await this.sizeReads.submit([null]);
    return n!;
  }

  private async readSize(calls: null[]): Promise<number[]> {
    const rows = await this.query<{ tree_size: string }>(
      'reading the log size',
      'select tree_size from medanchor_meta',
    );
    const n = Number(rows[0]?.tree_size ?? 0);
    return calls.map(() => n);
  }

  async readTile(level: number, index: number, width: number): Promise<Uint8Array> {
    this.open();
    checkedInt(level, 'tile level', 0, 7);
    checkedInt(index, 'tile index', 0, Number.MAX_SAFE_INTEGER);
    if (!Number.isSafeInteger(width) || width < 1 || width > TILE_WIDTH)
      throw new MedanchorError('STORE_RANGE', `a tile width is 1 to ${TILE_WIDTH}, got ${width}`);
    const cached = this.cache.get(level, index);
    if (cached !== undefined) return cached.slice(0, width * 32);
    // Concurrent tile reads (many receipts being built) share one query.
    const [found] = await this.tileReads.submit([{ level, index }]);
    const { size, hashes: stored } = found!;
    const have = tileWidth(size, level, index);
    if (stored === undefined || have < width || stored.length < width * 32)
      throw new MedanchorError(
        'STORE_RANGE',
        `tile ${level}/${index} has ${have} hashes at size ${size}, not ${width}`,
        { details: { level, index, width, size } },
      );
    const hashes = bytes(stored);
    if (hashes.length === TILE_BYTES) this.cache.set(level, index, hashes);
    return hashes.slice(0, width * 32);
  }

  // One query for a group of tile reads, with the size they are checked against (read in
  // the same statement, so a tile and the size agree).
  private async readTileGroup(
    wanted: { level: number; index: number }[],
  ): Promise<{ size: number; hashes: Uint8Array | undefined }[]> {
    const rows = await this.query<{
      tree_size: string;
      level: number | null;
      tile_index: string | null;
      hashes: Uint8Array | null;
    }>(
      'reading tiles',
      `select m.tree_size, t.level, t.tile_index, t.hashes
       from medanchor_meta m left join medanchor_tiles t
         on (t.level, t.tile_index) in (select * from unnest($1::smallint[], $2::bigint[]))`,
      [wanted.map((w) => w.level), wanted.map((w) => String(w.index))],
    );
    const size = Number(rows[0]?.tree_size ?? 0);
    const byKey = new Map<string, Uint8Array>();
    for (const r of rows) if (r.hashes !== null) byKey.set(`${r.level}/${r.tile_index}`, r.hashes);
    return wanted.map((w) => ({ size, hashes: byKey.get(`${w.level}/${w.index}`) }));
  }

  async readLeaves(start: number, count: number): Promise<LeafRecord[]> {
    this.open();
    checkRangeArgs(start, count);
    if (count === 1) {
      // Receipt builders read one leaf each, many at once: those reads share queries.
      const [leaf] = await this.leafReads.submit([start]);
      if (leaf === undefined)
        throw new MedanchorError('STORE_RANGE', `leaf ${start} is past the log size`, {
          details: { start, count },
        });
      return [leaf];
    }
    const rows = await this.query<LeafRow & { tree_size: string }>(
      'reading leaves',
      `select m.tree_size, l.leaf_index, ${LEAF_COLUMNS.split(', ')
        .map((c) => `l.${c}`)
        .join(', ')}
       from medanchor_meta m left join medanchor_leaves l
         on l.leaf_index >= $1 and l.leaf_index < $1::bigint + $2::bigint
       order by l.leaf_index`,
      [start, count],
    );
    const size = Number(rows[0]?.tree_size ?? 0);
    if (start + count > size)
      throw new MedanchorError(
        'STORE_RANGE',
        `leaves [${start}, ${start + count}) pass the log size ${size}`,
        { details: { start, count, size } },
      );
    return rows.filter((r) => r.leaf_index !== null).map(leafRecord);
  }

  // One query for a group of single-leaf reads. A leaf never changes once sequenced, and
  // a missing one is past the size (integrate writes leaves and size together).
  private async readLeafGroup(indices: number[]): Promise<(LeafRecord | undefined)[]> {
    const rows = await this.query<LeafRow>(
      'reading leaves',
      `select leaf_index, ${LEAF_COLUMNS} from medanchor_leaves where leaf_index = any($1::bigint[])`,
      [indices.map(String)],
      'medanchor_read_leaves',
    );
    const byIndex = new Map(rows.map((r) => [Number(r.leaf_index), leafRecord(r)]));
    return indices.map((i) => byIndex.get(i));
  }

  async leafByKey(key: string): Promise<LeafRecord | undefined> {
    this.open();
    if (typeof key !== 'string')
      throw new MedanchorError('INVALID_ARGUMENT', 'a key must be a string');
    const rows = await this.query<LeafRow>(
      'looking up a key',
      `select leaf_index, ${LEAF_COLUMNS} from medanchor_leaves where idem_key = $1`,
      [key],
    );
    return rows[0] === undefined ? undefined : leafRecord(rows[0]);
  }

  async versions(recordId: string): Promise<number[]> {
    this.open();
    if (typeof recordId !== 'string')
      throw new MedanchorError('INVALID_ARGUMENT', 'a record id must be a string');
    const rows = await this.query<{ leaf_index: string }>(
      'listing record versions',
      'select leaf_index from medanchor_leaves where record_id = $1 order by leaf_index',
      [recordId],
    );
    return rows.map((r) => Number(r.leaf_index));
  }

  async firstVersions(recordIds: readonly string[]): Promise<(number | undefined)[]> {
    this.open();
    checkRecordIds(recordIds);
    const out: (number | undefined)[] = new Array(recordIds.length).fill(undefined);
    // A text column cannot hold NUL, so no leaf has such an id: it is not sent.
    const asked: number[] = [];
    for (let i = 0; i < recordIds.length; i++) if (!recordIds[i]!.includes('\0')) asked.push(i);
    // One statement per chunk: the smallest leaf index of each id through the
    // (record_id, leaf_index) index, in the order of the array.
    for (let at = 0; at < asked.length; at += FIRST_VERSIONS_CHUNK) {
      const part = asked.slice(at, at + FIRST_VERSIONS_CHUNK);
      const rows = await this.query<{ first: string | null }>(
        'listing first record versions',
        `select (select min(l.leaf_index) from medanchor_leaves l where l.record_id = q.id)::text as first
           from unnest($1::text[]) with ordinality as q(id, ord) order by q.ord`,
        [part.map((i) => recordIds[i]!)],
        'medanchor_first_versions',
      );
      rows.forEach((r, k) => {
        if (r.first !== null) out[part[k]!] = Number(r.first);
      });
    }
    return out;
  }

  async putCheckpoint(lease: Lease, checkpoint: StoredCheckpoint): Promise<void> {
    this.open();
    const [latest, treeSize] = await Promise.all([this.latestCheckpoint(), this.size()]);
    const verdict = checkCheckpoint(this.origin, checkpoint, latest, treeSize);
    if (verdict === 'new') {
      // Tiles up to the tree size never change, so the root is checked before the
      // transaction; the transaction re-checks the order under the lease.
      const root = await treeRoot((l, i, w) => this.readTile(l, i, w), checkpoint.size);
      if (!equalBytes(root, checkpoint.root))
        throw new MedanchorError(
          'STORE_CONFLICT',
          `the checkpoint root is not the log's root at size ${checkpoint.size}`,
          { details: { size: checkpoint.size } },
        );
    }
    await this.tx('storing a checkpoint', async (c) => {
      await this.fence(c, lease);
      if (verdict === 'same') return;
      const r = await c.query(
        `insert into medanchor_checkpoints (tree_size, root, note)
         select $1, $2, $3
         where not exists (select 1 from medanchor_checkpoints where tree_size >= $1)`,
        [
          checkpoint.size,
          param(checkpoint.root),
          checkpoint.note === undefined ? null : param(checkpoint.note),
        ],
      );
      if (r.rowCount !== 1)
        throw new MedanchorError(
          'STORE_CONFLICT',
          `a checkpoint at size ${checkpoint.size} or later was stored meanwhile`,
          { details: { size: checkpoint.size } },
        );
    });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const rows = await this.query<{ tree_size: string; root: Uint8Array; note: Uint8Array | null }>(
      'reading the latest checkpoint',
      'select tree_size, root, note from medanchor_checkpoints order by tree_size desc limit 1',
    );
    return rows[0] === undefined ? undefined : checkpointOf(this.origin, rows[0]);
  }

  async checkpointCovering(leafIndex: number): Promise<StoredCheckpoint | undefined> {
    this.open();
    checkedInt(leafIndex, 'leaf index', 0, Number.MAX_SAFE_INTEGER);
    const rows = await this.query<{ tree_size: string; root: Uint8Array; note: Uint8Array | null }>(
      'finding the checkpoint of a leaf',
      'select tree_size, root, note from medanchor_checkpoints where tree_size > $1 order by tree_size limit 1',
      [leafIndex],
    );
    return rows[0] === undefined ? undefined : checkpointOf(this.origin, rows[0]);
  }

  async loadAnchors(options: LoadAnchorsOptions = {}): Promise<StoredAnchor[]> {
    this.open();
    const final = options.final;
    if (final !== undefined && typeof final !== 'boolean')
      throw new MedanchorError('INVALID_ARGUMENT', 'loadAnchors({ final }) takes a boolean');
    const rows = await this.query<{ digest: string; state: string; final: boolean }>(
      'loading anchors',
      final === undefined
        ? 'select digest, state, final from medanchor_anchors order by seq'
        : 'select digest, state, final from medanchor_anchors where final = $1 order by seq',
      final === undefined ? [] : [final],
    );
    return rows.map((r) => ({ digest: r.digest, state: JSON.parse(r.state), final: r.final }));
  }

  /** The anchor state of one checkpoint digest, or `undefined` (final ones too). */
  async loadAnchor(digest: string): Promise<StoredAnchor | undefined> {
    this.open();
    checkAnchorDigest(digest);
    // Receipts being built at once ask for the same few states: they share queries.
    const [found] = await this.anchorReads.submit([digest]);
    return found;
  }

  private async readAnchorGroup(digests: string[]): Promise<(StoredAnchor | undefined)[]> {
    const rows = await this.query<{ digest: string; state: string; final: boolean }>(
      'loading an anchor',
      'select digest, state, final from medanchor_anchors where digest = any($1::text[])',
      [[...new Set(digests)]],
      'medanchor_read_anchors',
    );
    const byDigest = new Map(rows.map((r) => [r.digest, r]));
    // Parsed per caller: nobody shares a state object with another.
    return digests.map((d) => {
      const r = byDigest.get(d);
      return r === undefined
        ? undefined
        : { digest: r.digest, state: JSON.parse(r.state), final: r.final };
    });
  }

  async saveAnchor(lease: Lease, digest: string, state: unknown, final: boolean): Promise<void> {
    this.open();
    checkAnchorDigest(digest);
    const text = anchorStateJson(state);
    if (typeof final !== 'boolean')
      throw new MedanchorError('INVALID_ARGUMENT', 'saveAnchor takes final as a boolean');
    await this.tx('saving anchor state', async (c) => {
      await this.fence(c, lease);
      await c.query(
        `insert into medanchor_anchors (digest, state, final) values ($1, $2, $3)
         on conflict (digest) do update set state = excluded.state, final = excluded.final, updated_at = now()`,
        [digest, text, final],
      );
    });
  }

  // Erasure: forget.ts.
  async forget(recordId: string, at: number): Promise<Tombstone[]> {
    return this.tx('forgetting a record', (c) => forgetInPostgres(c, recordId, at));
  }

  async tombstone(index: number): Promise<Tombstone | undefined> {
    checkLeafIndex(index);
    const rows = await this.query<{ commitment: Uint8Array; forgotten_ms: string }>(
      'reading a tombstone',
      TOMBSTONE_SQL,
      [index],
    );
    return tombstoneRow(index, rows[0]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => {});
  }
}

/**
 * Opens (and on first use creates) a ledger store in a PostgreSQL database: connects,
 * applies the schema migrations this release knows in one transaction, and checks the
 * origin. Nothing is written when the open is refused.
 *
 * @throws MedanchorError `STORE_URL_INVALID` (not a postgres:// URL), `INVALID_ORIGIN`,
 * `STORE_AUTH_FAILED` (credentials refused), `STORE_DATABASE_MISSING`,
 * `STORE_UNAVAILABLE` (details.retryable true: the server is down or unreachable),
 * `STORE_SCHEMA_UNKNOWN` (the database was written by a newer release),
 * `STORE_ORIGIN_MISMATCH` (the database holds another log).
 *
 * @example
 * ```ts
 * const store = await openPostgresLedgerStore({
 *   url: 'postgres://medanchor:secret@db.internal:5432/ledger',
 *   origin: 'clinic.example/ledger',
 * });
 * const [ack] = await store.addPending([{ salt, digest, key: 'rec-17@3' }]);
 * await store.close();
 * ```
 */
export async function openPostgresLedgerStore(
  options: PostgresLedgerStoreOptions,
): Promise<LedgerStore> {
  const where = parseStoreUrl(options?.url);
  assertOrigin(options.origin);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // The client-side bound catches a server that stopped answering without closing.
    query_timeout: statementTimeoutMs + 2_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'medanchor',
  });
  // An idle connection dropped by a restarting server must not crash the process; the
  // next query gets a fresh connection (or STORE_UNAVAILABLE).
  pool.on('error', () => {});
  // Same for a checked-out connection whose socket fails between two queries: the
  // failure reaches the caller through the next query's rejection.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  try {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await migrate(client, options.origin);
    } catch (e) {
      if (!(e instanceof MedanchorError)) broken = e instanceof Error ? e : new Error(String(e));
      throw e;
    } finally {
      client.release(broken);
    }
  } catch (e) {
    await pool.end().catch(() => {});
    throw storeError(e, where, 'opening the store');
  }
  return new PostgresLedgerStore(
    options.origin,
    pool,
    where,
    options.tileCacheSize ?? 1024,
    options.maxGroupRecords ?? 5_000,
  );
}

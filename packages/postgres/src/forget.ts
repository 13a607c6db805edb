import { checkForgetArgs, forgetPendingError, type Tombstone } from '@medanchor/core';
import type pg from 'pg';
import { bytes } from './rows.js';

// Erasure on PostgreSQL (docs/spec/tombstone.md): one transaction, so a crash (of this
// process or of the server) leaves every leaf of the record either untouched or
// forgotten. Old row versions stay in the table files until VACUUM reclaims them and in
// the WAL until it is recycled: docs/privacy.md says what that means for erasure.

/**
 * {@link LedgerStore.forget} inside the transaction `c` (the store opens and commits it).
 * @throws MedanchorError `STORE_FORGET_PENDING`, `INVALID_ARGUMENT`.
 */
export async function forgetInPostgres(
  c: pg.ClientBase,
  recordId: string,
  at: number,
): Promise<Tombstone[]> {
  checkForgetArgs(recordId, at);
  const waiting = await c.query<{ n: number }>(
    'select count(*)::int as n from medanchor_pending where record_id = $1',
    [recordId],
  );
  const n = waiting.rows[0]?.n ?? 0;
  if (n > 0) throw forgetPendingError(n);
  const rows = await c.query<{
    leaf_index: string;
    commitment: Uint8Array;
    idem_key: string | null;
  }>(
    `select leaf_index, commitment, idem_key from medanchor_leaves
     where record_id = $1 order by leaf_index for update`,
    [recordId],
  );
  if (rows.rows.length === 0) return [];
  const indices = rows.rows.map((r) => r.leaf_index);
  const keys = rows.rows.map((r) => r.idem_key).filter((k): k is string => k !== null);
  // The first acknowledgement of each key: it names the record's commitment and pending id.
  if (keys.length > 0)
    await c.query('delete from medanchor_keys where idem_key = any($1::text[])', [keys]);
  await c.query(
    `update medanchor_leaves
     set salt = null, digest = null, idem_key = null, record_id = null, version = null,
         forgotten_ms = $2
     where leaf_index = any($1::bigint[])`,
    [indices, at],
  );
  return rows.rows.map((r) => ({
    index: Number(r.leaf_index),
    commitment: bytes(r.commitment),
    forgottenAt: at,
  }));
}

/** The query of {@link LedgerStore.tombstone}: `$1` the leaf index. */
export const TOMBSTONE_SQL = `select commitment, forgotten_ms from medanchor_leaves
  where leaf_index = $1 and forgotten_ms is not null`;

/** A row of {@link TOMBSTONE_SQL} (or none) as a tombstone. */
export function tombstoneRow(
  index: number,
  row: { commitment: Uint8Array; forgotten_ms: string } | undefined,
): Tombstone | undefined {
  return row === undefined
    ? undefined
    : { index, commitment: bytes(row.commitment), forgottenAt: Number(row.forgotten_ms) };
}

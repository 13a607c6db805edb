// How head-map entries travel to and from PostgreSQL: a whole batch as two binary bytea
// parameters (entries in nodes.bin's record shape, docs/spec/head-map-file.md, and their
// hashes back to back), split by the server; a whole tree level's reads come back as one
// bytea in request order (hex text: node-postgres reads no binary results), decoded in one
// call. No array, parameter or row object per entry on either side.
import { MedanchorError } from '@medanchor/core';

/** Bytes per packed entry: its length (48 or 65), then its bytes, padded to 66. */
export const SLOT = 66;

/** Entries per insert statement: a larger put is several statements in one transaction. */
export const PUT_CHUNK = 65_536;

// Named statements are prepared once per connection. Entry i: its length byte at 66i, its
// bytes after it, its hash at 32i of $2 (get_byte counts from 0, substr from 1). A hash
// named twice in one statement is stored once (on conflict do nothing sees the first).
export const PUT_STATEMENT = {
  name: 'medanchor_head_map_put_v1',
  text: `insert into medanchor_head_map_nodes (hash, bytes)
select substr($2::bytea, 32 * i + 1, 32), substr($1::bytea, 66 * i + 2, get_byte($1::bytea, 66 * i))
from generate_series(0, length($2::bytea) / 32 - 1) as i
on conflict (hash) do nothing`,
};

// Each requested hash is looked up by its own primary-key probe (a scalar subquery is never
// turned into a join, so the plan cannot become a scan of the whole table); offset 0 keeps
// the subquery from being inlined twice into the aggregate. Each answer is its length as
// int4 (-1 when absent), then its bytes.
export const GET_STATEMENT = {
  name: 'medanchor_head_map_get_v1',
  text: `select string_agg(int4send(coalesce(length(b), -1)) || coalesce(b, '\\x'::bytea), '\\x'::bytea order by i) as found
from (select i, (select bytes from medanchor_head_map_nodes where hash = substr($1::bytea, 32 * i + 1, 32)) as b
  from generate_series(0, length($1::bytea) / 32 - 1) as i offset 0) as q`,
};

const invalid = () =>
  new MedanchorError('INVALID_ARGUMENT', 'a head-map entry is 48 or 65 bytes, its hash 32 bytes');

/**
 * Checks a packed batch: `count` entries of 48 or 65 bytes in 66-byte slots and their
 * 32-byte hashes.
 * @throws MedanchorError `INVALID_ARGUMENT` before anything is written.
 */
export function checkPacked(bytes: Uint8Array, hashes: Uint8Array, count: number): void {
  if (
    !Number.isSafeInteger(count) ||
    count < 0 ||
    !(bytes instanceof Uint8Array) ||
    !(hashes instanceof Uint8Array) ||
    bytes.length < SLOT * count ||
    hashes.length < 32 * count
  )
    throw invalid();
  for (let i = 0; i < count; i++) {
    const len = bytes[SLOT * i];
    if (len !== 48 && len !== 65) throw invalid();
  }
}

/**
 * Packs entries (and their hashes, given or computed by `hash`) as {@link checkPacked} reads
 * them. @throws MedanchorError `INVALID_ARGUMENT` for an entry or hash of the wrong size.
 */
export function packEntries(
  list: readonly Uint8Array[],
  given: readonly Uint8Array[] | undefined,
  hash: (e: Uint8Array) => Uint8Array,
): { bytes: Uint8Array; hashes: Uint8Array } {
  if (!Array.isArray(list)) throw invalid();
  const bytes = new Uint8Array(SLOT * list.length);
  const hashes = new Uint8Array(32 * list.length);
  list.forEach((e, i) => {
    if (!(e instanceof Uint8Array) || (e.length !== 48 && e.length !== 65)) throw invalid();
    const h = given?.[i] ?? hash(e);
    if (!(h instanceof Uint8Array) || h.length !== 32) throw invalid();
    bytes[SLOT * i] = e.length;
    bytes.set(e, SLOT * i + 1);
    hashes.set(h, 32 * i);
  });
  return { bytes, hashes };
}

/** Concatenates 32-byte hashes for {@link GET_STATEMENT}. */
export function packHashes(list: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(32 * list.length);
  list.forEach((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== 32)
      throw new MedanchorError('INVALID_LENGTH', 'a head-map hash must be 32 bytes');
    out.set(h, 32 * i);
  });
  return out;
}

/**
 * Splits {@link GET_STATEMENT}'s answer into `count` entries (undefined where absent), as
 * plain Uint8Array views of it.
 * @throws MedanchorError `STORE_CORRUPT` when the answer does not hold exactly `count`.
 */
export function unpackFound(found: Uint8Array | null, count: number): (Uint8Array | undefined)[] {
  const all =
    found === null
      ? new Uint8Array(0)
      : new Uint8Array(found.buffer, found.byteOffset, found.length);
  const view = new DataView(all.buffer, all.byteOffset, all.length);
  const out: (Uint8Array | undefined)[] = [];
  let at = 0;
  while (out.length < count && at + 4 <= all.length) {
    const len = view.getInt32(at);
    at += 4;
    if (len < 0) out.push(undefined);
    else {
      out.push(all.subarray(at, at + len));
      at += len;
    }
  }
  if (out.length !== count || at !== all.length)
    throw new MedanchorError('STORE_CORRUPT', 'the head map answered a read with damaged data');
  return out;
}

// Schema version 2: erasure (docs/spec/tombstone.md). A forgotten leaf keeps its row and
// commitment; salt, digest, key, record id and version become NULL and `forgotten_ms`
// says when (milliseconds since the epoch). The length checks still hold for live rows.
export const sql = `
alter table medanchor_leaves
  alter column salt drop not null,
  alter column digest drop not null,
  add column forgotten_ms bigint check (forgotten_ms >= 0),
  add constraint medanchor_leaves_forgotten check (
    (forgotten_ms is null and salt is not null and digest is not null)
    or (forgotten_ms is not null and salt is null and digest is null
        and idem_key is null and record_id is null and version is null)
  );
`;

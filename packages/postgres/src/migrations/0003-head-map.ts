// Schema version 3: the head map (docs/spec/head-map.md section 6). One map secret per
// database (one log), and content-addressed entries: a value (48 bytes) or a node
// (65 bytes) under its SHA-256. Entries are only ever inserted.
export const sql = `
create table medanchor_head_map_secret (
  singleton boolean primary key default true check (singleton),
  secret bytea not null check (length(secret) = 32)
);
create table medanchor_head_map_nodes (
  hash bytea primary key check (length(hash) = 32),
  bytes bytea not null check (length(bytes) in (48, 65))
);
`;

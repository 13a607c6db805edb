// Schema version 1: the whole ledger layout. Normative description: docs/spec/storage.md,
// "PostgreSQL table layout". Plain SQL, run in one transaction by `migrate`.
export const sql = `
create table medanchor_meta (
  singleton boolean primary key default true check (singleton),
  origin text not null,
  tree_size bigint not null default 0 check (tree_size >= 0),
  created_at timestamptz not null default now()
);

create sequence medanchor_pending_id_seq as bigint;

create table medanchor_pending (
  pending_id bigint primary key,
  salt bytea not null check (octet_length(salt) = 32),
  digest bytea not null check (octet_length(digest) = 32),
  commitment bytea not null check (octet_length(commitment) = 32),
  idem_key text,
  record_id text,
  version bigint,
  acked_at timestamptz not null default now()
);

create table medanchor_keys (
  idem_key text primary key,
  pending_id bigint not null,
  commitment bytea not null check (octet_length(commitment) = 32)
);

create table medanchor_leaves (
  leaf_index bigint primary key check (leaf_index >= 0),
  pending_id bigint not null unique,
  salt bytea not null check (octet_length(salt) = 32),
  digest bytea not null check (octet_length(digest) = 32),
  commitment bytea not null check (octet_length(commitment) = 32),
  idem_key text unique,
  record_id text,
  version bigint
);
create index medanchor_leaves_record on medanchor_leaves (record_id, leaf_index)
  where record_id is not null;

create table medanchor_tiles (
  level smallint not null check (level between 0 and 7),
  tile_index bigint not null check (tile_index >= 0),
  hashes bytea not null
    check (octet_length(hashes) between 32 and 8192 and octet_length(hashes) % 32 = 0),
  primary key (level, tile_index)
);

create table medanchor_lease (
  singleton boolean primary key default true check (singleton),
  owner text,
  token bigint not null default 0,
  expires_at timestamptz
);
insert into medanchor_lease (singleton) values (true);

create table medanchor_checkpoints (
  tree_size bigint primary key check (tree_size >= 0),
  root bytea not null check (octet_length(root) = 32),
  note bytea,
  created_at timestamptz not null default now()
);

create table medanchor_anchors (
  digest text primary key check (digest ~ '^[0-9a-f]{64}$'),
  seq bigint generated always as identity,
  state text not null,
  final boolean not null,
  updated_at timestamptz not null default now()
);
create index medanchor_anchors_open on medanchor_anchors (seq) where not final;
`;

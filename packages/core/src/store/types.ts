import type { Checkpoint } from '../receipt/checkpoint.js';

/**
 * Version of the storage layout this release writes and reads. A store whose layout
 * carries another version is refused on open with `STORE_SCHEMA_UNKNOWN`.
 */
export const LEDGER_STORE_SCHEMA = 1;

/** Hashes per full tile (C2SP tlog-tiles). */
export const TILE_WIDTH = 256;

/** Tree levels spanned by one tile level: tile level `L` holds hashes of tree level `8 * L`. */
export const TILE_HEIGHT = 8;

/** One record handed to {@link LedgerStore.addPending}. */
export interface PendingInput {
  /** 32-byte commitment salt. Secret: never logged, never put in an error. */
  readonly salt: Uint8Array;
  /** 32-byte SHA-256 of the record. */
  readonly digest: Uint8Array;
  /**
   * Idempotency key (e.g. `${recordId}@${version}`): a second add with a key the store
   * has seen (pending or sequenced) makes no new record and returns the first
   * acknowledgement. 1 to 1024 characters.
   */
  readonly key?: string;
  /** The application's record id (1 to 1024 characters), indexed for {@link LedgerStore.versions}. */
  readonly recordId?: string;
  /** The record's version (a non-negative safe integer). */
  readonly version?: number;
}

/** The acknowledgement of one added record: once returned, the record is durable. */
export interface PendingAck {
  /** Store-assigned id of the pending record (decimal digits; increases with each add). */
  readonly pendingId: string;
  /** `computeCommitment(salt, digest)`: the 32 bytes that become the log leaf. */
  readonly commitment: Uint8Array;
  /**
   * Set when the key was seen before: the first acknowledgement of that key, whose
   * `pendingId` and `commitment` this ack repeats. Nothing new was stored.
   */
  readonly duplicateOf?: PendingAck;
}

/** A record acknowledged but not sequenced yet, as {@link LedgerStore.readPending} returns it. */
export interface PendingRecord {
  /** Id from the acknowledgement. */
  readonly pendingId: string;
  /** 32-byte salt. */
  readonly salt: Uint8Array;
  /** 32-byte record digest. */
  readonly digest: Uint8Array;
  /** 32-byte commitment (the leaf). */
  readonly commitment: Uint8Array;
  /** Idempotency key, if one was given. */
  readonly key?: string;
  /** Record id, if one was given. */
  readonly recordId?: string;
  /** Record version, if one was given. */
  readonly version?: number;
}

/** A sequenced record: a pending record with its place in the log. */
export interface LeafRecord extends PendingRecord {
  /** Index of the leaf in the log. */
  readonly index: number;
  /**
   * Set once the record was forgotten ({@link LedgerStore.forget}), milliseconds since
   * the epoch: `salt` and `digest` are then empty (length 0), `key`, `recordId` and
   * `version` absent; `commitment` (the leaf) stays.
   */
  readonly forgottenAt?: number;
}

/**
 * What stays of a forgotten leaf (docs/spec/tombstone.md): which leaf, its commitment
 * (already public as the leaf hash input) and when it was forgotten. No salt, no digest,
 * no record id.
 */
export interface Tombstone {
  /** Index of the leaf in the log. */
  readonly index: number;
  /** The 32-byte commitment the leaf hashes. */
  readonly commitment: Uint8Array;
  /** When the record was forgotten, milliseconds since the Unix epoch. */
  readonly forgottenAt: number;
}

/**
 * The right to sequence. At most one holder at a time; `token` (the fencing token)
 * grows every time the lease changes hands, and every sequencer write carries the
 * lease: the store refuses it with `STORE_LEASE_LOST` once a newer token exists or
 * the lease was released, so a stale sequencer never writes after a takeover.
 */
export interface Lease {
  /** Who holds it (free text naming the process, e.g. `host:pid`). */
  readonly owner: string;
  /** Fencing token: a positive safe integer, larger for every new holder. */
  readonly token: number;
  /** When it lapses unless renewed, milliseconds since the Unix epoch (store clock). */
  readonly expiresAt: number;
}

/**
 * One tile of the tree (C2SP tlog-tiles): tile `index` of tile level `level` holds the
 * hashes of tree level `8 * level`, nodes `index * 256` to `index * 256 + width - 1`,
 * packed (`width * 32` bytes). A tile with 256 hashes is full and never changes; a
 * partial one grows as the log grows (its hashes at a smaller width are a prefix).
 */
export interface Tile {
  /** Tile level (0 for leaf hashes). */
  readonly level: number;
  /** Tile index within its level. */
  readonly index: number;
  /** `width * 32` bytes, width 1 to 256. */
  readonly hashes: Uint8Array;
}

/** What one {@link LedgerStore.integrate} call writes, atomically. */
export interface IntegrateBatch {
  /** Index of the first new leaf: must equal the store's size. */
  readonly firstIndex: number;
  /** The pending records that become leaves `firstIndex, firstIndex + 1, ...`, in order. */
  readonly leaves: readonly PendingRecord[];
  /**
   * Every tile whose contents change, with its full new contents (see
   * `tilesForAppend`, which computes them).
   */
  readonly tiles: readonly Tile[];
}

/** A checkpoint as the store keeps it. */
export interface StoredCheckpoint extends Checkpoint {
  /**
   * The checkpoint as a signed note (C2SP signed-note bytes), when it was signed.
   * Stored and returned as is.
   */
  readonly note?: Uint8Array;
}

/** Anchor state of one checkpoint, as {@link LedgerStore.loadAnchors} returns it. */
export interface StoredAnchor {
  /** Checkpoint digest, 64 lowercase hex characters. */
  readonly digest: string;
  /** Opaque JSON value owned by the anchorer (e.g. `@medanchor/chain`'s AnchorRecord). */
  readonly state: unknown;
  /** True once the anchor needs no more work (buried deep enough). */
  readonly final: boolean;
}

/** Options of {@link LedgerStore.loadAnchors}. */
export interface LoadAnchorsOptions {
  /** Only anchors whose `final` flag equals this (default: all). */
  readonly final?: boolean;
}

/**
 * Everything a ledger persists, behind one contract: acknowledged (pending) records,
 * sequenced leaves, the Merkle tree as C2SP tiles, checkpoints and anchor state, with
 * indexes by idempotency key and by record id. Implementations: `memoryLedgerStore`
 * (here), `openFileLedgerStore` (`@medanchor/core/node`) and the PostgreSQL store
 * (`@medanchor/postgres`); one contract suite runs against all of them.
 *
 * Writers: any number of callers (processes, for stores that allow it) call
 * {@link LedgerStore.addPending}. Sequencer: exactly one holder of the lease reads
 * pending records, integrates them into the tree, puts checkpoints and saves anchor
 * state; every such write takes the lease and is fenced by its token.
 *
 * Every method that refuses its input throws a `MedanchorError` with a stable `code`
 * and writes nothing: `INVALID_ARGUMENT` / `INVALID_LENGTH` for malformed input,
 * `STORE_LEASE_LOST`, `STORE_CONFLICT`, `STORE_RANGE`, `STORE_CLOSED`. Opening refuses
 * a store of another origin (`STORE_ORIGIN_MISMATCH`) or of an unknown layout version
 * (`STORE_SCHEMA_UNKNOWN`) and writes nothing then either.
 */
export interface LedgerStore {
  /** The log's name (checkpoint origin), fixed when the store was created. */
  readonly origin: string;

  /**
   * Adds records, durably: resolves once every one is committed, with one ack per
   * item in order. An item whose `key` was seen before (pending or sequenced, in this
   * call or earlier) stores nothing and returns the first ack in `duplicateOf`.
   * All-or-nothing: a malformed item refuses the whole call.
   * @throws MedanchorError `INVALID_LENGTH` (salt or digest not 32 bytes),
   * `INVALID_ARGUMENT` (bad key, record id or version), `STORE_CLOSED`.
   */
  addPending(items: readonly PendingInput[]): Promise<PendingAck[]>;

  /** Number of records acknowledged and not sequenced yet. */
  pendingCount(): Promise<number>;

  /** Up to `limit` pending records, oldest first (in acknowledgement order). */
  readPending(limit: number): Promise<PendingRecord[]>;

  /**
   * Takes the sequencer lease for `ttlMs` if it is free, expired, or already held by
   * `owner` (then it is extended and keeps its token). Resolves `undefined` when
   * another owner holds a live lease.
   */
  acquireLease(owner: string, ttlMs: number): Promise<Lease | undefined>;

  /**
   * Extends a held lease by `ttlMs` from now.
   * @throws MedanchorError `STORE_LEASE_LOST` if the lease changed hands, was released
   * or expired and was taken by another owner.
   */
  renewLease(lease: Lease, ttlMs: number): Promise<Lease>;

  /** Gives the lease up (no-op if it already changed hands). */
  releaseLease(lease: Lease): Promise<void>;

  /**
   * Sequences pending records atomically: assigns leaf indices from `firstIndex`,
   * writes the changed tiles, and removes those records from the pending set. Either
   * all of it happens or none.
   * @throws MedanchorError `STORE_LEASE_LOST`; `STORE_CONFLICT` when `firstIndex` is
   * not the current size or a record is not pending; `INVALID_ARGUMENT` on a
   * malformed tile.
   */
  integrate(lease: Lease, batch: IntegrateBatch): Promise<void>;

  /** Number of sequenced leaves. */
  size(): Promise<number>;

  /**
   * The hashes of tile (`level`, `index`) at `width` (1 to 256), `width * 32` bytes.
   * @throws MedanchorError `STORE_RANGE` unless that tile has at least `width` hashes at
   * the current size.
   */
  readTile(level: number, index: number, width: number): Promise<Uint8Array>;

  /**
   * Leaves `[start, start + count)`.
   * @throws MedanchorError `STORE_RANGE` if the range passes the size.
   */
  readLeaves(start: number, count: number): Promise<LeafRecord[]>;

  /** The leaf sequenced for an idempotency key, or `undefined` (also while it is pending). */
  leafByKey(key: string): Promise<LeafRecord | undefined>;

  /** Leaf indices of every sequenced record with this record id, ascending. */
  versions(recordId: string): Promise<number[]>;

  /**
   * The first leaf index of each record id, in the order given: what `versions(id)[0]`
   * answers, for many ids in one call (`undefined` for an id with no sequenced leaf,
   * e.g. never added or forgotten). A seal with the head map asks it for every record
   * the seal changed, so a store answers it without one round trip or index walk per id.
   * Optional: callers fall back to {@link LedgerStore.versions} per id when a store
   * lacks it (the three stores here have it).
   * @throws MedanchorError `INVALID_ARGUMENT` unless `recordIds` is an array of strings,
   * `STORE_CLOSED`.
   */
  firstVersions?(recordIds: readonly string[]): Promise<(number | undefined)[]>;

  /**
   * Stores a checkpoint of this log. `size` must be at most the tree size and larger
   * than the latest checkpoint's (putting the latest again with the same root is a
   * no-op); `root` must be the tree's root at `size` (see `sealCheckpoint`).
   * @throws MedanchorError `STORE_LEASE_LOST`, `STORE_CONFLICT`, `STORE_ORIGIN_MISMATCH`.
   */
  putCheckpoint(lease: Lease, checkpoint: StoredCheckpoint): Promise<void>;

  /** The checkpoint with the largest size, or `undefined` before the first. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;

  /**
   * The first checkpoint whose size is larger than `leafIndex` (the seal that
   * included the leaf), or `undefined` if the leaf is not sealed yet.
   */
  checkpointCovering(leafIndex: number): Promise<StoredCheckpoint | undefined>;

  /** Anchor state records, optionally only final or only non-final ones. */
  loadAnchors(options?: LoadAnchorsOptions): Promise<StoredAnchor[]>;

  /**
   * The anchor state of one checkpoint digest (final or not), or `undefined`: what a
   * receipt built on demand needs, without loading every anchor.
   * @throws MedanchorError `INVALID_ARGUMENT` unless `digest` is 64 lowercase hex.
   */
  loadAnchor(digest: string): Promise<StoredAnchor | undefined>;

  /**
   * Inserts or replaces the anchor state of checkpoint `digest` (64 lowercase hex),
   * durably. `state` must survive `JSON.stringify` (no bigint: encode it first).
   * @throws MedanchorError `STORE_LEASE_LOST`, `INVALID_ARGUMENT`.
   */
  saveAnchor(lease: Lease, digest: string, state: unknown, final: boolean): Promise<void>;

  /**
   * Erasure: for every sequenced leaf with this record id, deletes its salt, digest,
   * idempotency key, record id and version, and every index entry that leads to it, and
   * marks it forgotten at `at` (ms since the epoch), atomically and crash-safely: after a
   * crash the leaf is either untouched or forgotten, never marked while its salt
   * survives. The commitment, the tiles, checkpoints and anchors do not change, so every
   * other receipt still verifies. Not fenced by the lease. Normative:
   * docs/spec/tombstone.md.
   * @returns the tombstones written, ascending; empty when no leaf has this record id
   * (never added, or forgotten already: nothing keeps the id after a forget).
   * @throws MedanchorError `STORE_FORGET_PENDING` (a record with this id is not sequenced
   * yet; nothing erased), `INVALID_ARGUMENT`, `STORE_CLOSED`.
   */
  forget(recordId: string, at: number): Promise<Tombstone[]>;

  /**
   * The tombstone of leaf `index`, or `undefined` when it is not forgotten (or no such leaf).
   * @throws MedanchorError `INVALID_ARGUMENT`, `STORE_CLOSED`.
   */
  tombstone(index: number): Promise<Tombstone | undefined>;

  /** Releases files, connections and locks. Later calls throw `STORE_CLOSED`. */
  close(): Promise<void>;
}

import { assertBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { sha256, taggedHash } from '../sha256.js';

/**
 * Domain tag of a record commitment (see docs/spec/commitment.md). Part of the
 * format: changing it changes every commitment.
 */
export const COMMITMENT_TAG = 'medanchor/commitment/v1';

/** Length in bytes of a commitment salt. */
export const SALT_LENGTH = 32;

/**
 * The inputs and output of one record commitment. The salt is a secret of the
 * record holder: whoever has it (and the record) can prove the commitment; deleting
 * it makes the anchored commitment unlinkable to the record.
 */
export interface RecordCommitment {
  /** 32 random bytes. Secret: never log it. */
  readonly salt: Uint8Array;
  /** SHA-256 of the record bytes. */
  readonly digest: Uint8Array;
  /** `taggedHash(COMMITMENT_TAG, salt || digest)`: the 32 bytes that enter the log. */
  readonly commitment: Uint8Array;
}

/** Options of {@link commitRecord} and {@link commitDigest}. */
export interface CommitOptions {
  /**
   * A 32-byte salt to use instead of a fresh random one (to recompute a known
   * commitment). Never reuse a salt for two records.
   */
  salt?: Uint8Array;
}

// Random bytes drawn ahead for salts (never reused: each is wiped when handed out).
let saltPool: Uint8Array = new Uint8Array(0);
let saltOffset = 0;

/**
 * 32 fresh bytes from the platform CSPRNG (`globalThis.crypto.getRandomValues`).
 * @throws {@link MedanchorError} `NO_CSPRNG` when the platform has no Web Crypto.
 */
export function newSalt(): Uint8Array {
  if (saltPool.length - saltOffset < SALT_LENGTH) {
    const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } })
      .crypto;
    if (c?.getRandomValues === undefined) {
      throw new MedanchorError(
        'NO_CSPRNG',
        'globalThis.crypto.getRandomValues is not available: run on Node >= 20 or a browser, or pass a salt',
      );
    }
    // One CSPRNG call per 128 salts: the per-call cost dominated large batches.
    saltPool = c.getRandomValues(new Uint8Array(SALT_LENGTH * 128));
    saltOffset = 0;
  }
  const salt = saltPool.slice(saltOffset, saltOffset + SALT_LENGTH);
  // Each salt is handed out once: wipe it from the pool.
  saltPool.fill(0, saltOffset, saltOffset + SALT_LENGTH);
  saltOffset += SALT_LENGTH;
  return salt;
}

/**
 * The commitment to a record digest under a salt:
 * `taggedHash("medanchor/commitment/v1", salt || digest)`.
 * Deterministic: the same salt and digest always give the same 32 bytes.
 * @throws {@link MedanchorError} `INVALID_LENGTH` / `INVALID_TYPE` unless both are 32 bytes.
 */
export function computeCommitment(salt: Uint8Array, digest: Uint8Array): Uint8Array {
  assertBytes(salt, SALT_LENGTH, 'salt');
  assertBytes(digest, 32, 'record digest');
  return taggedHash(COMMITMENT_TAG, salt, digest);
}

/**
 * Commits to a record digest (SHA-256 of the record, computed elsewhere, e.g. while
 * streaming a large file). Uses a fresh random salt unless one is given.
 *
 * @example
 * ```ts
 * const c = commitDigest(sha256(bytes));
 * // keep c.salt with the record; c.commitment goes to the log
 * ```
 */
export function commitDigest(digest: Uint8Array, options: CommitOptions = {}): RecordCommitment {
  assertBytes(digest, 32, 'record digest');
  const salt = options.salt ?? newSalt();
  return {
    salt: salt.slice(),
    digest: digest.slice(),
    commitment: computeCommitment(salt, digest),
  };
}

/**
 * Commits to record bytes: `digest = sha256(content)`, then {@link commitDigest}.
 *
 * @example
 * ```ts
 * const { salt, digest, commitment } = commitRecord(utf8('{"resourceType":"Observation"}'));
 * ```
 */
export function commitRecord(content: Uint8Array, options: CommitOptions = {}): RecordCommitment {
  assertBytes(content, undefined, 'record content');
  return commitDigest(sha256(content), options);
}

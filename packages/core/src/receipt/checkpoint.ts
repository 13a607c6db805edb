import { assertBytes, concatBytes, utf8 } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { taggedHash } from '../sha256.js';

/** Domain tag of a checkpoint digest (see docs/spec/receipt.md). */
export const CHECKPOINT_TAG = 'medanchor/checkpoint/v1';

/**
 * A signed-tree-head-like statement about one log: "the log named `origin` had
 * `size` leaves and this `root`". Its {@link checkpointDigest} is what gets anchored.
 */
export interface Checkpoint {
  /** Name of the log: 1 to 255 printable ASCII characters, no spaces. */
  readonly origin: string;
  /** Number of leaves (a safe integer). */
  readonly size: number;
  /** RFC 9162 root hash of the first `size` leaves (32 bytes). */
  readonly root: Uint8Array;
}

const ORIGIN_RE = /^[\x21-\x7e]{1,255}$/;

/** True when `origin` is a valid log name (1-255 printable ASCII characters, no spaces). */
export function isValidOrigin(origin: unknown): origin is string {
  return typeof origin === 'string' && ORIGIN_RE.test(origin);
}

/**
 * Checks a log origin.
 * @throws {@link MedanchorError} `INVALID_ORIGIN`.
 */
export function assertOrigin(origin: unknown): asserts origin is string {
  if (!isValidOrigin(origin)) {
    throw new MedanchorError(
      'INVALID_ORIGIN',
      'a log origin must be 1 to 255 printable ASCII characters without spaces, e.g. "clinic.example/ledger"',
    );
  }
}

/**
 * The canonical bytes of a checkpoint:
 * `u8 len(origin) || origin (ASCII) || u64 big-endian size || root (32 bytes)`.
 * @throws {@link MedanchorError} `INVALID_ORIGIN`, `INVALID_SIZE` or `INVALID_LENGTH`.
 */
export function encodeCheckpoint(cp: Checkpoint): Uint8Array {
  assertOrigin(cp.origin);
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new MedanchorError('INVALID_SIZE', 'checkpoint size must be a non-negative safe integer');
  }
  assertBytes(cp.root, 32, 'checkpoint root');
  const origin = utf8(cp.origin);
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(cp.size));
  return concatBytes(Uint8Array.of(origin.length), origin, size, cp.root);
}

/**
 * The 32 bytes an anchor commits to: `taggedHash("medanchor/checkpoint/v1", encodeCheckpoint(cp))`.
 *
 * @example
 * ```ts
 * const d = checkpointDigest({ origin: 'clinic.example/ledger', size: log.size, root: log.root() });
 * ```
 */
export function checkpointDigest(cp: Checkpoint): Uint8Array {
  return taggedHash(CHECKPOINT_TAG, encodeCheckpoint(cp));
}

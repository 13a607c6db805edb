import { equalBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { assertOrigin, encodeCheckpoint } from '../receipt/checkpoint.js';
import type { StoredCheckpoint } from './types.js';

/**
 * Checks a checkpoint against the store's origin, its latest checkpoint and its size.
 * Returns `'same'` when it repeats the latest (a no-op), `'new'` when it may be stored.
 * @throws {@link MedanchorError} `STORE_ORIGIN_MISMATCH`, `STORE_CONFLICT`, or the
 * checkpoint encoder's `INVALID_*` codes.
 */
export function checkCheckpoint(
  origin: string,
  cp: StoredCheckpoint,
  latest: StoredCheckpoint | undefined,
  size: number,
): 'same' | 'new' {
  if (cp === null || typeof cp !== 'object') {
    throw new MedanchorError('INVALID_ARGUMENT', 'a checkpoint must be an object');
  }
  assertOrigin(cp.origin);
  if (cp.origin !== origin) {
    throw new MedanchorError(
      'STORE_ORIGIN_MISMATCH',
      `the checkpoint is for log "${cp.origin}" but this store holds "${origin}"`,
    );
  }
  encodeCheckpoint(cp); // size and root shape
  if (cp.note !== undefined && !(cp.note instanceof Uint8Array)) {
    throw new MedanchorError('INVALID_ARGUMENT', 'a checkpoint note must be a Uint8Array');
  }
  if (latest !== undefined && cp.size === latest.size && equalBytes(cp.root, latest.root)) {
    return 'same';
  }
  if (cp.size > size || (latest !== undefined && cp.size <= latest.size) || cp.size === 0) {
    throw new MedanchorError(
      'STORE_CONFLICT',
      `a new checkpoint needs a size above the latest (${latest?.size ?? 0}) and at most the log size ${size}, got ${cp.size}`,
      { details: { size: cp.size, latest: latest?.size ?? 0, logSize: size } },
    );
  }
  return 'new';
}

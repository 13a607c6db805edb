import { assertBytes } from '../bytes.js';
import { computeCommitment } from '../commitment/commitment.js';
import { MedanchorError } from '../errors.js';
import type { Lease, PendingInput, PendingRecord } from './types.js';

/** Longest idempotency key or record id a store accepts, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 1024;

function checkText(value: unknown, what: string, index: number): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      `item ${index}: ${what} must be a string of 1 to ${MAX_KEY_LENGTH} characters`,
      { details: { index } },
    );
  }
}

/**
 * Checks a batch for {@link LedgerStore.addPending} and computes each commitment.
 * Refuses the whole batch on the first bad item (nothing is written then).
 * @throws {@link MedanchorError} `INVALID_ARGUMENT`, `INVALID_LENGTH`, `INVALID_TYPE`.
 */
export function preparePending(items: readonly PendingInput[]): Omit<PendingRecord, 'pendingId'>[] {
  if (!Array.isArray(items)) {
    throw new MedanchorError('INVALID_ARGUMENT', 'addPending takes an array of items');
  }
  return items.map((item, i) => {
    if (item === null || typeof item !== 'object') {
      throw new MedanchorError('INVALID_ARGUMENT', `item ${i} must be an object`, {
        details: { index: i },
      });
    }
    assertBytes(item.salt, 32, `item ${i}: salt`);
    assertBytes(item.digest, 32, `item ${i}: digest`);
    checkText(item.key, 'key', i);
    checkText(item.recordId, 'recordId', i);
    if (
      item.version !== undefined &&
      (!Number.isSafeInteger(item.version) || (item.version as number) < 0)
    ) {
      throw new MedanchorError(
        'INVALID_ARGUMENT',
        `item ${i}: version must be a non-negative safe integer`,
        { details: { index: i } },
      );
    }
    return {
      salt: item.salt.slice(),
      digest: item.digest.slice(),
      commitment: computeCommitment(item.salt, item.digest),
      ...(item.key === undefined ? {} : { key: item.key }),
      ...(item.recordId === undefined ? {} : { recordId: item.recordId }),
      ...(item.version === undefined ? {} : { version: item.version }),
    };
  });
}

/** Throws `INVALID_ARGUMENT` unless `owner` is 1-256 characters and `ttlMs` a positive integer. */
export function checkLeaseRequest(owner: unknown, ttlMs: unknown): void {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 256) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'a lease owner must be a string of 1 to 256 characters',
    );
  }
  if (!Number.isSafeInteger(ttlMs) || (ttlMs as number) <= 0) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'a lease ttlMs must be a positive integer of milliseconds',
    );
  }
}

/** The error a fenced write gets when a newer lease exists or the lease was released. */
export function leaseLost(lease: Lease): MedanchorError {
  return new MedanchorError(
    'STORE_LEASE_LOST',
    'the sequencer lease changed hands or was released: stop sequencing and acquire it again',
    { details: { token: lease?.token ?? null } },
  );
}

/** Throws `INVALID_ARGUMENT` unless `digest` is 64 lowercase hex characters. */
export function checkAnchorDigest(digest: unknown): asserts digest is string {
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'an anchor is keyed by its checkpoint digest: 64 lowercase hex characters',
    );
  }
}

/**
 * The JSON text of anchor state, checked.
 * @throws {@link MedanchorError} `INVALID_ARGUMENT` when it cannot be JSON.
 */
export function anchorStateJson(state: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(state);
  } catch (e) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'anchor state must be JSON (encode bigints first)',
      {
        cause: e,
      },
    );
  }
  if (text === undefined) {
    throw new MedanchorError('INVALID_ARGUMENT', 'anchor state must be a JSON value');
  }
  return text;
}

/** Throws `INVALID_ARGUMENT` unless `start` and `count` are non-negative safe integers. */
export function checkRangeArgs(start: unknown, count: unknown): void {
  if (
    !Number.isSafeInteger(start) ||
    (start as number) < 0 ||
    !Number.isSafeInteger(count) ||
    (count as number) < 0
  ) {
    throw new MedanchorError('INVALID_ARGUMENT', 'start and count must be non-negative integers');
  }
}

/** The error of any call on a closed store. */
export function storeClosed(): MedanchorError {
  return new MedanchorError('STORE_CLOSED', 'the ledger store is closed: open it again');
}

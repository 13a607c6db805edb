import { MedanchorError } from '@medanchor/core';

/** The part of an envelope a decryption failure is pinned to. */
export type EnvelopePart = 'header' | 'recipient' | 'chunk';

/**
 * `DECRYPT_FAILED` naming the failing part (and chunk index) with a reason that
 * holds no secret: only positions and what check failed.
 */
export function decryptFailed(part: EnvelopePart, reason: string, chunk?: number): MedanchorError {
  const where = part === 'chunk' ? `chunk ${chunk}` : part;
  return new MedanchorError(
    'DECRYPT_FAILED',
    `envelope ${where} failed verification (${reason}): the envelope was altered, truncated or corrupted; use an intact copy`,
    { details: { part, reason, ...(chunk === undefined ? {} : { chunk }) } },
  );
}

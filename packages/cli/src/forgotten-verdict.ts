import { parseTombstoneDocument } from '@medanchor/core';
import type { FileVerdict } from './verify-file.js';

/**
 * The verdict on a file whose receipt was replaced by a tombstone (`medanchor forget`):
 * level 1 fails at step "forgotten", saying when, since the salt that linked the file to
 * its leaf is erased. A damaged tombstone fails at step "tombstone".
 */
export function forgottenVerdict(document: unknown): FileVerdict {
  const fail = (step: string, detail: string): FileVerdict => ({
    valid: false,
    reached: 0,
    levels: [{ level: 1, name: 'record and Merkle proof', status: 'fail', step, detail }],
  });
  let parsed: ReturnType<typeof parseTombstoneDocument>;
  try {
    parsed = parseTombstoneDocument(document);
  } catch (e) {
    return fail('tombstone', (e as Error).message);
  }
  const at = new Date(parsed.tombstone.forgottenAt).toISOString();
  return {
    ...fail(
      'forgotten',
      `the record was forgotten on ${at}: its salt and digest were erased from log ${parsed.origin} (leaf ${parsed.tombstone.index} keeps only its commitment), so no file can be verified against it any more`,
    ),
    origin: parsed.origin,
    forgottenAt: at,
  };
}

import { formatCheckpointText, type StoredCheckpoint, utf8 } from '@medanchor/core';

/**
 * The bytes served at `/checkpoint`: the signed note the store holds for the
 * checkpoint, or, for a checkpoint stored without one, the unsigned C2SP
 * tlog-checkpoint body (`<origin>\n<size>\n<base64 root>\n`).
 */
export function checkpointBytes(cp: StoredCheckpoint): Uint8Array {
  return cp.note ?? utf8(formatCheckpointText(cp));
}

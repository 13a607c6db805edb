import type { StoredCheckpoint } from '@medanchor/core';

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * The bytes served at `/checkpoint`: the signed note the store holds for the
 * checkpoint, or, for a checkpoint stored without one, the unsigned C2SP
 * tlog-checkpoint body (`<origin>\n<size>\n<base64 root>\n`).
 */
export function checkpointBytes(cp: StoredCheckpoint): Uint8Array {
  if (cp.note !== undefined) return cp.note;
  return new TextEncoder().encode(`${cp.origin}\n${cp.size}\n${base64(cp.root)}\n`);
}

import { MedanchorError } from '@medanchor/core';

/** Bytes of one entry: the 32-byte record commitment that is the log leaf. */
export const ENTRY_SIZE = 32;

/**
 * Encodes an entry bundle (C2SP tlog-tiles): each entry as a big-endian 16-bit length
 * followed by the entry. A medanchor entry is the record's 32-byte commitment, so each
 * one takes 34 bytes (`00 20` then the commitment); the leaf hash is
 * `sha256(0x00 || commitment)`, as in the tiles.
 * @throws MedanchorError `INVALID_LENGTH` if an entry is not 32 bytes.
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(entries.length * (2 + ENTRY_SIZE));
  let at = 0;
  for (const e of entries) {
    if (!(e instanceof Uint8Array) || e.length !== ENTRY_SIZE)
      throw new MedanchorError('INVALID_LENGTH', 'an entry is a 32-byte commitment');
    out[at] = 0;
    out[at + 1] = ENTRY_SIZE;
    out.set(e, at + 2);
    at += 2 + ENTRY_SIZE;
  }
  return out;
}

/**
 * Decodes an entry bundle into its entries.
 * @throws MedanchorError `SERVER_BAD_BUNDLE` when the bytes are truncated or an
 * entry is not 32 bytes long.
 */
export function decodeEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length)
      throw new MedanchorError('SERVER_BAD_BUNDLE', 'the entry bundle ends inside a length');
    const len = (bytes[at]! << 8) | bytes[at + 1]!;
    if (len !== ENTRY_SIZE)
      throw new MedanchorError('SERVER_BAD_BUNDLE', 'a medanchor entry is 32 bytes long', {
        details: { offset: at, length: len },
      });
    if (at + 2 + len > bytes.length)
      throw new MedanchorError('SERVER_BAD_BUNDLE', 'the entry bundle ends inside an entry');
    out.push(bytes.slice(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

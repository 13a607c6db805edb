import { base64 } from '@scure/base';
import { MedanchorError } from '../errors.js';

/** Largest note accepted, in bytes: a checkpoint with a few dozen cosignatures fits many times. */
export const MAX_NOTE_BYTES = 65_536;

/** Most signature lines accepted in one note (C2SP requires accepting at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

/** One signature line of a note, decoded. */
export interface NoteSignature {
  /** Key name, as written on the line. */
  readonly name: string;
  /** The 32-bit key ID (first four bytes of the decoded signature, big-endian). */
  readonly keyId: number;
  /** The signature bytes after the key ID (algorithm-specific). */
  readonly signature: Uint8Array;
}

/** A parsed (not yet verified) signed note. */
export interface Note {
  /** The note text, including its final newline; this is what is signed. */
  readonly text: string;
  /** Signature lines in the order they appear. */
  readonly signatures: readonly NoteSignature[];
}

const EM_DASH_SPACE = '\u2014 ';
// Unicode White_Space: any of these makes a key name invalid (as does '+').
const SPACE_RE = /[\s\u0085\u180e\u200b\u2028\u2029+]/u;

/** True when `name` is a valid note key name: non-empty, no Unicode space, no `+`. */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 1024 && !SPACE_RE.test(name);
}

/**
 * Checks a note key name.
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID`.
 */
export function assertKeyName(name: unknown): asserts name is string {
  if (!isValidKeyName(name)) {
    throw new MedanchorError(
      'NOTE_KEY_INVALID',
      'a note key name must be 1 to 1024 characters without spaces or "+", e.g. "clinic.example/ledger"',
    );
  }
}

function malformed(message: string, details?: Record<string, number>): MedanchorError {
  return new MedanchorError('NOTE_MALFORMED', message, details ? { details } : {});
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Checks that `text` is acceptable note text: ends in a newline, has no control
 * characters but newlines, and is not over {@link MAX_NOTE_BYTES} once encoded.
 * @throws {@link MedanchorError} `NOTE_MALFORMED` or `NOTE_TOO_LONG`.
 */
export function assertNoteText(text: unknown): asserts text is string {
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n')) {
    throw malformed('note text must be a non-empty string ending in a newline');
  }
  checkCharacters(text);
  if (text.length > MAX_NOTE_BYTES || new TextEncoder().encode(text).length > MAX_NOTE_BYTES) {
    throw tooLong(text.length);
  }
}

function tooLong(size: number): MedanchorError {
  return new MedanchorError(
    'NOTE_TOO_LONG',
    `a signed note may be at most ${MAX_NOTE_BYTES} bytes; this one is larger`,
    { details: { size, limit: MAX_NOTE_BYTES } },
  );
}

function checkCharacters(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) {
      throw malformed('a note must not contain control characters other than newline', {
        offset: i,
      });
    }
    // Lone surrogates cannot be encoded as UTF-8.
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
        throw malformed('a note must be valid UTF-8', { offset: i });
      }
      i++;
    }
  }
}

/**
 * Parses a signed note (C2SP signed-note): text, a blank line, then one or more
 * signature lines `— <name> <base64(key ID || signature)>`. Checks the syntax only;
 * use `verifyNote` to check signatures.
 *
 * @param note - The note as bytes (UTF-8) or as a string.
 * @throws {@link MedanchorError} `NOTE_TOO_LONG` over {@link MAX_NOTE_BYTES} or
 *   {@link MAX_NOTE_SIGNATURES}; `NOTE_MALFORMED` for invalid UTF-8, control characters,
 *   a missing blank line, a malformed signature line, bad base64 or a bad key name.
 */
export function parseNote(note: Uint8Array | string): Note {
  let s: string;
  if (note instanceof Uint8Array) {
    if (note.length > MAX_NOTE_BYTES) throw tooLong(note.length);
    try {
      s = decoder.decode(note);
    } catch {
      throw malformed('a note must be valid UTF-8');
    }
  } else if (typeof note === 'string') {
    if (note.length > MAX_NOTE_BYTES) throw tooLong(note.length);
    s = note;
  } else {
    throw new MedanchorError('INVALID_TYPE', 'a note must be a Uint8Array or a string');
  }
  if (s.charCodeAt(0) === 0xfeff) throw malformed('a note must not start with a byte order mark');
  checkCharacters(s);
  if (note instanceof Uint8Array === false && new TextEncoder().encode(s).length > MAX_NOTE_BYTES) {
    throw tooLong(s.length);
  }
  if (!s.endsWith('\n')) throw malformed('a signed note must end with a newline');
  // The text ends at the last blank line: everything after it is signature lines.
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw malformed('a signed note needs a blank line before its signatures');
  const text = s.slice(0, split + 1);
  const lines = s.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new MedanchorError(
      'NOTE_TOO_LONG',
      `a signed note may carry at most ${MAX_NOTE_SIGNATURES} signatures`,
      { details: { signatures: lines.length, limit: MAX_NOTE_SIGNATURES } },
    );
  }
  const signatures = lines.map((line, i) => parseSignatureLine(line, i));
  return { text, signatures };
}

function parseSignatureLine(line: string, index: number): NoteSignature {
  if (!line.startsWith(EM_DASH_SPACE)) {
    throw malformed('a signature line must start with an em dash and a space', { line: index });
  }
  const rest = line.slice(EM_DASH_SPACE.length);
  const space = rest.indexOf(' ');
  if (space < 0 || rest.indexOf(' ', space + 1) >= 0) {
    throw malformed('a signature line must be "— <key name> <base64 signature>"', {
      line: index,
    });
  }
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) {
    throw malformed('a signature line has an invalid key name', { line: index });
  }
  let raw: Uint8Array;
  try {
    raw = base64.decode(rest.slice(space + 1));
  } catch {
    throw malformed('a signature line has invalid base64', { line: index });
  }
  if (raw.length < 5) {
    throw malformed('a signature must hold a 4-byte key ID and signature bytes', { line: index });
  }
  const keyId = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0);
  return { name, keyId, signature: raw.slice(4) };
}

/** The text of one signature line, newline included. */
export function formatSignatureLine(sig: NoteSignature): string {
  assertKeyName(sig.name);
  const raw = new Uint8Array(4 + sig.signature.length);
  new DataView(raw.buffer).setUint32(0, sig.keyId >>> 0);
  raw.set(sig.signature, 4);
  return `${EM_DASH_SPACE}${sig.name} ${base64.encode(raw)}\n`;
}

/**
 * Encodes a signed note: the text, a blank line, the signature lines.
 * @throws {@link MedanchorError} `NOTE_MALFORMED` on bad text or no signatures, `NOTE_TOO_LONG`.
 */
export function formatNote(note: Note): Uint8Array {
  assertNoteText(note.text);
  if (note.signatures.length === 0) throw malformed('a signed note needs at least one signature');
  if (note.signatures.length > MAX_NOTE_SIGNATURES) {
    throw new MedanchorError('NOTE_TOO_LONG', `at most ${MAX_NOTE_SIGNATURES} signatures`);
  }
  const out = new TextEncoder().encode(
    `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`,
  );
  if (out.length > MAX_NOTE_BYTES) throw tooLong(out.length);
  return out;
}

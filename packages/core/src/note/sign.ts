import { concatBytes, utf8 } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { ed25519Sign } from './ed25519.js';
import { assertNoteText, formatNote, type Note, type NoteSignature, parseNote } from './format.js';
import { NOTE_TYPE_COSIGNATURE_V1, NOTE_TYPE_ED25519, type NoteSignerKey } from './keys.js';

/**
 * The message a cosignature/v1 signs (C2SP tlog-cosignature):
 * `"cosignature/v1\ntime <timestamp>\n" || note text`.
 */
export function cosignatureMessage(text: string, timestamp: bigint): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timestamp.toString()}\n${text}`);
}

const MAX_TIMESTAMP = (1n << 63n) - 1n;

/** Options of {@link signNoteText}. */
export interface SignOptions {
  /** Cosignature time, POSIX seconds (cosignature/v1 keys only; default now). */
  readonly timestamp?: bigint;
}

/**
 * One signature of `text` by `key`: Ed25519 over the text for type 0x01, a
 * timestamped cosignature for type 0x04.
 * @throws {@link MedanchorError} `NOTE_MALFORMED`, `NOTE_TOO_LONG`, `INVALID_ARGUMENT`.
 */
export function signNoteText(
  text: string,
  key: NoteSignerKey,
  options: SignOptions = {},
): NoteSignature {
  assertNoteText(text);
  if (key.type === NOTE_TYPE_ED25519) {
    return { name: key.name, keyId: key.keyId, signature: ed25519Sign(utf8(text), key.seed) };
  }
  if (key.type === NOTE_TYPE_COSIGNATURE_V1) {
    const ts = options.timestamp ?? BigInt(Math.floor(Date.now() / 1000));
    if (typeof ts !== 'bigint' || ts < 0n || ts > MAX_TIMESTAMP) {
      throw new MedanchorError(
        'INVALID_ARGUMENT',
        'a cosignature timestamp is 0 to 2^63-1 seconds',
      );
    }
    const stamp = new Uint8Array(8);
    new DataView(stamp.buffer).setBigUint64(0, ts);
    const sig = ed25519Sign(cosignatureMessage(text, ts), key.seed);
    return { name: key.name, keyId: key.keyId, signature: concatBytes(stamp, sig) };
  }
  throw new MedanchorError('NOTE_KEY_INVALID', 'unsupported note key type');
}

/**
 * Signs `text` with each key and encodes the signed note.
 *
 * @example
 * ```ts
 * const note = signNote('hello\n', [generateNoteKey('example.com/k')]);
 * ```
 * @throws {@link MedanchorError} `NOTE_MALFORMED`, `NOTE_TOO_LONG`.
 */
export function signNote(
  text: string,
  keys: readonly NoteSignerKey[],
  options: SignOptions = {},
): Uint8Array {
  return formatNote({ text, signatures: keys.map((k) => signNoteText(text, k, options)) });
}

/**
 * Adds signatures to an existing signed note (e.g. a witness cosigning a checkpoint),
 * replacing an earlier signature by the same key name and ID. Existing signatures are
 * kept as they are, unverified: verify the note before trusting it.
 * @throws {@link MedanchorError} as {@link parseNote} and {@link signNote}.
 */
export function addNoteSignatures(
  note: Uint8Array | string | Note,
  add: readonly NoteSignature[],
): Uint8Array {
  const parsed = typeof note === 'string' || note instanceof Uint8Array ? parseNote(note) : note;
  const same = (a: NoteSignature, b: NoteSignature) => a.name === b.name && a.keyId === b.keyId;
  const kept = parsed.signatures.filter((s) => !add.some((a) => same(a, s)));
  return formatNote({ text: parsed.text, signatures: [...kept, ...add] });
}

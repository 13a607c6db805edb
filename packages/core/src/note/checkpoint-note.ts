import { base64 } from '@scure/base';
import { concatBytes, utf8 } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { assertOrigin, type Checkpoint, isValidOrigin } from '../receipt/checkpoint.js';
import { taggedHash } from '../sha256.js';
import { assertKeyName, type NoteSignature } from './format.js';
import type { NoteSignerKey, NoteVerifierKey } from './keys.js';
import { type SignOptions, signNote } from './sign.js';
import { type NoteVerification, verifyNote } from './verify.js';

/** Domain tag of the digest an anchor commits to for a signed checkpoint. */
export const CHECKPOINT_NOTE_TAG = 'medanchor/checkpoint-note/v1';

/** A checkpoint read from a tlog-checkpoint note text. */
export interface CheckpointText {
  /** Origin, size and root. */
  readonly checkpoint: Checkpoint;
  /** Extension lines after the root (opaque; medanchor writes none). */
  readonly extensions: readonly string[];
}

/**
 * The C2SP tlog-checkpoint note text of a checkpoint:
 * `<origin>\n<size in decimal>\n<base64 root>\n`.
 * @throws {@link MedanchorError} `INVALID_ORIGIN`, `INVALID_SIZE`, `INVALID_LENGTH`.
 */
export function formatCheckpointText(cp: Checkpoint): string {
  assertOrigin(cp.origin);
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new MedanchorError('INVALID_SIZE', 'checkpoint size must be a non-negative safe integer');
  }
  if (!(cp.root instanceof Uint8Array) || cp.root.length !== 32) {
    throw new MedanchorError('INVALID_LENGTH', 'checkpoint root must be 32 bytes');
  }
  return `${cp.origin}\n${cp.size}\n${base64.encode(cp.root)}\n`;
}

function bad(message: string): MedanchorError {
  return new MedanchorError('CHECKPOINT_MALFORMED', message);
}

/**
 * Reads a tlog-checkpoint note text. The origin must be a medanchor origin (printable
 * ASCII, no spaces, at most 255 characters), the size decimal without leading zeros
 * and a safe integer, the root base64 of 32 bytes; extension lines must be non-empty.
 * @throws {@link MedanchorError} `CHECKPOINT_MALFORMED`.
 */
export function parseCheckpointText(text: string): CheckpointText {
  if (typeof text !== 'string' || !text.endsWith('\n')) {
    throw bad('checkpoint text must end with a newline');
  }
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw bad('checkpoint text needs origin, size and root lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  if (!isValidOrigin(origin)) {
    throw bad('checkpoint origin must be 1 to 255 printable ASCII characters without spaces');
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) {
    throw bad('checkpoint size must be a decimal number without leading zeros (a safe integer)');
  }
  let root: Uint8Array;
  try {
    root = base64.decode(rootLine);
  } catch {
    throw bad('checkpoint root must be base64');
  }
  if (root.length !== 32) throw bad('checkpoint root must be 32 bytes');
  if (extensions.some((l) => l.length === 0))
    throw bad('checkpoint extension lines must be non-empty');
  return { checkpoint: { origin, size: Number(sizeLine), root }, extensions };
}

/**
 * Signs a checkpoint with the log's key: a C2SP signed note whose text is the
 * tlog-checkpoint body. By convention the key's name is the origin.
 *
 * @example
 * ```ts
 * const key = generateNoteKey('clinic.example/ledger');
 * const note = signCheckpoint({ origin: key.name, size: log.size, root: log.root() }, key);
 * ```
 * @throws {@link MedanchorError} as {@link formatCheckpointText}.
 */
export function signCheckpoint(
  cp: Checkpoint,
  key: NoteSignerKey,
  options: SignOptions = {},
): Uint8Array {
  return signNote(formatCheckpointText(cp), [key], options);
}

/** Result of {@link verifyCheckpointNote}. */
export type CheckpointNoteVerification =
  | (NoteVerification & { readonly ok: true } & CheckpointText)
  | (NoteVerification & { readonly ok: false });

/**
 * Verifies a signed checkpoint note against known keys and reads its body. A body that
 * is not a checkpoint fails at step `format` with `CHECKPOINT_MALFORMED`. Never throws.
 */
export function verifyCheckpointNote(
  note: Uint8Array | string,
  keys: readonly NoteVerifierKey[],
): CheckpointNoteVerification {
  const r = verifyNote(note, keys);
  if (!r.ok) return r;
  try {
    return { ...r, ...parseCheckpointText(r.text) };
  } catch (e) {
    return {
      ok: false,
      step: 'format',
      code: 'CHECKPOINT_MALFORMED',
      message: e instanceof Error ? e.message : 'the note is not a checkpoint',
    };
  }
}

/**
 * The bytes hashed before the root in {@link checkpointNoteDigest}:
 * `u8 len(name) || name || u32 keyId || u16 len(sig) || sig || u32 len(text) || text`, from
 * the log's signature line and the checkpoint note text (lengths and key ID big-endian).
 * The root comes last so that, as for unsigned checkpoints, the step from the root to the
 * anchored digest is one SHA-256 over a fixed prefix (an OpenTimestamps `prepend`).
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID` on a bad or over-long (>255 bytes) name,
 * `NOTE_MALFORMED` on a signature over 65535 bytes.
 */
export function checkpointNotePrefix(text: string, logSignature: NoteSignature): Uint8Array {
  assertKeyName(logSignature.name);
  const name = utf8(logSignature.name);
  if (name.length > 255) {
    throw new MedanchorError('NOTE_KEY_INVALID', 'a log key name must be at most 255 bytes');
  }
  const sig = logSignature.signature;
  if (sig.length > 0xffff) {
    throw new MedanchorError('NOTE_MALFORMED', 'a log signature must be at most 65535 bytes');
  }
  const body = utf8(text);
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, logSignature.keyId >>> 0);
  const sigLen = new Uint8Array(2);
  new DataView(sigLen.buffer).setUint16(0, sig.length);
  const textLen = new Uint8Array(4);
  new DataView(textLen.buffer).setUint32(0, body.length);
  return concatBytes(Uint8Array.of(name.length), name, id, sigLen, sig, textLen, body);
}

/**
 * The 32 bytes an anchor commits to for a signed checkpoint:
 * `taggedHash("medanchor/checkpoint-note/v1", checkpointNotePrefix(text, logSignature) || root)`
 * with `root` the checkpoint's root (the one the text states in base64). So Bitcoin dates
 * exactly what the log's key signed, signature included; cosignatures added later do not
 * change it. See docs/spec/signed-note.md §5.
 * @throws {@link MedanchorError} as {@link checkpointNotePrefix}; `CHECKPOINT_MALFORMED` when
 * the text is not a checkpoint body.
 */
export function checkpointNoteDigest(text: string, logSignature: NoteSignature): Uint8Array {
  const { root } = parseCheckpointText(text).checkpoint;
  return taggedHash(
    CHECKPOINT_NOTE_TAG,
    concatBytes(checkpointNotePrefix(text, logSignature), root),
  );
}

import { MedanchorError } from '../errors.js';
import { parseCheckpointText } from './checkpoint-note.js';
import {
  formatSignatureLine,
  MAX_NOTE_SIGNATURES,
  type Note,
  type NoteSignature,
  parseNote,
} from './format.js';
import {
  generateNoteKey,
  NOTE_TYPE_COSIGNATURE_V1,
  type NoteSignerKey,
  type NoteVerifierKey,
  noteKeyId,
  noteVerifierKey,
} from './keys.js';
import { addNoteSignatures, signNoteText } from './sign.js';
import { checkNoteSignature } from './verify.js';

// Where the C2SP specs (tlog-cosignature, tlog-witness) meet medanchor's note module: the
// primitives (key type 0x04, the signed message) live in keys/sign/verify; this module is
// what a witness and a log need on top of them. docs/spec/cosignature.md is normative.

/** A cosignature that verified against a witness key. */
export interface VerifiedCosignature {
  /** The witness key that made it (type 0x04). */
  readonly key: NoteVerifierKey;
  /** When the witness signed, POSIX seconds. */
  readonly timestamp: bigint;
  /** The signature line. */
  readonly signature: NoteSignature;
}

/**
 * The key ID of a cosignature/v1 key: `SHA-256(name || 0x0A || 0x04 || publicKey)[:4]`.
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID` on a bad name.
 */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  return noteKeyId(name, NOTE_TYPE_COSIGNATURE_V1, publicKey);
}

/**
 * A fresh witness key (type 0x04, C2SP tlog-cosignature v1) named e.g. `witness.example/w1`.
 *
 * @example
 * ```ts
 * const key = generateWitnessKey('witness.example/w1');
 * console.log(encodeVerifierKey(key)); // witness.example/w1+<id>+BA...
 * ```
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID` on a bad name.
 */
export function generateWitnessKey(name: string): NoteSignerKey {
  return generateNoteKey(name, NOTE_TYPE_COSIGNATURE_V1);
}

/** A witness verifier key from its name and 32-byte Ed25519 public key. */
export function witnessVerifierKey(name: string, publicKey: Uint8Array): NoteVerifierKey {
  return noteVerifierKey(name, publicKey, NOTE_TYPE_COSIGNATURE_V1);
}

const MAX_TIMESTAMP = (1n << 63n) - 1n;

function readNote(note: Uint8Array | string | Note): Note {
  return typeof note === 'string' || note instanceof Uint8Array ? parseNote(note) : note;
}

/**
 * A witness's cosignature of a checkpoint: a timestamped Ed25519 signature over
 * `"cosignature/v1\ntime <t>\n" || text`, as one note signature line. Only the note's
 * text is read: check the log's signature before cosigning.
 *
 * @param options.timestamp - POSIX seconds, 1 to 2^63-1 (default now); a witness never
 *   cosigns with time zero (C2SP tlog-witness).
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID` (not a type 0x04 key),
 *   `CHECKPOINT_MALFORMED` (the text is not a checkpoint), `INVALID_ARGUMENT` (timestamp),
 *   the note parser's errors.
 */
export function cosignCheckpoint(
  note: Uint8Array | string | Note,
  key: NoteSignerKey,
  options: { readonly timestamp?: bigint } = {},
): NoteSignature {
  if (key.type !== NOTE_TYPE_COSIGNATURE_V1) {
    throw new MedanchorError(
      'NOTE_KEY_INVALID',
      'a witness cosigns with a cosignature/v1 (type 0x04) key: make one with generateWitnessKey',
    );
  }
  const { text } = readNote(note);
  parseCheckpointText(text);
  const timestamp = options.timestamp ?? BigInt(Math.floor(Date.now() / 1000));
  if (typeof timestamp !== 'bigint' || timestamp < 1n || timestamp > MAX_TIMESTAMP) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'a cosignature timestamp is 1 to 2^63-1 POSIX seconds',
    );
  }
  return signNoteText(text, key, { timestamp });
}

/** The signature lines of cosignatures: the body of a witness's `add-checkpoint` answer. */
export function formatCosignatures(signatures: readonly NoteSignature[]): string {
  return signatures.map(formatSignatureLine).join('');
}

/**
 * Reads signature lines (a witness's `add-checkpoint` answer): one or more lines
 * `— <name> <base64>`, each ending in a newline.
 * @throws {@link MedanchorError} `NOTE_MALFORMED` or `NOTE_TOO_LONG`.
 */
export function parseCosignatures(body: string): NoteSignature[] {
  if (
    typeof body !== 'string' ||
    body.length === 0 ||
    !body.endsWith('\n') ||
    body.startsWith('\n') ||
    body.includes('\n\n')
  ) {
    throw new MedanchorError(
      'NOTE_MALFORMED',
      'cosignatures are one or more signature lines, each ending in a newline, no empty lines',
    );
  }
  if (body.split('\n').length - 1 > MAX_NOTE_SIGNATURES) {
    throw new MedanchorError(
      'NOTE_TOO_LONG',
      `at most ${MAX_NOTE_SIGNATURES} cosignature lines are read`,
    );
  }
  // A placeholder note lets the signed-note parser check the lines with its own rules.
  return [...parseNote(`x\n\n${body}`).signatures];
}

/**
 * The cosignatures on `note` by the given witness keys (type 0x04), each verified;
 * signatures by other keys are ignored (C2SP). Never throws.
 *
 * @param options.notAfter - refuse cosignatures timestamped after this time (POSIX
 *   seconds), e.g. now plus a clock skew: C2SP lets verifiers reject future timestamps.
 * @returns `ok: false` with the step (`format` or `signature`) and the witness at fault
 *   when the note does not parse or a listed witness's cosignature does not verify.
 */
export function verifyCosignatures(
  note: Uint8Array | string | Note,
  witnesses: readonly NoteVerifierKey[],
  options: { readonly notAfter?: bigint } = {},
):
  | { readonly ok: true; readonly cosignatures: readonly VerifiedCosignature[] }
  | {
      readonly ok: false;
      readonly step: 'format' | 'signature';
      readonly code: string;
      readonly message: string;
    } {
  let parsed: Note;
  try {
    parsed = readNote(note);
  } catch (e) {
    return {
      ok: false,
      step: 'format',
      code: e instanceof MedanchorError ? e.code : 'NOTE_MALFORMED',
      message: e instanceof Error ? e.message : 'the note could not be parsed',
    };
  }
  const out: VerifiedCosignature[] = [];
  for (const sig of parsed.signatures) {
    const key = witnesses.find(
      (k) => k.type === NOTE_TYPE_COSIGNATURE_V1 && k.name === sig.name && k.keyId === sig.keyId,
    );
    if (key === undefined) continue;
    if (out.some((c) => c.key === key)) {
      return {
        ok: false,
        step: 'format',
        code: 'NOTE_MALFORMED',
        message: `witness ${sig.name} cosigned the note twice`,
      };
    }
    const r = checkNoteSignature(parsed.text, sig, key);
    if (r === false || r.timestamp === undefined) {
      return {
        ok: false,
        step: 'signature',
        code: 'COSIGNATURE_INVALID',
        message: `the cosignature by witness ${sig.name} does not verify: the checkpoint was altered or the witness key is another`,
      };
    }
    if (options.notAfter !== undefined && r.timestamp > options.notAfter) {
      return {
        ok: false,
        step: 'signature',
        code: 'COSIGNATURE_FUTURE',
        message: `the cosignature by witness ${sig.name} is dated in the future (${r.timestamp})`,
      };
    }
    out.push({ key, timestamp: r.timestamp, signature: sig });
  }
  return { ok: true, cosignatures: out };
}

/**
 * A log's side of `add-checkpoint`: verifies a witness's answer against the checkpoint it
 * sent and that witness's key, and returns the note with the cosignature added (one by
 * the same key earlier is replaced). Lines by other keys are ignored, as C2SP requires.
 * @throws {@link MedanchorError} `COSIGNATURE_INVALID` when the answer holds no valid
 *   cosignature by `witness`; the parser's errors for a malformed answer.
 */
export function addCosignatures(
  note: Uint8Array | string | Note,
  answer: string,
  witness: NoteVerifierKey,
): { readonly note: Uint8Array; readonly added: VerifiedCosignature } {
  const parsed = readNote(note);
  const lines = parseCosignatures(answer);
  const r = verifyCosignatures({ text: parsed.text, signatures: lines }, [witness]);
  if (!r.ok || r.cosignatures.length === 0) {
    throw new MedanchorError(
      'COSIGNATURE_INVALID',
      r.ok ? `the answer of witness ${witness.name} holds no cosignature by its key` : r.message,
      { details: { witness: witness.name } },
    );
  }
  const added = r.cosignatures[0]!;
  return { note: addNoteSignatures(parsed, [added.signature]), added };
}

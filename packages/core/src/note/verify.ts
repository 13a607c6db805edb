import { utf8 } from '../bytes.js';
import { isMedanchorError } from '../errors.js';
import { ed25519Verify } from './ed25519.js';
import { type Note, type NoteSignature, parseNote } from './format.js';
import { NOTE_TYPE_COSIGNATURE_V1, NOTE_TYPE_ED25519, type NoteVerifierKey } from './keys.js';
import { cosignatureMessage } from './sign.js';

/** A signature that verified, with the key that made it. */
export interface VerifiedNoteSignature {
  /** The verifier key the signature matched. */
  readonly key: NoteVerifierKey;
  /** The signature line. */
  readonly signature: NoteSignature;
  /** For a cosignature/v1: its timestamp (POSIX seconds). */
  readonly timestamp?: bigint;
}

/** Result of {@link verifyNote}: never thrown, always returned. */
export type NoteVerification =
  | {
      readonly ok: true;
      /** The note text (signed content). */
      readonly text: string;
      /** Signatures by known keys, all valid, in note order. */
      readonly verified: readonly VerifiedNoteSignature[];
      /** Signatures by keys not in the verifier list (ignored, as C2SP requires). */
      readonly unknown: readonly NoteSignature[];
    }
  | {
      readonly ok: false;
      /** `format`: the note does not parse; `signature`: no known key, or a known key's signature is bad. */
      readonly step: 'format' | 'signature';
      /** Stable code: `NOTE_MALFORMED`, `NOTE_TOO_LONG`, `NOTE_UNKNOWN_KEY` or `NOTE_SIGNATURE_INVALID`. */
      readonly code: string;
      /** What went wrong, naming the key if one is at fault. */
      readonly message: string;
    };

/**
 * Checks one signature against one key (type 0x01: Ed25519 over the text; type 0x04:
 * timestamped cosignature). Returns the timestamp for a cosignature, `undefined` for a
 * plain signature, or `false` when the signature is wrong.
 */
export function checkNoteSignature(
  text: string,
  sig: NoteSignature,
  key: NoteVerifierKey,
): { timestamp?: bigint } | false {
  try {
    if (key.type === NOTE_TYPE_ED25519) {
      if (sig.signature.length !== 64) return false;
      return ed25519Verify(sig.signature, utf8(text), key.publicKey) ? {} : false;
    }
    if (key.type === NOTE_TYPE_COSIGNATURE_V1) {
      if (sig.signature.length !== 72) return false;
      const timestamp = new DataView(
        sig.signature.buffer,
        sig.signature.byteOffset,
        8,
      ).getBigUint64(0);
      if (timestamp >= 1n << 63n) return false;
      const ok = ed25519Verify(
        sig.signature.subarray(8),
        cosignatureMessage(text, timestamp),
        key.publicKey,
      );
      return ok ? { timestamp } : false;
    }
  } catch {
    // A malformed point or signature is a bad signature, not a crash.
  }
  return false;
}

/**
 * Verifies a signed note against a list of known keys (C2SP signed-note rules):
 * signatures by unknown keys (name and key ID not both matching) are ignored; every
 * signature by a known key must verify; at least one must. Never throws.
 *
 * @example
 * ```ts
 * const r = verifyNote(noteBytes, [parseVerifierKey(vkey)]);
 * if (!r.ok) console.log(r.step, r.code, r.message);
 * ```
 */
export function verifyNote(
  note: Uint8Array | string | Note,
  keys: readonly NoteVerifierKey[],
): NoteVerification {
  let parsed: Note;
  try {
    parsed = typeof note === 'string' || note instanceof Uint8Array ? parseNote(note) : note;
  } catch (e) {
    return {
      ok: false,
      step: 'format',
      code: isMedanchorError(e) ? e.code : 'NOTE_MALFORMED',
      message: isMedanchorError(e) ? e.message : 'the note could not be parsed',
    };
  }
  const verified: VerifiedNoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of parsed.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (key === undefined) {
      unknown.push(sig);
      continue;
    }
    const id = `${sig.name}\n${sig.keyId}`;
    if (seen.has(id)) {
      return {
        ok: false,
        step: 'format',
        code: 'NOTE_MALFORMED',
        message: `key ${sig.name} signed the note twice`,
      };
    }
    seen.add(id);
    const r = checkNoteSignature(parsed.text, sig, key);
    if (r === false) {
      return {
        ok: false,
        step: 'signature',
        code: 'NOTE_SIGNATURE_INVALID',
        message: `the signature by ${sig.name} does not verify: the note was altered or signed by another key`,
      };
    }
    verified.push({ key, signature: sig, ...r });
  }
  if (verified.length === 0) {
    return {
      ok: false,
      step: 'signature',
      code: 'NOTE_UNKNOWN_KEY',
      message:
        "no signature on the note is by a known key: add the signer's vkey to the trusted keys",
    };
  }
  return { ok: true, text: parsed.text, verified, unknown };
}

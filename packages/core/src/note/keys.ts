import { base64 } from '@scure/base';
import { concatBytes, utf8 } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { sha256 } from '../sha256.js';
import { ed25519PublicKey, ed25519RandomSeed } from './ed25519.js';
import { assertKeyName, isValidKeyName } from './format.js';

/** Signature type byte of Ed25519 note signatures (C2SP signed-note). */
export const NOTE_TYPE_ED25519 = 0x01;
/** Signature type byte of timestamped Ed25519 cosignatures (C2SP tlog-cosignature v1). */
export const NOTE_TYPE_COSIGNATURE_V1 = 0x04;

/** The key types medanchor signs and verifies with. */
export type NoteKeyType = typeof NOTE_TYPE_ED25519 | typeof NOTE_TYPE_COSIGNATURE_V1;

/** A public note key: what a verifier is configured with (a vkey). */
export interface NoteVerifierKey {
  /** Key name (for a log key, by convention the log origin). */
  readonly name: string;
  /** Key ID: first four bytes of SHA-256(name || "\n" || type || public key), big-endian. */
  readonly keyId: number;
  /** {@link NOTE_TYPE_ED25519} for a log key, {@link NOTE_TYPE_COSIGNATURE_V1} for a witness. */
  readonly type: NoteKeyType;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

/** A private note key. Keep it secret: never log it or put it in an error. */
export interface NoteSignerKey extends NoteVerifierKey {
  /** The 32-byte Ed25519 seed (RFC 8032 private key). */
  readonly seed: Uint8Array;
}

const PRIVATE_PREFIX = 'PRIVATE+KEY+';

function keyError(message: string): MedanchorError {
  return new MedanchorError('NOTE_KEY_INVALID', message);
}

function assertType(type: unknown): asserts type is NoteKeyType {
  if (type !== NOTE_TYPE_ED25519 && type !== NOTE_TYPE_COSIGNATURE_V1) {
    throw keyError('only Ed25519 (0x01) and cosignature/v1 (0x04) note keys are supported');
  }
}

/**
 * The C2SP key ID of a key: `SHA-256(name || 0x0A || type || publicKey)[:4]` as a uint32.
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID` on a bad name.
 */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  assertKeyName(name);
  const h = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey));
  return new DataView(h.buffer, h.byteOffset, 4).getUint32(0);
}

/** The key ID as the 8 lowercase hex digits used in vkeys. */
export function keyIdHex(keyId: number): string {
  return (keyId >>> 0).toString(16).padStart(8, '0');
}

/**
 * Builds a verifier key from a name, a type and a 32-byte Ed25519 public key.
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID`.
 */
export function noteVerifierKey(
  name: string,
  publicKey: Uint8Array,
  type: NoteKeyType = NOTE_TYPE_ED25519,
): NoteVerifierKey {
  assertType(type);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw keyError('an Ed25519 public key is 32 bytes');
  }
  return { name, keyId: noteKeyId(name, type, publicKey), type, publicKey: publicKey.slice() };
}

/**
 * Builds a signer key from a name and a 32-byte Ed25519 seed.
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID`.
 */
export function noteSignerKey(
  name: string,
  seed: Uint8Array,
  type: NoteKeyType = NOTE_TYPE_ED25519,
): NoteSignerKey {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw keyError('an Ed25519 private key (seed) is 32 bytes');
  }
  const pub = ed25519PublicKey(seed);
  return { ...noteVerifierKey(name, pub, type), seed: seed.slice() };
}

/**
 * A fresh random signer key (from the platform's secure random source).
 *
 * @example
 * ```ts
 * const key = generateNoteKey('clinic.example/ledger');
 * console.log(encodeVerifierKey(key)); // clinic.example/ledger+1a2b3c4d+AQ...
 * ```
 */
export function generateNoteKey(
  name: string,
  type: NoteKeyType = NOTE_TYPE_ED25519,
): NoteSignerKey {
  return noteSignerKey(name, ed25519RandomSeed(), type);
}

/** The public half of a signer key. */
export function toVerifierKey(key: NoteVerifierKey): NoteVerifierKey {
  return { name: key.name, keyId: key.keyId, type: key.type, publicKey: key.publicKey.slice() };
}

/**
 * A verifier key in the C2SP vkey text form: `<name>+<key ID hex>+<base64(type || public key)>`.
 */
export function encodeVerifierKey(key: NoteVerifierKey): string {
  return `${key.name}+${keyIdHex(key.keyId)}+${base64.encode(concatBytes(Uint8Array.of(key.type), key.publicKey))}`;
}

/**
 * A signer key in the text form of Go's `sumdb/note`:
 * `PRIVATE+KEY+<name>+<key ID hex>+<base64(type || seed)>`. Secret.
 */
export function encodeSignerKey(key: NoteSignerKey): string {
  return `${PRIVATE_PREFIX}${key.name}+${keyIdHex(key.keyId)}+${base64.encode(concatBytes(Uint8Array.of(key.type), key.seed))}`;
}

// Splits "<name>+<hex8>+<base64>"; the base64 may itself contain '+'.
function splitKey(text: string): { name: string; idHex: string; material: Uint8Array } {
  const a = text.indexOf('+');
  const b = a < 0 ? -1 : text.indexOf('+', a + 1);
  if (a <= 0 || b < 0) throw keyError('a note key must be "<name>+<key ID>+<base64 key>"');
  const name = text.slice(0, a);
  const idHex = text.slice(a + 1, b);
  if (!isValidKeyName(name)) throw keyError('a note key has an invalid name');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw keyError('a note key ID must be 8 lowercase hex digits');
  let material: Uint8Array;
  try {
    material = base64.decode(text.slice(b + 1));
  } catch {
    throw keyError('a note key has invalid base64');
  }
  return { name, idHex, material };
}

/**
 * Parses a C2SP vkey (`<name>+<key ID hex>+<base64(type || public key)>`) of type
 * 0x01 (Ed25519) or 0x04 (cosignature/v1), checking that the key ID matches.
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID`.
 */
export function parseVerifierKey(vkey: string): NoteVerifierKey {
  if (typeof vkey !== 'string' || vkey.length > 2048)
    throw keyError('a vkey must be a short string');
  const { name, idHex, material } = splitKey(vkey);
  if (material.length !== 33) throw keyError('an Ed25519 vkey holds a type byte and 32 key bytes');
  const type = material[0];
  assertType(type);
  const key = noteVerifierKey(name, material.slice(1), type);
  if (keyIdHex(key.keyId) !== idHex) throw keyError('the vkey key ID does not match its key');
  return key;
}

/**
 * Parses a signer key written by {@link encodeSignerKey} (or by Go's `note.GenerateKey`).
 * Error messages never contain the key.
 * @throws {@link MedanchorError} `NOTE_KEY_INVALID`.
 */
export function parseSignerKey(skey: string): NoteSignerKey {
  if (typeof skey !== 'string' || !skey.startsWith(PRIVATE_PREFIX) || skey.length > 2048) {
    throw keyError('a note signer key must start with "PRIVATE+KEY+"');
  }
  const { name, idHex, material } = splitKey(skey.slice(PRIVATE_PREFIX.length));
  if (material.length !== 33)
    throw keyError('an Ed25519 signer key holds a type byte and a 32-byte seed');
  const type = material[0];
  assertType(type);
  const key = noteSignerKey(name, material.slice(1), type);
  if (keyIdHex(key.keyId) !== idHex) throw keyError('the signer key ID does not match its key');
  return key;
}

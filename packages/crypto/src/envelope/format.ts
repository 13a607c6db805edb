import { MedanchorError, utf8 } from '@medanchor/core';
import { HpkeAead } from '../hpke/suite.js';

/** First four bytes of every envelope: ASCII "menv". */
export const ENVELOPE_MAGIC = utf8('menv');
/** The format version this module writes and reads. */
export const ENVELOPE_VERSION = 1;
/** Default payload chunk size: 64 KiB of plaintext per chunk. */
export const DEFAULT_CHUNK_SIZE_LOG2 = 16;
/** Bounds of the chunk size exponent readers accept (4 KiB to 16 MiB). */
export const MIN_CHUNK_SIZE_LOG2 = 12;
/** Upper bound of the chunk size exponent. */
export const MAX_CHUNK_SIZE_LOG2 = 24;
/** Largest header a reader buffers before giving up. */
export const MAX_HEADER_LENGTH = 1 << 24;

/**
 * What an envelope is about, bound into its authenticated header: a decrypted
 * payload always comes with the context it was sealed under.
 */
export interface EnvelopeContext {
  /** The record's identifier (UTF-8, at most 65535 bytes). */
  recordId: string;
  /** The record's version, e.g. a FHIR `meta.versionId` (UTF-8, at most 65535 bytes). */
  version: string;
  /** The payload's media type, e.g. `application/fhir+json`. */
  contentType: string;
}

/** Payload AEADs an envelope can use. */
export type EnvelopeAead = 'AES-256-GCM' | 'ChaCha20-Poly1305';

/** HPKE registry id of an {@link EnvelopeAead}. */
export function envelopeAeadId(aead: EnvelopeAead): number {
  if (aead === 'AES-256-GCM') return HpkeAead.AES_256_GCM;
  if (aead === 'ChaCha20-Poly1305') return HpkeAead.CHACHA20_POLY1305;
  throw new MedanchorError(
    'ENVELOPE_UNSUPPORTED_AEAD',
    `AEAD "${String(aead)}" is not supported; use AES-256-GCM or ChaCha20-Poly1305`,
  );
}

/** One recipient's wrap of the data key (an HPKE base-mode single-shot ciphertext). */
export interface RecipientStanza {
  kem: number;
  kdf: number;
  aead: number;
  /** Fingerprint of the recipient's public key (32 bytes). */
  keyId: Uint8Array;
  /** HPKE `enc`: the ephemeral public key. */
  enc: Uint8Array;
  /** HPKE ciphertext of the 32-byte data key. */
  wrappedKey: Uint8Array;
}

/** A parsed envelope header. */
export interface EnvelopeHeader {
  /** Payload AEAD id (0x0002 or 0x0003). */
  aead: number;
  /** log2 of the plaintext chunk size. */
  chunkSizeLog2: number;
  /** 32 random bytes, unique per envelope. */
  salt: Uint8Array;
  context: EnvelopeContext;
  /** Key commitment and preamble authenticator (32 bytes). */
  commitment: Uint8Array;
  /** The bytes from the magic through the commitment. */
  preamble: Uint8Array;
  recipients: RecipientStanza[];
  /** MAC over every header byte before it; all zero once shredded. */
  headerMac: Uint8Array;
  /** Total header length in bytes; the payload chunks start here. */
  length: number;
  /** The header's bytes, `length` of them. */
  raw: Uint8Array;
}

const encoder = new TextEncoder();

function checkFieldLength(b: Uint8Array, what: string): Uint8Array {
  if (b.length > 0xffff) {
    throw new MedanchorError('ENVELOPE_FIELD_TOO_LONG', `${what} must be at most 65535 bytes`, {
      details: { field: what, length: b.length },
    });
  }
  return b;
}

/** Writes `b` with its u16 length in front at `at`; returns the offset after it. */
function putPrefixed(out: Uint8Array, at: number, b: Uint8Array): number {
  out[at] = b.length >>> 8;
  out[at + 1] = b.length & 0xff;
  out.set(b, at + 2);
  return at + 2 + b.length;
}

/** The preamble without its commitment: what the commitment authenticates. */
export function encodePreambleBody(
  aead: number,
  chunkSizeLog2: number,
  salt: Uint8Array,
  context: EnvelopeContext,
): Uint8Array {
  const recordId = checkFieldLength(encoder.encode(context.recordId), 'recordId');
  const version = checkFieldLength(encoder.encode(context.version), 'version');
  const contentType = checkFieldLength(encoder.encode(context.contentType), 'contentType');
  // Written into one array: this runs on every seal, and each piece as its own array
  // (then joined) was a good part of a small seal's garbage.
  const out = new Uint8Array(
    4 + 1 + 2 + 1 + salt.length + 6 + recordId.length + version.length + contentType.length,
  );
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = ENVELOPE_VERSION;
  out[5] = (aead >>> 8) & 0xff;
  out[6] = aead & 0xff;
  out[7] = chunkSizeLog2;
  out.set(salt, 8);
  let at = 8 + salt.length;
  at = putPrefixed(out, at, recordId);
  at = putPrefixed(out, at, version);
  putPrefixed(out, at, contentType);
  return out;
}

/**
 * Bytes of one stanza as sealed here: ids, key id, `bytes16` of a 32-byte X25519
 * `enc`, `bytes16` of a 48-byte wrap (32-byte data key and 16-byte tag).
 */
const SEALED_STANZA_LENGTH = 2 + 2 + 2 + 32 + (2 + 32) + (2 + 48);

/**
 * Default cap on the recipient stanzas `open`, `listRecipients`, `addRecipient` and
 * `removeRecipient` accept. An envelope from an untrusted source could otherwise make a
 * reader run one HPKE open (or one KMS call) per stanza, up to 65535 of them.
 */
export const DEFAULT_MAX_RECIPIENTS = 64;

/**
 * The cap to apply: `max` when given (an integer from 1 to 65535), else the default.
 * @throws `MedanchorError` `INVALID_OPTION` for any other value.
 */
export function recipientCap(max: number | undefined): number {
  if (max === undefined) return DEFAULT_MAX_RECIPIENTS;
  if (!Number.isInteger(max) || max < 1 || max > 0xffff) {
    throw new MedanchorError('INVALID_OPTION', 'maxRecipients must be an integer from 1 to 65535', {
      details: { option: 'maxRecipients' },
    });
  }
  return max;
}

/**
 * Refuses a header with more stanzas than `max`, before any key is used on it.
 * @throws `MedanchorError` `ENVELOPE_TOO_MANY_RECIPIENTS`.
 */
export function checkRecipientCount(count: number, max: number): void {
  if (count > max) {
    throw new MedanchorError(
      'ENVELOPE_TOO_MANY_RECIPIENTS',
      `the envelope lists ${count} recipient stanzas, more than the cap of ${max}; raise maxRecipients only for envelopes from a trusted source`,
      { details: { recipients: count, max } },
    );
  }
}

/** Length of the recipients section that {@link encodeRecipients} writes for `n` sealed stanzas. */
export function recipientsLength(n: number): number {
  return 2 + n * SEALED_STANZA_LENGTH;
}

/** Length of the recipients section {@link encodeRecipients} writes for `stanzas`. */
function stanzasLength(stanzas: readonly RecipientStanza[]): number {
  let n = 2;
  for (const s of stanzas) n += 6 + s.keyId.length + 4 + s.enc.length + s.wrappedKey.length;
  return n;
}

/** The recipients section: a u16 count and one stanza per recipient. */
export function encodeRecipients(stanzas: readonly RecipientStanza[]): Uint8Array {
  const out = new Uint8Array(stanzasLength(stanzas));
  writeRecipients(stanzas, out, 0);
  return out;
}

/**
 * Writes the recipients section of {@link encodeRecipients} into `out` at `at`, with no
 * array of its own; returns the offset after it.
 */
export function writeRecipients(
  stanzas: readonly RecipientStanza[],
  out: Uint8Array,
  at: number,
): number {
  if (stanzas.length > 0xffff) {
    throw new MedanchorError(
      'ENVELOPE_TOO_MANY_RECIPIENTS',
      'an envelope holds at most 65535 recipients',
    );
  }
  const put16 = (n: number) => {
    out[at] = (n >>> 8) & 0xff;
    out[at + 1] = n & 0xff;
    at += 2;
  };
  put16(stanzas.length);
  for (const s of stanzas) {
    put16(s.kem);
    put16(s.kdf);
    put16(s.aead);
    out.set(s.keyId, at);
    at += s.keyId.length;
    at = putPrefixed(out, at, checkFieldLength(s.enc, 'enc'));
    at = putPrefixed(out, at, checkFieldLength(s.wrappedKey, 'wrappedKey'));
  }
  return at;
}

/** Outcome of {@link parseHeader}: a header, a need for more bytes, or a reason it is malformed. */
export type HeaderParse =
  | { ok: true; header: EnvelopeHeader }
  | { ok: false; needMore: true }
  | { ok: false; needMore: false; reason: string };

class Short extends Error {}

/**
 * Parses an envelope header from the start of `bytes`. Returns `needMore` when
 * `bytes` ends inside the header (streams read on), and a reason when the bytes
 * cannot be a version-1 header.
 */
export function parseHeader(bytes: Uint8Array): HeaderParse {
  let off = 0;
  const take = (n: number): Uint8Array => {
    if (off + n > bytes.length) throw new Short();
    const out = bytes.subarray(off, off + n);
    off += n;
    return out;
  };
  const num16 = () => {
    const b = take(2);
    return (b[0]! << 8) | b[1]!;
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    const magic = take(4);
    if (!magic.every((b, i) => b === ENVELOPE_MAGIC[i])) return bad('not a medanchor envelope');
    if (take(1)[0] !== ENVELOPE_VERSION) return bad('unsupported envelope version');
    const aead = num16();
    if (aead !== HpkeAead.AES_256_GCM && aead !== HpkeAead.CHACHA20_POLY1305) {
      return bad('unsupported payload AEAD');
    }
    const chunkSizeLog2 = take(1)[0]!;
    if (chunkSizeLog2 < MIN_CHUNK_SIZE_LOG2 || chunkSizeLog2 > MAX_CHUNK_SIZE_LOG2) {
      return bad('chunk size out of range');
    }
    const salt = take(32);
    const text = () => {
      try {
        return decoder.decode(take(num16()));
      } catch (e) {
        if (e instanceof Short) throw e;
        throw new Malformed('context field is not UTF-8');
      }
    };
    const context = { recordId: text(), version: text(), contentType: text() };
    const commitment = take(32);
    const preamble = bytes.subarray(0, off);
    const count = num16();
    const recipients: RecipientStanza[] = [];
    for (let i = 0; i < count; i++) {
      recipients.push({
        kem: num16(),
        kdf: num16(),
        aead: num16(),
        keyId: take(32),
        enc: take(num16()),
        wrappedKey: take(num16()),
      });
    }
    const headerMac = take(32);
    return {
      ok: true,
      header: {
        aead,
        chunkSizeLog2,
        salt,
        context,
        commitment,
        preamble,
        recipients,
        headerMac,
        length: off,
        raw: bytes.subarray(0, off),
      },
    };
  } catch (e) {
    if (e instanceof Short) {
      return bytes.length >= MAX_HEADER_LENGTH
        ? bad('header too long')
        : { ok: false, needMore: true };
    }
    if (e instanceof Malformed) return bad(e.message);
    throw e;
  }
}

class Malformed extends Error {}

function bad(reason: string): HeaderParse {
  return { ok: false, needMore: false, reason };
}

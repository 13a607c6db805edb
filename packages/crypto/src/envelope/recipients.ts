import { concatBytes, equalBytes, fromHex, MedanchorError, toHex } from '@medanchor/core';
import { asKeyProvider, type KeyProvider, keyIdBytes } from '../keys/provider.js';
import {
  checkRecipientCount,
  type EnvelopeAead,
  type EnvelopeHeader,
  encodeRecipients,
  envelopeAeadId,
  type RecipientStanza,
  recipientCap,
} from './format.js';
import { rewriteHeader } from './rewrite.js';
import { hmacSha256 } from './schedule.js';
import { headerOf } from './split.js';
import { unlockHeader, wrapDataKey } from './wrap.js';

/** One recipient as listed by {@link listRecipients}. */
export interface RecipientInfo {
  /** Fingerprint of the recipient's public key (see `recipientKeyId`), lowercase hex. */
  keyId: string;
  /** HPKE KEM id of the wrap. */
  kem: number;
  /** HPKE KDF id of the wrap. */
  kdf: number;
  /** HPKE AEAD id of the wrap. */
  aead: number;
}

/** Options of {@link listRecipients} and {@link removeRecipient}. */
export interface RecipientCapOptions {
  /**
   * Most recipient stanzas accepted (1 to 65535, default 64, as for `open`); a header
   * listing more is refused with `ENVELOPE_TOO_MANY_RECIPIENTS`.
   */
  maxRecipients?: number;
}

/**
 * The recipients of an envelope (or of a header from `splitEnvelope`), by key id.
 * Reads the header only; needs no key. The list is authenticated only once the
 * envelope is opened (the header MAC covers it).
 *
 * @throws `MedanchorError` `ENVELOPE_TOO_MANY_RECIPIENTS` past the cap, `INVALID_TYPE`,
 *   `DECRYPT_FAILED` (header) for bytes that are not an envelope header.
 * @example
 * ```ts
 * listRecipients(envelope).map((r) => r.keyId); // ['3f9c…', 'a07e…']
 * ```
 */
export function listRecipients(
  envelope: Uint8Array | EnvelopeHeader,
  opts: RecipientCapOptions = {},
): RecipientInfo[] {
  const max = recipientCap(opts.maxRecipients);
  if (
    !(envelope instanceof Uint8Array) &&
    !(typeof envelope === 'object' && envelope !== null && Array.isArray(envelope.recipients))
  ) {
    throw new MedanchorError('INVALID_TYPE', 'pass the envelope bytes or a parsed header');
  }
  const header = envelope instanceof Uint8Array ? headerOf(envelope) : envelope;
  checkRecipientCount(header.recipients.length, max);
  return header.recipients.map((s) => ({
    keyId: toHex(s.keyId),
    kem: s.kem,
    kdf: s.kdf,
    aead: s.aead,
  }));
}

async function rebuild(
  header: EnvelopeHeader,
  macKey: Uint8Array,
  stanzas: RecipientStanza[],
): Promise<Uint8Array> {
  const unmacked = concatBytes(header.preamble, encodeRecipients(stanzas));
  return concatBytes(unmacked, hmacSha256(macKey, unmacked));
}

/** Options of {@link addRecipient}. */
export interface AddRecipientOptions extends RecipientCapOptions {
  /** AEAD of the new HPKE key wrap; default `'AES-256-GCM'`. */
  wrapAead?: EnvelopeAead;
}

/**
 * Grants a new recipient access: opens the data key with `key` (which must be a
 * current recipient), wraps it to `publicKey` and rewrites the header. The
 * encrypted payload is passed through untouched. Throws `RECIPIENT_EXISTS` when
 * the key is already a recipient, `ENVELOPE_TOO_MANY_RECIPIENTS` when the envelope
 * already lists more stanzas than `opts.maxRecipients` (checked before `key` is used)
 * or the new one would exceed it, and whatever {@link open} throws for `key`.
 *
 * @example
 * ```ts
 * const shared = await addRecipient(envelope, specialist.publicKey, patientKey);
 * ```
 */
export function addRecipient<E extends Uint8Array | ReadableStream<Uint8Array>>(
  envelope: E,
  publicKey: Uint8Array,
  key: KeyProvider | Uint8Array,
  opts: AddRecipientOptions = {},
): Promise<E> {
  const id = keyIdBytes(publicKey);
  const aead = envelopeAeadId(opts.wrapAead ?? 'AES-256-GCM');
  const max = recipientCap(opts.maxRecipients);
  return rewriteHeader(envelope, async (header) => {
    checkRecipientCount(header.recipients.length, max);
    const { dataKey, keys } = await unlockHeader(header, await asKeyProvider(key));
    if (header.recipients.some((s) => equalBytes(s.keyId, id))) {
      throw new MedanchorError('RECIPIENT_EXISTS', 'this public key is already a recipient');
    }
    checkRecipientCount(header.recipients.length + 1, max);
    const stanza = await wrapDataKey(publicKey, dataKey, aead);
    return rebuild(header, keys.macKey, [...header.recipients, stanza]);
  });
}

/**
 * Revokes a recipient's wrap: removes the stanza of `recipient` (a key id in hex,
 * or the recipient's public key) and re-MACs the header with the data key opened
 * by `key`. The payload is untouched. Copies made before the removal still open
 * for the removed key: removal is forward-looking. Throws `RECIPIENT_NOT_FOUND`,
 * `LAST_RECIPIENT` when it would leave nobody (use `shredEnvelope` for that), and
 * `ENVELOPE_TOO_MANY_RECIPIENTS` past `opts.maxRecipients` (before `key` is used).
 *
 * @example
 * ```ts
 * const narrowed = await removeRecipient(envelope, recipientKeyId(formerDoctor), patientKey);
 * ```
 */
export function removeRecipient<E extends Uint8Array | ReadableStream<Uint8Array>>(
  envelope: E,
  recipient: string | Uint8Array,
  key: KeyProvider | Uint8Array,
  opts: RecipientCapOptions = {},
): Promise<E> {
  const id =
    typeof recipient === 'string' ? fromHex(recipient, 'recipient key id') : keyIdBytes(recipient);
  const max = recipientCap(opts.maxRecipients);
  return rewriteHeader(envelope, async (header) => {
    checkRecipientCount(header.recipients.length, max);
    const { keys } = await unlockHeader(header, await asKeyProvider(key));
    const kept = header.recipients.filter((s) => !equalBytes(s.keyId, id));
    if (kept.length === header.recipients.length) {
      throw new MedanchorError(
        'RECIPIENT_NOT_FOUND',
        'no recipient of this envelope has that key id',
      );
    }
    if (kept.length === 0) {
      throw new MedanchorError(
        'LAST_RECIPIENT',
        'removing the last recipient would make the envelope unopenable; use shredEnvelope if that is the intent',
      );
    }
    return rebuild(header, keys.macKey, kept);
  });
}

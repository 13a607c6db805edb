import { assertBytes, equalBytes, MedanchorError, toHex } from '@medanchor/core';
import { sealBaseNow, setupSenderWithIkm } from '../hpke/context.js';
import { HpkeKdf, HpkeKem } from '../hpke/suite.js';
import { type KeyProvider, keyIdBytes } from '../keys/provider.js';
import { decryptFailed } from './errors.js';
import type { EnvelopeHeader, RecipientStanza } from './format.js';
import {
  deriveEnvelopeKeys,
  type EnvelopeKeys,
  hmacSha256,
  tagsEqual,
  WRAP_INFO,
} from './schedule.js';

/**
 * Wraps `dataKey` to `publicKey` with HPKE base mode (single shot, empty AAD,
 * constant info). `ikmE` fixes the ephemeral key: vectors only.
 */
export async function wrapDataKey(
  publicKey: Uint8Array,
  dataKey: Uint8Array,
  aead: number,
  ikmE?: Uint8Array,
): Promise<RecipientStanza> {
  const now = wrapDataKeyNow(publicKey, dataKey, aead, ikmE);
  if (now !== undefined) return now;
  const suite = { kem: HpkeKem.X25519_HKDF_SHA256, kdf: HpkeKdf.HKDF_SHA256, aead };
  const keyId = keyIdBytes(publicKey);
  const { enc, context } = await setupSenderWithIkm(
    { suite, recipientPublicKey: publicKey, info: WRAP_INFO },
    ikmE,
  );
  const wrappedKey = await context.seal(new Uint8Array(0), dataKey);
  return { ...suite, keyId, enc, wrappedKey };
}

/**
 * {@link wrapDataKey} with a fresh ephemeral key, without a promise, when HPKE can run
 * synchronously right now (see `sealBaseNow`); `undefined` otherwise.
 */
export function wrapDataKeyNow(
  publicKey: Uint8Array,
  dataKey: Uint8Array,
  aead: number,
  ikmE?: Uint8Array,
): RecipientStanza | undefined {
  const suite = { kem: HpkeKem.X25519_HKDF_SHA256, kdf: HpkeKdf.HKDF_SHA256, aead };
  const keyId = keyIdOf(publicKey);
  const r = sealBaseNow(suite, publicKey, WRAP_INFO, NO_AAD, dataKey, ikmE);
  return r === undefined ? undefined : { ...suite, keyId, enc: r.enc, wrappedKey: r.ciphertext };
}

const NO_AAD = new Uint8Array(0);

// Key ids of recent recipients by hex: a seal to the same recipients again (a patient's
// records, a care team) skips the hash. Bounded; the arrays are only ever copied out.
const keyIds = new Map<string, Uint8Array>();
const MAX_REMEMBERED_KEY_IDS = 256;

function keyIdOf(publicKey: Uint8Array): Uint8Array {
  assertBytes(publicKey, 32, 'recipient public key');
  const hex = toHex(publicKey);
  let id = keyIds.get(hex);
  if (id === undefined) {
    id = keyIdBytes(publicKey);
    if (keyIds.size >= MAX_REMEMBERED_KEY_IDS) keyIds.clear();
    keyIds.set(hex, id);
  }
  return id;
}

/** The data key and the keys derived from it, after every header check passed. */
export interface UnlockedHeader {
  dataKey: Uint8Array;
  keys: EnvelopeKeys;
}

/**
 * Checks a candidate data key against the header: the key commitment over the
 * preamble, then the MAC over the whole header. Throws `DECRYPT_FAILED` (header).
 */
export async function verifyDataKey(
  header: EnvelopeHeader,
  dataKey: Uint8Array,
): Promise<UnlockedHeader> {
  const keys = await deriveEnvelopeKeys(dataKey, header.salt);
  const body = header.preamble.subarray(0, header.preamble.length - 32);
  if (!tagsEqual(hmacSha256(keys.commitKey, body), header.commitment)) {
    throw decryptFailed('header', 'key commitment does not match the data key');
  }
  const macInput = header.raw.subarray(0, header.length - 32);
  if (!tagsEqual(hmacSha256(keys.macKey, macInput), header.headerMac)) {
    throw decryptFailed('header', 'header MAC does not verify');
  }
  return { dataKey, keys };
}

async function tryUnwrap(
  provider: KeyProvider,
  s: RecipientStanza,
): Promise<Uint8Array | undefined> {
  const key = await provider.unwrap({
    suite: { kem: s.kem, kdf: s.kdf, aead: s.aead },
    enc: s.enc,
    ciphertext: s.wrappedKey,
    info: WRAP_INFO,
    aad: new Uint8Array(0),
  });
  return key !== undefined && key.length === 32 ? key : undefined;
}

/**
 * Finds the data key with `provider`: first the stanzas carrying its key id, then
 * (so a damaged key id is reported as tampering, not as "not a recipient") every
 * other stanza by trial. Throws `ENVELOPE_SHREDDED`, `NOT_A_RECIPIENT` or `DECRYPT_FAILED`.
 */
export async function unlockHeader(
  header: EnvelopeHeader,
  provider: KeyProvider,
): Promise<UnlockedHeader> {
  if (header.recipients.length === 0) {
    if (header.headerMac.every((b) => b === 0)) {
      throw new MedanchorError(
        'ENVELOPE_SHREDDED',
        'this envelope was shredded: its key wraps are destroyed and nobody can open it',
      );
    }
    throw decryptFailed('header', 'recipient list altered');
  }
  const myId = keyIdBytes(provider.publicKey);
  const mine = header.recipients.filter((s) => equalBytes(s.keyId, myId));
  for (const s of mine) {
    const key = await tryUnwrap(provider, s);
    if (key !== undefined) return verifyDataKey(header, key);
  }
  if (mine.length > 0) throw decryptFailed('recipient', 'the key wrap for this key does not open');
  for (const s of header.recipients) {
    if (s.kem !== HpkeKem.X25519_HKDF_SHA256 || s.enc.length !== 32) continue;
    const key = await tryUnwrap(provider, s);
    if (key !== undefined) return verifyDataKey(header, key);
  }
  throw new MedanchorError(
    'NOT_A_RECIPIENT',
    'this key is not a recipient of the envelope; ask a recipient to add it (addRecipient)',
    { details: { recipients: header.recipients.length } },
  );
}

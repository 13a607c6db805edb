import { assertBytes, MedanchorError, taggedHash, toHex } from '@medanchor/core';
import { hpkeSetupRecipient } from '../hpke/context.js';
import { type X25519Secret, x25519SecretOf } from '../hpke/kem.js';
import type { HpkeSuite } from '../hpke/suite.js';

/**
 * One HPKE wrap of an envelope's data key, as handed to a {@link KeyProvider}:
 * everything a single-shot HPKE base-mode open needs except the private key.
 */
export interface KeyWrap {
  /** The HPKE suite of the wrap. */
  suite: HpkeSuite;
  /** HPKE `enc` (the sender's ephemeral public key). */
  enc: Uint8Array;
  /** HPKE ciphertext of the data key. */
  ciphertext: Uint8Array;
  /** HPKE `info` the wrap was made with. */
  info: Uint8Array;
  /** HPKE associated data (empty for envelope wraps). */
  aad: Uint8Array;
}

/**
 * Holds a recipient private key and opens data-key wraps with it, so the key
 * itself can stay in a KMS or HSM: implement `unwrap` as a call to the device
 * (which runs HPKE base-mode open, or the X25519 step of it).
 *
 * @example
 * ```ts
 * const kms: KeyProvider = {
 *   publicKey: await myKms.publicKey('patient-42'),
 *   unwrap: (wrap) => myKms.hpkeOpen('patient-42', wrap),
 * };
 * const { payload } = await open(envelope, kms);
 * ```
 */
export interface KeyProvider {
  /** The recipient's 32-byte X25519 public key. */
  readonly publicKey: Uint8Array;
  /** The data key inside `wrap`, or `undefined` when it does not open with this key. */
  unwrap(wrap: KeyWrap): Promise<Uint8Array | undefined>;
}

/**
 * Fingerprint of a recipient public key as it appears in envelopes: the 32-byte
 * tagged SHA-256 `taggedHash("medanchor/x25519-key-id", publicKey)`, in lowercase hex.
 *
 * @example
 * ```ts
 * recipientKeyId(doctor.publicKey); // '3f9c…' (64 hex digits)
 * ```
 */
export function recipientKeyId(publicKey: Uint8Array): string {
  return toHex(keyIdBytes(publicKey));
}

/** The 32 bytes of {@link recipientKeyId}. */
export function keyIdBytes(publicKey: Uint8Array): Uint8Array {
  assertBytes(publicKey, 32, 'recipient public key');
  return taggedHash('medanchor/x25519-key-id', publicKey);
}

/**
 * A {@link KeyProvider} for a private key that stays in an HSM or KMS offering
 * X25519 key agreement: only `secret.dh` touches the key; the rest of HPKE (key
 * schedule, AEAD) runs here on the derived, per-wrap secrets.
 *
 * @example
 * ```ts
 * const provider = dhKeyProvider({
 *   publicKey: hsmPublicKey,
 *   dh: (peer) => hsm.x25519('patient-42', peer),
 * });
 * const { payload } = await open(envelope, provider);
 * ```
 */
export function dhKeyProvider(secret: X25519Secret): KeyProvider {
  assertBytes(secret.publicKey, 32, 'recipient public key');
  return {
    publicKey: secret.publicKey,
    async unwrap(wrap) {
      try {
        const ctx = await hpkeSetupRecipient({
          suite: wrap.suite,
          enc: wrap.enc,
          recipientPrivateKey: secret,
          info: wrap.info,
        });
        return await ctx.open(wrap.aad, wrap.ciphertext);
      } catch (e) {
        // A wrap for someone else or a tampered wrap simply does not open.
        if (e instanceof MedanchorError) return undefined;
        throw e;
      }
    },
  };
}

/**
 * A {@link KeyProvider} over a private key held in memory (tests, servers that
 * keep keys in process). Prefer a KMS-backed provider in production.
 *
 * @example
 * ```ts
 * const keys = await generateX25519KeyPair();
 * const provider = await memoryKeyProvider(keys.privateKey);
 * ```
 */
export async function memoryKeyProvider(privateKey: Uint8Array): Promise<KeyProvider> {
  return dhKeyProvider(await x25519SecretOf(privateKey));
}

/**
 * `key` as a provider: providers pass through, raw 32-byte private keys are wrapped.
 * The wrap of a raw key is remembered for as long as the caller's array lives, so
 * opening many envelopes with one key derives its public key (a fixed-base
 * scalar multiplication) and imports it into Web Crypto once. A remembered wrap is
 * used only while the array still holds the bytes it was made from.
 */
export function asKeyProvider(key: KeyProvider | Uint8Array): Promise<KeyProvider> {
  if (!(key instanceof Uint8Array)) return Promise.resolve(key);
  const known = rememberedProviders.get(key);
  if (known !== undefined && sameSecret(known.privateKey, key)) return known.provider;
  const privateKey = key.slice();
  const provider = memoryKeyProvider(privateKey);
  rememberedProviders.set(key, { privateKey, provider });
  // A key that cannot be wrapped (wrong length) is not remembered.
  provider.catch(() => rememberedProviders.delete(key));
  return provider;
}

const rememberedProviders = new WeakMap<
  Uint8Array,
  { privateKey: Uint8Array; provider: Promise<KeyProvider> }
>();

// Constant-time comparison of two private keys.
function sameSecret(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

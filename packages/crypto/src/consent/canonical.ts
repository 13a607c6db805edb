// Canonical bytes and hashes of consent documents: RFC 8785 JSON under a tagged hash,
// so a grant digest can never be confused with any other medanchor digest.
import { taggedHash, toHex } from '@medanchor/core';
import { canonicalJsonBytes } from '../jcs/jcs.js';
import type { ConsentGrant } from './grant.js';
import type { ConsentRevocation } from './revocation.js';

/** Tagged-hash tag of grants (BIP-340 style tagged SHA-256). */
export const CONSENT_GRANT_TAG = 'medanchor/consent-grant/v1';
/** Tagged-hash tag of revocations. */
export const CONSENT_REVOCATION_TAG = 'medanchor/consent-revocation/v1';

/** The RFC 8785 canonical JSON bytes of a grant: the bytes that are hashed and signed. */
export function consentGrantBytes(grant: ConsentGrant): Uint8Array {
  return canonicalJsonBytes(grant);
}

/**
 * The grant's 32-byte digest, `taggedHash('medanchor/consent-grant/v1', JCS(grant))`:
 * the BIP-340 message, and the id revocations and ledgers refer to.
 * @example
 * ```ts
 * const id = toHex(consentGrantDigest(grant));
 * ```
 */
export function consentGrantDigest(grant: ConsentGrant): Uint8Array {
  return taggedHash(CONSENT_GRANT_TAG, consentGrantBytes(grant));
}

/** Lowercase hex of {@link consentGrantDigest}. */
export function consentGrantHash(grant: ConsentGrant): string {
  return toHex(consentGrantDigest(grant));
}

/** `taggedHash('medanchor/consent-revocation/v1', JCS(revocation))`. */
export function consentRevocationDigest(revocation: ConsentRevocation): Uint8Array {
  return taggedHash(CONSENT_REVOCATION_TAG, canonicalJsonBytes(revocation));
}

/**
 * The text a BIP-322 signer signs for a digest: wallets show it to the patient, and
 * the words keep a consent signature from being reused as any other message.
 */
export function consentBip322Message(kind: 'grant' | 'revocation', digest: Uint8Array): string {
  return `medanchor consent ${kind} v1 ${toHex(digest)}`;
}

import type { ErrorCatalogue, ErrorCodesOf } from '@medanchor/core';

/**
 * Error codes of `@medanchor/crypto` (envelopes, HPKE, consent, BIP-322): what each
 * means and what to do. The general codes (`INVALID_LENGTH`, `INVALID_KEY`, ...) are in
 * core's catalogue.
 */
export const CRYPTO_ERROR_CODES = {
  // Envelopes.
  DECRYPT_FAILED: {
    meaning:
      'An envelope header, key wrap or payload chunk failed authentication: it was altered, truncated or reordered.',
    action: 'Use an intact copy of the envelope.',
  },
  CONTEXT_MISMATCH: {
    meaning:
      "The envelope's bound context (record id, version or content type) differs from the expected one.",
    action: 'Open the envelope of the record and version you meant; this one belongs to another.',
  },
  NOT_A_RECIPIENT: {
    meaning: 'The key is not a recipient of the envelope.',
    action: 'Ask a recipient to add this key (addRecipient).',
  },
  ENVELOPE_SHREDDED: {
    meaning: 'The envelope was shredded: its key wraps are destroyed and nobody can open it.',
    action: 'None: shredding is final, by design.',
  },
  ENVELOPE_NO_RECIPIENTS: {
    meaning: 'An envelope was to be sealed to no recipient.',
    action: 'Pass at least one recipient public key.',
  },
  ENVELOPE_TOO_MANY_RECIPIENTS: {
    meaning: 'The envelope lists more recipient stanzas than the cap.',
    action: 'Raise maxRecipients only for envelopes from a trusted source.',
  },
  ENVELOPE_FIELD_TOO_LONG: {
    meaning: 'A header field (record id, content type, ...) is over 65,535 bytes.',
    action: 'Shorten the field.',
  },
  ENVELOPE_INVALID_CHUNK_SIZE: {
    meaning: 'The chunk size is not a power of two from 4 KiB to 16 MiB.',
    action: 'Pick a power of two in that range, or leave the default.',
  },
  ENVELOPE_TOO_LARGE: {
    meaning: 'The payload needs more chunks than the format can count.',
    action: 'Use a larger chunk size.',
  },
  ENVELOPE_UNSUPPORTED_AEAD: {
    meaning: 'The envelope names an AEAD this library does not implement.',
    action: 'Use AES-256-GCM or ChaCha20-Poly1305.',
  },
  ENVELOPE_INTERNAL: {
    meaning: 'An internal consistency check of envelope sealing failed.',
    action: 'Report this bug with the library version; nothing was written.',
  },
  INVALID_OPTION: {
    meaning: 'An envelope or consent option is out of its range.',
    action: 'Fix the option the message names.',
  },
  RECIPIENT_DUPLICATE: {
    meaning: 'The same recipient public key was given twice.',
    action: 'Give each recipient once.',
  },
  RECIPIENT_EXISTS: {
    meaning: 'The key is already a recipient of the envelope.',
    action: 'Nothing to do.',
  },
  RECIPIENT_NOT_FOUND: {
    meaning: 'No recipient of the envelope has that key id.',
    action: 'List the recipients and pass one of their key ids.',
  },
  LAST_RECIPIENT: {
    meaning: 'Removing this recipient would leave the envelope with none, so nobody could open it.',
    action: 'Use shredEnvelope if that is the intent.',
  },
  // HPKE (RFC 9180).
  HPKE_DH_FAILED: {
    meaning: 'X25519 gave no shared secret: the public key is invalid or of low order.',
    action: 'Ask for a valid public key.',
  },
  HPKE_OPEN_FAILED: {
    meaning: 'An HPKE ciphertext did not verify: wrong key, wrong info or aad, or altered bytes.',
    action: 'Check the key and context; use an intact ciphertext.',
  },
  HPKE_EXPORT_ONLY: {
    meaning: 'An export-only HPKE context was asked to seal or open.',
    action: 'Set up the context with an AEAD to seal or open.',
  },
  HPKE_INVALID_LENGTH: {
    meaning: 'An HPKE export length is out of range.',
    action: 'Ask for at most 255 times the hash length.',
  },
  HPKE_INVALID_PSK: {
    meaning: 'A pre-shared key was given without its id, or the id without the key.',
    action: 'Give both a PSK and a PSK id, or neither.',
  },
  HPKE_UNSUPPORTED_SUITE: {
    meaning: 'The KEM, KDF or AEAD id is not implemented.',
    action: 'Use DHKEM(X25519, HKDF-SHA256) with AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305.',
  },
  HPKE_WRONG_ROLE: {
    meaning: 'A receiver context was asked to seal, or a sender context to open.',
    action: 'Seal with the sender context and open with the receiver context.',
  },
  // Consent, canonical JSON and signatures.
  INVALID_GRANT: {
    meaning: 'A consent grant is not well formed.',
    action: 'Fix the field the message names; see docs/spec/consent.md.',
  },
  INVALID_REVOCATION: {
    meaning: 'A consent revocation is not well formed.',
    action: 'Fix the field the message names; see docs/spec/consent.md.',
  },
  INVALID_FHIR_CONSENT: {
    meaning: 'A FHIR Consent resource cannot be mapped to a grant.',
    action: 'Fix what the message names (patient, grantee, period, actions).',
  },
  INVALID_JSON: {
    meaning: 'A text is not valid JSON, or repeats a member name.',
    action: 'Send plain JSON with unique member names.',
  },
  INVALID_JSON_VALUE: {
    meaning:
      'A value cannot be canonicalized as JSON (RFC 8785): undefined, a function, a non-finite number, a bigint, ...',
    action: 'Pass plain JSON data only.',
  },
  JSON_TOO_DEEP: {
    meaning: 'JSON nests arrays and objects deeper than the limit.',
    action: 'Flatten the data.',
  },
  SIGNER_FAILED: {
    meaning: 'An external signer (device or service) failed to sign.',
    action: 'Check the device or service and retry.',
  },
  SIGNER_MISMATCH: {
    meaning: 'The secret key does not control the address or public key it was to sign for.',
    action: 'Pass the key the address was derived from.',
  },
  BAD_SIGNATURE: {
    meaning: 'A signature is malformed or does not verify.',
    action: 'Refuse the signed document; ask the signer to sign again.',
  },
  SCRIPT_FAILED: {
    meaning: 'A BIP-322 signature just made does not satisfy the script it signs for.',
    action: 'Check the keys, the script and the time-lock options.',
  },
  INVALID_ADDRESS: {
    meaning: 'A Bitcoin address does not decode or belongs to another network.',
    action: 'Check the address and the network.',
  },
  UNSUPPORTED_ADDRESS: {
    meaning: 'BIP-322 signing does not support this kind of address.',
    action: 'Use a P2WPKH, P2TR or P2WSH address, or sign outside and pass the signature.',
  },
  UNSUPPORTED_SCRIPT: {
    meaning:
      'The arguments of this script cannot be built (only multisig and key checks with time locks).',
    action: 'Build the to_sign transaction yourself and verify it as a full BIP-322 signature.',
  },
} as const satisfies ErrorCatalogue;

declare module '@medanchor/core' {
  interface MedanchorErrorCodes extends ErrorCodesOf<typeof CRYPTO_ERROR_CODES> {}
}

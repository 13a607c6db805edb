/**
 * @medanchor/crypto: record envelopes (HPKE-wrapped data keys, streaming AEAD) and
 * consent grants signed with Bitcoin keys. Stands alone: no network, no Bitcoin node.
 *
 * @packageDocumentation
 */
export const CRYPTO_PACKAGE = '@medanchor/crypto';

/**
 * @medanchor/crypto: record envelopes (HPKE-wrapped data keys, streaming AEAD) and
 * consent grants signed with Bitcoin keys. Stands alone: no network, no Bitcoin node.
 *
 * @packageDocumentation
 */
export * from './consent/index.js';
export * from './envelope/index.js';
export { CRYPTO_ERROR_CODES } from './error-codes.js';
export * from './hpke/index.js';

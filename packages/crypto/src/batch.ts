/**
 * @medanchor/crypto/batch: checking many consent signatures at once with BIP-340 batch
 * verification (an audit of thousands of grants, or the reads that arrive within a tick).
 * A separate entry so applications that check one grant at a time do not bundle it.
 *
 * @packageDocumentation
 */
// The crypto error codes' declaration merging, so this entry's declarations type-check alone.
import type {} from './error-codes.js';

export { type Bip340BatchItem, verifyBip340Batch } from './consent/bip340-batch.js';
export { verifyConsentGrants } from './consent/verify-grants.js';

// Many signed grants at once (an audit, or the reads that arrive within one tick): shape and
// digest per grant as verifyConsentGrant does them, then every BIP-340 signature not already
// remembered goes through one batch equation; BIP-322 signers are checked one by one.
import { fromHex, toHex } from '@medanchor/core';
import { verifyBip340Batch } from './bip340-batch.js';
import { consentGrantDigest } from './canonical.js';
import { type ConsentGrant, consentGrantProblem, extraKey, isPlainObject } from './grant.js';
import type { ConsentGrantVerification } from './sign.js';
import { consentSignatureProblem } from './signature.js';
import { rememberVerified, signatureCacheKey, wasVerified } from './signature-cache.js';

const SIG_HEX = /^[0-9a-f]{128}$/;
const BAD = 'BIP-340 signature check failed';

/**
 * Checks many signed grants, each exactly as `verifyConsentGrant` would (same
 * verdicts, steps and reasons, in the same order), with the BIP-340 signatures verified
 * together by BIP-340 batch verification (random weights from the platform CSPRNG). A
 * batch that fails is rechecked one by one, so each result names its own failure. Faster
 * than one call per grant from a few grants upward; an empty list gives an empty list.
 * Never throws.
 * @example
 * ```ts
 * import { verifyConsentGrants } from '@medanchor/crypto/batch';
 * const results = verifyConsentGrants(grants);
 * const bad = results.flatMap((r, i) => (r.valid ? [] : [i]));
 * ```
 */
export function verifyConsentGrants(signed: readonly unknown[]): ConsentGrantVerification[] {
  const results: ConsentGrantVerification[] = new Array(signed.length);
  const pending: {
    at: number;
    grant: ConsentGrant;
    digest: Uint8Array;
    signature: Uint8Array;
    publicKey: Uint8Array;
    cacheKey: string;
  }[] = [];
  for (let i = 0; i < signed.length; i++) {
    const s = signed[i];
    if (!isPlainObject(s)) {
      results[i] = { valid: false, step: 'shape', reason: 'a signed grant must be an object' };
      continue;
    }
    const extra = extraKey(s, ['grant', 'signature']);
    if (extra) {
      results[i] = { valid: false, step: 'shape', reason: `unknown field "${extra}"` };
      continue;
    }
    const problem = consentGrantProblem(s['grant']);
    if (problem) {
      results[i] = { valid: false, step: 'shape', reason: problem };
      continue;
    }
    const grant = s['grant'] as ConsentGrant;
    const digest = consentGrantDigest(grant);
    const signature = s['signature'];
    const signer = grant.signer;
    if (signer.scheme === 'bip340' && typeof signature === 'string' && SIG_HEX.test(signature)) {
      const cacheKey = signatureCacheKey(
        'bip340',
        signer.publicKey,
        'grant',
        toHex(digest),
        signature,
      );
      if (!wasVerified(cacheKey)) {
        let publicKey: Uint8Array;
        try {
          publicKey = fromHex(signer.publicKey);
        } catch {
          results[i] = { valid: false, step: 'signature', reason: BAD };
          continue;
        }
        pending.push({ at: i, grant, digest, signature: fromHex(signature), publicKey, cacheKey });
        continue;
      }
    }
    // BIP-322, a remembered signature, or one the single path refuses with its own reason.
    const bad = consentSignatureProblem(signer, 'grant', digest, signature);
    results[i] = bad
      ? { valid: false, step: 'signature', reason: bad }
      : { valid: true, grant, grantHash: toHex(digest) };
  }
  const verdicts = verifyBip340Batch(
    pending.map((p) => ({
      signature: p.signature,
      message: p.digest,
      publicKeyHex: p.grant.signer.scheme === 'bip340' ? p.grant.signer.publicKey : '',
      publicKey: p.publicKey,
    })),
  );
  for (let j = 0; j < pending.length; j++) {
    const p = pending[j]!;
    if (verdicts[j]) {
      rememberVerified(p.cacheKey);
      results[p.at] = { valid: true, grant: p.grant, grantHash: toHex(p.digest) };
    } else results[p.at] = { valid: false, step: 'signature', reason: BAD };
  }
  return results;
}

// Signatures already verified, as Bitcoin Core's signature cache keeps them: a consent
// check runs on every read of a record, and it is the same grant, signed once, every
// time. An entry is the exact scheme, key, kind, digest and signature text of a check that
// passed; anything else (another byte anywhere) is a miss and is verified in full. Only
// public values are kept; failures are never remembered.

// Entries kept; the oldest half goes when full (insertion order is Map order).
const MAX_ENTRIES = 8192;
const verified = new Map<string, true>();

/** The cache key of one check: every input of the verdict, unambiguously joined. */
export function signatureCacheKey(
  scheme: string,
  signerId: string,
  kind: string,
  digestHex: string,
  signature: string,
): string {
  // None of the parts holds a newline: signer ids are hex keys or addresses, digests hex.
  return `${scheme}\n${signerId}\n${kind}\n${digestHex}\n${signature}`;
}

/** True when the check with this key passed before (and is still remembered). */
export function wasVerified(key: string): boolean {
  return verified.has(key);
}

/** Remembers a check that passed. */
export function rememberVerified(key: string): void {
  if (verified.size >= MAX_ENTRIES) {
    let drop = MAX_ENTRIES / 2;
    for (const k of verified.keys()) {
      verified.delete(k);
      if (--drop === 0) break;
    }
  }
  verified.set(key, true);
}

/** Forgets every remembered signature (for benchmarks of first-time work, and tests). */
export function clearSignatureCache(): void {
  verified.clear();
}

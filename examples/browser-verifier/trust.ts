import {
  parseTrustPolicy,
  type TrustChecker,
  type TrustPolicy,
  trustPolicy,
} from '@medanchor/core';

// What the page's "trusted keys" box holds: nothing (no signature check), the log's
// verifier keys one per line, or a whole trust policy as JSON (the same shape as the
// `trust` entry of the CLI's config).

/** The box read: a checker to pass to verification, nothing, or why the text is refused. */
export type TrustInput =
  | { readonly kind: 'none' }
  | { readonly kind: 'policy'; readonly trust: TrustChecker; readonly logs: readonly string[] }
  | { readonly kind: 'error'; readonly error: string };

/**
 * Reads the trusted-keys box. A line of keys trusts each key for the log its name names
 * (C2SP logs name their key after their origin, e.g. `clinic.example/records+1a2b3c4d+...`);
 * a log whose key has another name needs the JSON policy form. Never throws.
 */
export function readTrustInput(text: string): TrustInput {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'none' };
  let policy: TrustPolicy;
  try {
    if (trimmed.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(trimmed);
      } catch {
        return { kind: 'error', error: 'the trust policy is not valid JSON' };
      }
      policy = parseTrustPolicy(json);
    } else {
      const byLog = new Map<string, string[]>();
      for (const line of trimmed.split(/\r?\n/)) {
        const key = line.trim();
        if (key === '') continue;
        const name = key.split('+')[0] ?? '';
        byLog.set(name, [...(byLog.get(name) ?? []), key]);
      }
      policy = parseTrustPolicy({
        logs: [...byLog].map(([origin, keys]) => ({ origin, keys })),
      });
    }
    return { kind: 'policy', trust: trustPolicy(policy), logs: policy.logs.map((l) => l.origin) };
  } catch (e) {
    return {
      kind: 'error',
      error: e instanceof Error ? e.message : 'the trusted keys are not valid',
    };
  }
}

import { MedanchorError } from '@medanchor/core';
import type { ConfigFile } from './config.js';
import { nearestName } from './nearest-name.js';

// The names a config file may use. A misspelt key used to be ignored, so the default
// silently won ("netwrk": "signet" ran on regtest); now it is refused with a suggestion.

/** Top-level keys of `medanchor.config.json` (`$schema` is allowed for editors). */
export const CONFIG_KEYS = [
  '$schema',
  'origin',
  'network',
  'dataDir',
  'wallet',
  'backend',
  'backends',
  'quorum',
  'store',
  'fee',
  'rolling',
  'commitment',
  'confirmations',
  'trust',
  'witnesses',
  'calendars',
  'headMap',
] as const;

// Every field of ConfigFile must be listed above: a field added there and not here is a
// compile error naming it.
type Unlisted = Exclude<keyof ConfigFile, (typeof CONFIG_KEYS)[number]>;
export const EVERY_CONFIG_FIELD_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

/** Keys of `fee`. */
export const FEE_KEYS = ['minSatPerVb', 'maxSatPerVb', 'dailyBudgetSats'] as const;

/** Keys of a backend object, by its `type`. */
export const BACKEND_KEYS: Readonly<Record<string, readonly string[]>> = {
  esplora: ['type', 'url'],
  'core-rpc': ['type', 'url', 'cookie', 'user', 'password'],
  electrum: ['type', 'host', 'port', 'tls', 'fingerprint256'],
};

/**
 * Refuses keys of `object` that are not in `valid`, naming the closest valid key.
 * @param where - Where the object is, for the message (file path and field).
 * @throws MedanchorError `CLI_CONFIG`.
 */
export function refuseUnknownKeys(
  object: Record<string, unknown>,
  valid: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(object)) {
    if (valid.includes(key)) continue;
    const near = nearestName(key, valid);
    throw new MedanchorError(
      'CLI_CONFIG',
      `${where}: unknown key "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; the keys are ${valid.filter((k) => !k.startsWith('$')).join(', ')}`,
      { details: { key, ...(near === undefined ? {} : { suggestion: near }) } },
    );
  }
}

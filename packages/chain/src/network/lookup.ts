import { MedanchorError } from '@medanchor/core';
import { builtinNetworks } from './networks.js';
import type { NetworkParams } from './params.js';

/**
 * The built-in network called `name` (`mainnet`, `testnet4`, `signet`, `regtest`).
 * @throws MedanchorError `UNKNOWN_NETWORK` for any other name: describe it with `defineNetwork`.
 */
export function networkByName(name: string): NetworkParams {
  const p = Object.hasOwn(builtinNetworks, name) ? builtinNetworks[name] : undefined;
  if (p === undefined) {
    throw new MedanchorError(
      'UNKNOWN_NETWORK',
      'unknown network name: use mainnet, testnet4, signet or regtest, or describe it with defineNetwork',
      { details: { name: String(name).slice(0, 64) } },
    );
  }
  return p;
}

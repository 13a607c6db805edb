import { expect, it } from 'vitest';
import { builtinNetworks, mainnet, type NetworkParams } from '../../src/network/index.js';

/**
 * The parameters of a vector's network. An unknown name registers a failing test
 * (instead of crashing test collection) and falls back to mainnet for the rest.
 */
export function networkOf(name: string | undefined, file: string): NetworkParams {
  const key = name ?? 'mainnet';
  const params = Object.hasOwn(builtinNetworks, key) ? builtinNetworks[key] : undefined;
  if (params === undefined) {
    it(`${file}: names a known network`, () => {
      expect.fail(`network "${key}" is not built in (mainnet, testnet4, signet, regtest)`);
    });
    return mainnet;
  }
  return params;
}

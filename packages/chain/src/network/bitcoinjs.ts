import type { Network } from 'bitcoinjs-lib';
import type { NetworkParams } from './params.js';

/**
 * bitcoinjs-lib's `Network` object for `params` (prefixes and BIP32 versions), for
 * building addresses, payments and PSBTs with bitcoinjs-lib.
 *
 * @example
 * ```ts
 * payments.p2wpkh({ pubkey, network: toBitcoinjsNetwork(regtest) }).address; // 'bcrt1q...'
 * ```
 */
export function toBitcoinjsNetwork(params: NetworkParams): Network {
  return {
    messagePrefix: params.messagePrefix,
    bech32: params.bech32,
    bip32: { public: params.bip32.public, private: params.bip32.private },
    pubKeyHash: params.pubKeyHash,
    scriptHash: params.scriptHash,
    wif: params.wif,
  };
}

import type { NetworkParams } from './params.js';

/**
 * The shape of bitcoinjs-lib's `Network` object (structurally identical, so it can be
 * passed wherever bitcoinjs-lib expects a network).
 */
export interface BitcoinjsNetwork {
  messagePrefix: string;
  bech32: string;
  bip32: { public: number; private: number };
  pubKeyHash: number;
  scriptHash: number;
  wif: number;
}

/**
 * bitcoinjs-lib's `Network` object for `params` (prefixes and BIP32 versions), for
 * building addresses, payments and PSBTs with bitcoinjs-lib.
 *
 * @example
 * ```ts
 * payments.p2wpkh({ pubkey, network: toBitcoinjsNetwork(regtest) }).address; // 'bcrt1q...'
 * ```
 */
export function toBitcoinjsNetwork(params: NetworkParams): BitcoinjsNetwork {
  return {
    messagePrefix: params.messagePrefix,
    bech32: params.bech32,
    bip32: { public: params.bip32.public, private: params.bip32.private },
    pubKeyHash: params.pubKeyHash,
    scriptHash: params.scriptHash,
    wif: params.wif,
  };
}

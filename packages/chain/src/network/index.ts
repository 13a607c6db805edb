export { type BitcoinjsNetwork, toBitcoinjsNetwork } from './bitcoinjs.js';
export { defineNetwork } from './define.js';
export { networkByName } from './lookup.js';
export { builtinNetworks, mainnet, regtest, signet, testnet4 } from './networks.js';
export type { NetworkParams } from './params.js';

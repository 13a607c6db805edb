import type { NetworkParams } from './params.js';

// Same retarget schedule on every built-in network; only the flags differ.
const BITCOIN_INTERVAL = 2016;
const BITCOIN_TIMESPAN = 14 * 24 * 60 * 60;
const SIGNED_MESSAGE_PREFIX = '\x18Bitcoin Signed Message:\n';

// Bitcoin Core's powLimit for mainnet and testnet4: 0x00000000ffff...ff.
const MAINNET_POW_LIMIT = (1n << 224n) - 1n;

function freezeNetwork(p: NetworkParams): NetworkParams {
  Object.freeze(p.bip32);
  Object.freeze(p.retarget);
  return Object.freeze(p);
}

// Address versions shared by testnet4, signet and regtest.
const TEST_ADDRESSES = {
  pubKeyHash: 0x6f,
  scriptHash: 0xc4,
  wif: 0xef,
  bip32: { public: 0x043587cf, private: 0x04358394 },
  messagePrefix: SIGNED_MESSAGE_PREFIX,
} as const;

/** Bitcoin mainnet. */
export const mainnet: NetworkParams = freezeNetwork({
  name: 'mainnet',
  bech32: 'bc',
  pubKeyHash: 0x00,
  scriptHash: 0x05,
  wif: 0x80,
  bip32: { public: 0x0488b21e, private: 0x0488ade4 },
  messagePrefix: SIGNED_MESSAGE_PREFIX,
  genesisHeader:
    '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
  genesisHash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  powLimit: MAINNET_POW_LIMIT,
  powHash: 'sha256d',
  retarget: {
    interval: BITCOIN_INTERVAL,
    targetTimespan: BITCOIN_TIMESPAN,
    noRetarget: false,
    allowMinDifficulty: false,
  },
});

/**
 * Bitcoin testnet4 (BIP94). Its retarget starts from the first block of the epoch,
 * so minimum-difficulty blocks cannot drag the difficulty down.
 */
export const testnet4: NetworkParams = freezeNetwork({
  name: 'testnet4',
  bech32: 'tb',
  ...TEST_ADDRESSES,
  genesisHeader:
    '0100000000000000000000000000000000000000000000000000000000000000000000004e7b2b9128fe0291db0693af2ae418b767e657cd407e80cb1434221eaea7a07a046f3566ffff001dbb0c7817',
  genesisHash: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
  powLimit: MAINNET_POW_LIMIT,
  powHash: 'sha256d',
  retarget: {
    interval: BITCOIN_INTERVAL,
    targetTimespan: BITCOIN_TIMESPAN,
    noRetarget: false,
    allowMinDifficulty: true,
  },
});

/** The default Bitcoin signet (BIP325); its blocks are also signed, which SPV does not check. */
export const signet: NetworkParams = freezeNetwork({
  name: 'signet',
  bech32: 'tb',
  ...TEST_ADDRESSES,
  genesisHeader:
    '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a008f4d5fae77031e8ad22203',
  genesisHash: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
  powLimit: 0x00000377aen << 216n,
  powHash: 'sha256d',
  retarget: {
    interval: BITCOIN_INTERVAL,
    targetTimespan: BITCOIN_TIMESPAN,
    noRetarget: false,
    allowMinDifficulty: false,
  },
});

/** Bitcoin Core's regtest: trivial proof of work, no retargeting. */
export const regtest: NetworkParams = freezeNetwork({
  name: 'regtest',
  bech32: 'bcrt',
  ...TEST_ADDRESSES,
  genesisHeader:
    '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000',
  genesisHash: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  powLimit: (1n << 255n) - 1n,
  powHash: 'sha256d',
  retarget: {
    interval: BITCOIN_INTERVAL,
    targetTimespan: BITCOIN_TIMESPAN,
    noRetarget: true,
    allowMinDifficulty: true,
  },
});

/** The built-in networks by name. */
export const builtinNetworks: Readonly<Record<string, NetworkParams>> = Object.freeze({
  mainnet,
  testnet4,
  signet,
  regtest,
});

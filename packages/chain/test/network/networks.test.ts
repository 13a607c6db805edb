import { fromHex, isMedanchorError } from '@medanchor/core';
import { networks as bjsNetworks, payments } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { bitsToTarget } from '../../src/bitcoin/compact.js';
import { blockHashHex, parseHeader } from '../../src/bitcoin/header.js';
import { headerMeetsTarget } from '../../src/bitcoin/pow.js';
import {
  builtinNetworks,
  defineNetwork,
  mainnet,
  type NetworkParams,
  networkByName,
  regtest,
  signet,
  testnet4,
  toBitcoinjsNetwork,
} from '../../src/network/index.js';

// Litecoin's regtest genesis (scrypt proof of work), as in litecoind's chainparams.
const litecoinRegtest: NetworkParams = {
  ...regtest,
  name: 'litecoin-regtest',
  bech32: 'rltc',
  pubKeyHash: 0x6f,
  scriptHash: 0x3a,
  wif: 0xef,
  messagePrefix: '\x19Litecoin Signed Message:\n',
  genesisHeader:
    '010000000000000000000000000000000000000000000000000000000000000000000000d9ced4ed1130f7b7faad9be25323ffafa33232a17c3edf6cfd97bee6bafbdd97dae5494dffff7f2000000000',
  genesisHash: '530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9',
  powHash: 'scrypt',
};

describe('built-in networks', () => {
  for (const params of [mainnet, testnet4, signet, regtest]) {
    it(`${params.name}: sha256d of the genesis header is the genesis hash`, () => {
      expect(blockHashHex(fromHex(params.genesisHeader))).toBe(params.genesisHash);
    });
    it(`${params.name}: the genesis bits are within powLimit and the header meets them`, () => {
      const h = parseHeader(fromHex(params.genesisHeader));
      expect(bitsToTarget(h.bits) <= params.powLimit).toBe(true);
      expect(headerMeetsTarget(fromHex(params.genesisHeader), params)).toBe(true);
      expect(h.prevHash.every((b) => b === 0)).toBe(true);
    });
    it(`${params.name}: passes defineNetwork unchanged`, () => {
      expect(defineNetwork(params)).toEqual(params);
    });
  }

  it('mainnet genesis is the block everyone knows (time, nonce, bits)', () => {
    const h = parseHeader(fromHex(mainnet.genesisHeader));
    expect([h.time, h.bits, h.nonce]).toEqual([1231006505, 0x1d00ffff, 2083236893]);
  });

  it('the constants are frozen', () => {
    expect(Object.isFrozen(mainnet)).toBe(true);
    expect(Object.isFrozen(mainnet.retarget)).toBe(true);
    expect(() => {
      (mainnet as { name: string }).name = 'x';
    }).toThrow();
  });

  it('networkByName finds the four and refuses others with UNKNOWN_NETWORK', () => {
    expect(Object.keys(builtinNetworks).sort()).toEqual([
      'mainnet',
      'regtest',
      'signet',
      'testnet4',
    ]);
    expect(networkByName('signet')).toBe(signet);
    try {
      networkByName('toString');
      expect.unreachable();
    } catch (e) {
      expect(isMedanchorError(e, 'UNKNOWN_NETWORK')).toBe(true);
    }
  });
});

describe('toBitcoinjsNetwork', () => {
  it('maps mainnet and regtest to bitcoinjs-lib own objects', () => {
    expect(toBitcoinjsNetwork(mainnet)).toEqual(bjsNetworks.bitcoin);
    expect(toBitcoinjsNetwork(regtest)).toEqual(bjsNetworks.regtest);
    expect(toBitcoinjsNetwork(testnet4)).toEqual(bjsNetworks.testnet);
  });

  it('drives address encoding with the network prefixes', () => {
    const hash = new Uint8Array(20).fill(7);
    const net = toBitcoinjsNetwork(defineNetwork(litecoinRegtest));
    expect(payments.p2wpkh({ hash, network: net }).address?.startsWith('rltc1q')).toBe(true);
    expect(
      payments.p2wpkh({ hash, network: toBitcoinjsNetwork(signet) }).address?.startsWith('tb1q'),
    ).toBe(true);
  });
});

describe('defineNetwork', () => {
  it('accepts a scrypt network whose genesis meets its target under scrypt', () => {
    const p = defineNetwork(litecoinRegtest);
    expect(p.powHash).toBe('scrypt');
    expect(headerMeetsTarget(fromHex(p.genesisHeader), p)).toBe(true);
  });

  const bad: [string, Partial<NetworkParams> | Record<string, unknown>][] = [
    ['name', { name: 'Main Net' }],
    ['bech32', { bech32: '' }],
    ['bech32', { bech32: 'BC' }],
    ['pubKeyHash', { pubKeyHash: 256 }],
    ['scriptHash', { scriptHash: 0 }],
    ['wif', { wif: -1 }],
    ['bip32.public', { bip32: { public: 2 ** 32, private: 1 } }],
    ['messagePrefix', { messagePrefix: 5 }],
    ['powLimit', { powLimit: 0n }],
    ['powLimit', { powLimit: 1n << 256n }],
    ['powHash', { powHash: 'x11' }],
    ['retarget.interval', { retarget: { ...mainnet.retarget, interval: 0 } }],
    ['retarget.noRetarget', { retarget: { ...mainnet.retarget, noRetarget: 'no' } }],
    ['genesisHeader', { genesisHeader: mainnet.genesisHeader.slice(2) }],
    ['genesisHash', { genesisHash: regtest.genesisHash }],
    ['genesisHeader', { powLimit: 1n << 200n }],
  ];
  for (const [field, change] of bad) {
    it(`rejects a bad ${field} with INVALID_NETWORK naming it`, () => {
      try {
        defineNetwork({ ...mainnet, ...change } as NetworkParams);
        expect.unreachable();
      } catch (e) {
        expect(isMedanchorError(e, 'INVALID_NETWORK')).toBe(true);
        expect((e as { details: { field: string } }).details.field).toBe(field);
      }
    });
  }
});

describe('toBitcoinjsNetwork typing', () => {
  it('is assignable to bitcoinjs-lib Network', () => {
    const n: import('bitcoinjs-lib').Network = toBitcoinjsNetwork(mainnet);
    expect(n.bech32).toBe('bc');
  });
});

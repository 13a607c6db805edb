import { sha256, toHex } from '@medanchor/core';
import { createBase58check } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { fundingKey, fundingKeyFromSecret } from '../../src/anchor/index.js';
import { mainnet, regtest } from '../../src/network/index.js';

// The root key of the BIP84/BIP86 test mnemonic "abandon abandon ... about".
const BIP_TEST_XPRV =
  'xprv9s21ZrQH143K3GJpoapnV8SFfukcVBSfeCficPSGfubmSFDxo1kuHnLisriDvSnRRuL2Qrg5ggqHKNVpxR86QEC8w35uxmGoggxtQTPvfUu';

describe('funding keys', () => {
  it('derives the BIP84 first receive address (P2WPKH) from an xprv and path', () => {
    const key = fundingKey({ xprv: BIP_TEST_XPRV, path: "m/84'/0'/0'/0/0" }, mainnet);
    expect(key.address).toBe('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu');
    expect(toHex(key.internalPublicKey)).toBe(
      '0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c',
    );
  });

  it('derives the BIP86 first receive address (P2TR key path) from an xprv and path', () => {
    const key = fundingKey({ xprv: BIP_TEST_XPRV, path: "m/86'/0'/0'/0/0", type: 'p2tr' }, mainnet);
    expect(key.address).toBe('bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr');
  });

  it('reads a compressed WIF of its own network and refuses others', () => {
    const secret = sha256(new Uint8Array([1, 2, 3]));
    const wif = (version: number, compressed = true) =>
      createBase58check(sha256).encode(
        new Uint8Array([version, ...secret, ...(compressed ? [1] : [])]),
      );
    const fromWif = fundingKey({ wif: wif(regtest.wif), type: 'p2tr' }, regtest);
    expect(fromWif.address).toBe(fundingKeyFromSecret(secret, 'p2tr', regtest).address);
    expect(fromWif.address.startsWith('bcrt1p')).toBe(true);
    expect(() => fundingKey({ wif: wif(mainnet.wif) }, regtest)).toThrow(/another network/);
    expect(() => fundingKey({ wif: wif(regtest.wif, false) }, regtest)).toThrow(/compressed/);
    expect(() => fundingKey({ wif: `${wif(regtest.wif)}x` }, regtest)).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
  });

  it('refuses out-of-range secrets and bad paths with INVALID_KEY', () => {
    expect(() => fundingKeyFromSecret(new Uint8Array(32), 'p2wpkh', regtest)).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
    expect(() => fundingKey({ xprv: BIP_TEST_XPRV, path: 'not a path' }, mainnet)).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
    expect(() => fundingKey({ xprv: BIP_TEST_XPRV, path: 'm/0' }, regtest)).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
  });
});

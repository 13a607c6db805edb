import * as ecc from '@bitcoinerlab/secp256k1';
import { sha256, toHex, utf8 } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { initEccLib, payments } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { taprootCommitmentKey } from '../../src/spv/taproot-commitment.js';

// The verifier's own point arithmetic against two curve libraries: bitcoinjs-lib's P2TR
// with the digest as the script tree root, and @noble/curves directly.
describe('taprootCommitmentKey', () => {
  initEccLib(ecc);
  for (let i = 0; i < 16; i++) {
    it(`matches bitcoinjs-lib and @noble/curves (key ${i})`, () => {
      const secret = sha256(utf8(`tweak key ${i}`));
      const x = secp256k1.getPublicKey(secret, true).subarray(1);
      const digest = sha256(utf8(`checkpoint ${i}`));
      const ours = taprootCommitmentKey(x, digest)!;
      const p2tr = payments.p2tr({ internalPubkey: x, hash: digest });
      expect(toHex(ours)).toBe(toHex(p2tr.pubkey!));
      const t = BigInt(`0x${toHex(schnorr.utils.taggedHash('TapTweak', x, digest))}`);
      const q = secp256k1.Point.fromBytes(Uint8Array.of(0x02, ...x)).add(
        secp256k1.Point.BASE.multiply(t),
      );
      expect(toHex(ours)).toBe(toHex(q.toBytes(true).subarray(1)));
    });
  }
  it('refuses an x that is not on the curve and wrong lengths', () => {
    const digest = sha256(utf8('d'));
    // x = 5: 5^3 + 7 = 132 is not a square mod p.
    const x = new Uint8Array(32);
    x[31] = 5;
    expect(taprootCommitmentKey(x, digest)).toBeUndefined();
    expect(taprootCommitmentKey(new Uint8Array(31), digest)).toBeUndefined();
    expect(taprootCommitmentKey(new Uint8Array(32).fill(0xff), digest)).toBeUndefined();
  });
});

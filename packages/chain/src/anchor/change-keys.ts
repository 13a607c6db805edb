import { concatBytes, MedanchorError } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import type { HDKey } from '@scure/bip32';
import {
  SECP256K1_ORDER as N,
  bigintFromBytes as toBig,
  bytes32FromBigint as toBytes32,
} from '../bitcoin/big-endian.js';
import { tapTweak } from '../spv/taproot-commitment.js';
import type { AnchorSigner } from './funding-key.js';

/**
 * A change key of a taproot-tweak anchor: the internal key its output is built from,
 * and the signer of that output once it has been tweaked by a checkpoint digest.
 */
export interface ChangeKey {
  /** The x-only internal key (32 bytes). */
  readonly internalKey: Uint8Array;
  /** Signs key-path spends of the P2TR output of this key tweaked by `digest`. */
  signerFor(digest: Uint8Array): AnchorSigner;
}

/** Where the change keys of a funding key at `path` live when no change path is given. */
export function defaultChangePath(path: string): string {
  // BIP44-style paths: the change chain is the sibling of the receive chain (.../0/n -> .../1).
  const m = /^(.*)\/0\/\d+$/.exec(path);
  return m === null ? `${path}/1` : `${m[1]}/1`;
}

/**
 * The change keys `changePath/i` of an HD node: a fresh key for each taproot-tweak anchor,
 * so two anchors of one wallet pay to unrelated keys.
 */
export function changeKeysOf(
  root: HDKey,
  changePath: string,
  aux: () => Uint8Array,
): (index: number) => ChangeKey {
  return (index) => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= 2 ** 31)
      throw new MedanchorError('INVALID_ARGUMENT', 'a change key index is in 0..2^31-1');
    let secret: Uint8Array | null;
    try {
      secret = root.derive(`${changePath}/${index}`).privateKey;
    } catch {
      throw new MedanchorError(
        'INVALID_KEY',
        `the change path ${changePath} cannot be derived: pass a path such as "m/86'/1'/0'/1"`,
      );
    }
    if (secret === null)
      throw new MedanchorError('INVALID_KEY', 'the extended key has no private part');
    const d = toBig(secret);
    const compressed = secp256k1.getPublicKey(secret, true);
    const internalKey = compressed.slice(1);
    // BIP341 key path: the internal key is taken with even y, so the secret may be negated.
    const p = compressed[0] === 0x02 ? d : N - d;
    return {
      internalKey,
      signerFor(digest) {
        const t = toBig(tapTweak(internalKey, digest));
        const q = toBytes32((p + t) % N);
        const outputKey = schnorr.getPublicKey(q);
        return {
          publicKey: concatBytes(Uint8Array.of(0x02), outputKey),
          sign: () => {
            throw new MedanchorError('INVALID_ARGUMENT', 'a taproot key path signs with Schnorr');
          },
          signSchnorr: (hash) => schnorr.sign(hash, q, aux()),
        };
      },
    };
  };
}

// BIP-341 key tweaking for key-path-only outputs (BIP-86: no script tree).
import { MedanchorError, taggedHash } from '@medanchor/core';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';

const Point = schnorr.Point;
const N = Point.Fn.ORDER;

function tweakScalar(internalX: Uint8Array): bigint {
  const t = bytesToNumberBE(taggedHash('TapTweak', internalX));
  if (t >= N)
    throw new MedanchorError('INVALID_KEY', 'taproot tweak out of range; use another key');
  return t;
}

/**
 * x-only output key `Q = lift_x(P) + H_TapTweak(P)·G` of an x-only internal key `P`.
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function taprootOutputKey(internalKey: Uint8Array): Uint8Array {
  if (!(internalKey instanceof Uint8Array) || internalKey.length !== 32) {
    throw new MedanchorError('INVALID_KEY', 'a taproot internal key is 32 bytes (x-only)');
  }
  let P: typeof Point.BASE;
  try {
    P = schnorr.utils.lift_x(bytesToNumberBE(internalKey));
  } catch {
    throw new MedanchorError('INVALID_KEY', 'the internal key is not an x coordinate on secp256k1');
  }
  const Q = P.add(Point.BASE.multiply(tweakScalar(internalKey)));
  return numberToBytesBE(Q.toAffine().x, 32);
}

/**
 * The secret key that signs for the BIP-86 output key of `secretKey`'s x-only public key:
 * negate when the internal point has odd y, then add the tweak.
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function taprootTweakSecretKey(secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new MedanchorError('INVALID_KEY', 'the secret key must be 32 bytes');
  }
  let d: bigint;
  let P: typeof Point.BASE;
  try {
    d = bytesToNumberBE(secretKey);
    P = Point.BASE.multiply(d);
  } catch {
    throw new MedanchorError('INVALID_KEY', 'the secret key must be 32 bytes in [1, n-1]');
  }
  const { x, y } = P.toAffine();
  if (y % 2n === 1n) d = N - d;
  const tweaked = (d + tweakScalar(numberToBytesBE(x, 32))) % N;
  if (tweaked === 0n)
    throw new MedanchorError('INVALID_KEY', 'tweaked key is zero; use another key');
  return numberToBytesBE(tweaked, 32);
}

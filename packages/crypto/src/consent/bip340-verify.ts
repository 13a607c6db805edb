// BIP-340 verification for consent checks, where one patient's key signs many grants and
// every read checks one: the public key is lifted to a curve point once and kept, and a
// key seen often gets a precomputed window table so e⋅P costs additions only, no
// doublings. The steps are BIP-340's Verify, on @noble/curves' point arithmetic; the
// answers are those of `schnorr.verify` (the tests compare them on random and edge inputs).
import { schnorr } from '@noble/curves/secp256k1.js';

type Point = ReturnType<typeof schnorr.utils.lift_x>;

const { Point: Curve } = schnorr;
const Fp = Curve.Fp;
const Fn = Curve.Fn;

/** A public key lifted to its curve point (the batch verifier reads `point`). */
export interface KnownKey {
  point: Point;
  uses: number;
  /** True while `point` carries a window table. */
  table: boolean;
}

// Lifted keys by their 64-digit hex; cleared when full (a key costs one lift_x again).
const MAX_KEYS = 1024;
const keys = new Map<string, KnownKey>();
// A key verified this often gets a window table (about 100 KB, built in the time of a few
// verifications); at most HOT_KEYS keep one, the oldest dropping theirs.
const HOT_AFTER = 8;
const HOT_KEYS = 16;
const WINDOW = 4;
const hot: KnownKey[] = [];

function bigintOf(bytes: Uint8Array, from: number, to: number): bigint {
  let x = 0n;
  for (let i = from; i < to; i++) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

/** The remembered key for 64 lowercase hex digits, lifting it on first sight; undefined when not on the curve. */
export function lookUp(publicKeyHex: string): KnownKey | undefined {
  let known = keys.get(publicKeyHex);
  if (known === undefined) {
    let point: Point;
    try {
      point = schnorr.utils.lift_x(BigInt(`0x${publicKeyHex}`));
    } catch {
      return undefined;
    }
    if (keys.size >= MAX_KEYS) {
      keys.clear();
      hot.length = 0;
    }
    known = { point, uses: 0, table: false };
    keys.set(publicKeyHex, known);
  }
  return known;
}

/**
 * True when 64 lowercase hex digits are the x coordinate of a secp256k1 point (BIP-340
 * lift_x succeeds); remembered with the lifted point for the signature check that follows.
 */
export function isLiftableKey(publicKeyHex: string): boolean {
  return /^[0-9a-f]{64}$/.test(publicKeyHex) && lookUp(publicKeyHex) !== undefined;
}

function keyOf(publicKeyHex: string): KnownKey | undefined {
  const known = lookUp(publicKeyHex);
  if (known === undefined) return undefined;
  known.uses++;
  if (known.uses === HOT_AFTER) makeHot(known);
  return known;
}

function makeHot(key: KnownKey): void {
  if (hot.length >= HOT_KEYS) {
    // The oldest hot key goes back to a plain point (its table is garbage once unused).
    const old = hot.shift()!;
    old.point = Curve.fromAffine(old.point.toAffine());
    old.table = false;
  }
  // A fresh point object: noble remembers tables per point instance.
  key.point = Curve.fromAffine(key.point.toAffine()).precompute(WINDOW, false);
  key.table = true;
  hot.push(key);
}

/**
 * BIP-340 Verify(pk, m, sig) with `pk` as 64 lowercase hex digits and as its 32 bytes
 * (the same key): true exactly when `schnorr.verify(signature, message, publicKey)` is.
 * Never throws.
 */
export function verifyBip340(
  signature: Uint8Array,
  message: Uint8Array,
  publicKeyHex: string,
  publicKey: Uint8Array,
): boolean {
  if (signature.length !== 64 || publicKey.length !== 32 || !/^[0-9a-f]{64}$/.test(publicKeyHex))
    return false;
  try {
    const key = keyOf(publicKeyHex);
    if (key === undefined) return false;
    const r = bigintOf(signature, 0, 32);
    const s = bigintOf(signature, 32, 64);
    // As @noble/curves: r in [1, p), s in [1, n) (a zero s is refused, as it refuses it).
    if (!Fp.isValidNot0(r) || !Fn.isValidNot0(s)) return false;
    const e = Fn.create(
      bigintOf(
        schnorr.utils.taggedHash(
          'BIP0340/challenge',
          signature.subarray(0, 32),
          publicKey,
          message,
        ),
        0,
        32,
      ),
    );
    const negE = Fn.neg(e);
    // R = s⋅G - e⋅P: s⋅G walks noble's precomputed base table; e⋅P walks the key's table
    // when it is hot. (A joint walk, mulAddUnsafe, skips the base table and measured
    // about a quarter slower for a key seen the first time.)
    const R = Curve.BASE.multiplyUnsafe(s).add(key.point.multiplyUnsafe(negE));
    if (R.is0()) return false;
    const { x, y } = R.toAffine();
    return (y & 1n) === 0n && Fp.eql(x, r);
  } catch {
    return false;
  }
}

/** Forgets lifted keys and their tables (for benchmarks of first-time work). */
export function clearBip340Keys(): void {
  keys.clear();
  hot.length = 0;
}

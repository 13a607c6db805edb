// BIP-340 batch verification (BIP-340, "Batch Verification"): u signatures are checked
// together by one equation, (Σ aᵢsᵢ)⋅G = Σ aᵢ⋅Rᵢ + Σ (aᵢeᵢ)⋅Pᵢ, with random weights aᵢ.
// The right side is one multi-scalar multiplication (Pippenger's bucket method on this
// verifier's own Jacobian arithmetic with a fast reduction mod p, secp256k1-jacobian.ts);
// terms of one key collapse into one scalar, so a batch of one patient's grants costs about
// one mixed point addition per weight digit and one lift_x per signature instead of a full
// variable-base multiplication each. The left side is one fixed-base multiplication
// (@noble/curves' precomputed G table). A batch that fails is checked
// again one by one, so the answer names exactly the signatures that do not verify.
import { schnorr } from '@noble/curves/secp256k1.js';
import { type KnownKey, lookUp, verifyBip340 } from './bip340-verify.js';
import { type Affine, bucketSum, equalsAffine, liftX } from './secp256k1-jacobian.js';

type Point = ReturnType<typeof schnorr.utils.lift_x>;

const { Point: Curve } = schnorr;
const Fp = Curve.Fp;
const Fn = Curve.Fn;
const HEX_KEY = /^[0-9a-f]{64}$/;

/** One BIP-340 check: a signature, its message and the signer's x-only public key. */
export interface Bip340BatchItem {
  /** 64 bytes: r (32) and s (32). */
  signature: Uint8Array;
  /** The signed message (for consent, the 32-byte digest). */
  message: Uint8Array;
  /** The x-only public key as 64 lowercase hex digits. */
  publicKeyHex: string;
  /** The same key as 32 bytes. */
  publicKey: Uint8Array;
}

// Items per equation: larger batches share the bucket sums better, smaller ones bound the
// memory and the work redone one by one when a batch fails.
const CHUNK = 2048;
// Below this many signatures the equation costs more than checking each on its own (the
// running sums of the buckets dominate), so they are checked one by one.
const MIN_BATCH = 4;

function bigintOf(bytes: Uint8Array, from: number, to: number): bigint {
  let x = 0n;
  for (let i = from; i < to; i++) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

/** What one signature contributes to the equation, or false when it fails on its own. */
interface Term {
  R: Affine;
  s: bigint;
  e: bigint;
  key: KnownKey;
}

function termOf(item: Bip340BatchItem): Term | false {
  const { signature, message, publicKeyHex, publicKey } = item;
  if (
    !(signature instanceof Uint8Array) ||
    !(message instanceof Uint8Array) ||
    !(publicKey instanceof Uint8Array) ||
    signature.length !== 64 ||
    publicKey.length !== 32 ||
    typeof publicKeyHex !== 'string' ||
    !HEX_KEY.test(publicKeyHex)
  )
    return false;
  const key = lookUp(publicKeyHex);
  if (key === undefined) return false;
  const r = bigintOf(signature, 0, 32);
  const s = bigintOf(signature, 32, 64);
  // The same bounds as the single check (and @noble/curves): r in [1, p), s in [1, n).
  if (!Fp.isValidNot0(r) || !Fn.isValidNot0(s)) return false;
  // lift_x gives the point with x = r and even y: exactly the R a valid signature has.
  const R = liftX(r);
  if (R === undefined) return false;
  const e = Fn.create(
    bigintOf(
      schnorr.utils.taggedHash('BIP0340/challenge', signature.subarray(0, 32), publicKey, message),
      0,
      32,
    ),
  );
  return { R, s, e, key };
}

/** Weights aᵢ uniform in [1, n-1] from the platform CSPRNG (never from the inputs alone). */
function randomWeights(count: number): bigint[] {
  const out: bigint[] = [];
  // getRandomValues fills at most 65,536 bytes per call.
  const block = new Uint8Array(32 * 1024);
  while (out.length < count) {
    globalThis.crypto.getRandomValues(block);
    for (let at = 0; at < block.length && out.length < count; at += 32) {
      const a = bigintOf(block, at, at + 32);
      // Outside [1, n-1] with probability below 2^-127: drawn again, as BIP-340 suggests.
      if (Fn.isValidNot0(a)) out.push(a);
    }
  }
  return out;
}

/**
 * Σ scalars[i]⋅points[i] by Pippenger's bucket method (bucketSum) on the batch
 * verifier's own Jacobian arithmetic. Not constant time: verification handles public
 * values only. Scalars are in [0, n).
 */
export function multiScalarMultiply(points: readonly Point[], scalars: readonly bigint[]): Point {
  const count = points.length;
  if (count !== scalars.length) throw new Error('points and scalars differ in length');
  const affine: Affine[] = [];
  const used: bigint[] = [];
  for (let i = 0; i < count; i++) {
    if (points[i]!.is0()) continue;
    affine.push(points[i]!.toAffine());
    used.push(scalars[i]!);
  }
  const sum = bucketSum(affine, used);
  if (sum.Z === 0n) return Curve.ZERO;
  const zInv = Fp.inv(sum.Z);
  const zInv2 = Fp.sqr(zInv);
  return Curve.fromAffine({ x: Fp.mul(sum.X, zInv2), y: Fp.mul(sum.Y, Fp.mul(zInv2, zInv)) });
}

/** True when the batch equation holds for every term (false: at least one is bad, or was unlucky never). */
function equationHolds(terms: readonly Term[]): boolean {
  const weights = randomWeights(terms.length);
  let sumS = 0n;
  const points: Affine[] = [];
  const scalars: bigint[] = [];
  // Σ aᵢeᵢ per key: one patient's grants add one point to the sum, not one each.
  const perKey = new Map<KnownKey, bigint>();
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    const a = weights[i]!;
    sumS = Fn.add(sumS, Fn.mul(a, t.s));
    points.push(t.R);
    scalars.push(a);
    perKey.set(t.key, Fn.add(perKey.get(t.key) ?? 0n, Fn.mul(a, t.e)));
  }
  for (const [key, c] of perKey) {
    points.push(key.point.toAffine());
    scalars.push(c);
  }
  const right = bucketSum(points, scalars);
  // Public values only: the variable-time walk of noble's G table is enough.
  const left = sumS === 0n ? Curve.ZERO : Curve.BASE.multiplyUnsafe(sumS);
  return equalsAffine(right, left.is0() ? undefined : left.toAffine());
}

/**
 * BIP-340 batch verification: for each item, true exactly when
 * `schnorr.verify(signature, message, publicKey)` is.
 * Signatures that fail on their own (bad length, r or s out of range, r not an x
 * coordinate, a key off the curve) are false without entering the equation; the rest are
 * checked together with random weights from the platform CSPRNG, and when the equation
 * fails each is checked one by one. An empty list gives an empty list. Never throws.
 */
export function verifyBip340Batch(items: readonly Bip340BatchItem[]): boolean[] {
  const results: boolean[] = new Array(items.length).fill(false);
  for (let from = 0; from < items.length; from += CHUNK) {
    const to = Math.min(items.length, from + CHUNK);
    const terms: Term[] = [];
    const at: number[] = [];
    for (let i = from; i < to; i++) {
      let t: Term | false;
      try {
        t = termOf(items[i]!);
      } catch {
        t = false;
      }
      if (t !== false) {
        terms.push(t);
        at.push(i);
      }
    }
    if (terms.length === 0) continue;
    let holds = false;
    if (terms.length >= MIN_BATCH) {
      try {
        holds = equationHolds(terms);
      } catch {
        holds = false;
      }
    }
    for (let j = 0; j < at.length; j++) {
      const i = at[j]!;
      if (holds) results[i] = true;
      else {
        const it = items[i]!;
        results[i] = verifyBip340(it.signature, it.message, it.publicKeyHex, it.publicKey);
      }
    }
  }
  return results;
}

// The batch verifier's own secp256k1 arithmetic against @noble/curves: lift_x, mixed and
// general additions, doubling and the bucket sum, on points and scalars from a fixed
// pseudo-random sequence plus the special cases the formulas branch on (infinity, P + P
// through the adders, P + (-P), x = 0, x >= p, x not on the curve).
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  type Affine,
  addAffine,
  addJacobian,
  bucketSum,
  double,
  equalsAffine,
  INFINITY,
  invert,
  type Jacobian,
  liftX,
  negateAffine,
} from '../../src/consent/secp256k1-jacobian.js';

const { Point: Curve } = schnorr;
const { Fp } = Curve;
const N = Curve.Fn.ORDER;
const P = Fp.ORDER;
type Point = InstanceType<typeof Curve>;

/** The i-th number of a fixed sequence, below `bound`. */
function numberOf(i: number, bound: bigint): bigint {
  const h = sha256(new TextEncoder().encode(`secp256k1-jacobian ${i}`));
  let x = 0n;
  for (const b of h) x = (x << 8n) | BigInt(b);
  return x % bound;
}

function pointOf(i: number): Point {
  return Curve.BASE.multiply(numberOf(i, N - 1n) + 1n);
}

function affineOf(p: Point): Affine {
  return p.toAffine();
}

/** The Jacobian point as a noble point, through noble's own inversion. */
function nobleOf(j: Jacobian): Point {
  if (j.Z === 0n) return Curve.ZERO;
  const zi = Fp.inv(j.Z);
  return Curve.fromAffine({ x: Fp.mul(j.X, Fp.sqr(zi)), y: Fp.mul(j.Y, Fp.pow(zi, 3n)) });
}

/** A Jacobian form of p with a Z that is not 1 (scaled by z). */
function scaled(p: Point, z: bigint): Jacobian {
  const { x, y } = p.toAffine();
  return { X: Fp.mul(x, Fp.sqr(z)), Y: Fp.mul(y, Fp.pow(z, 3n)), Z: z };
}

describe('secp256k1 Jacobian arithmetic of the batch verifier', () => {
  it('liftX equals noble lift_x on 200 x values, valid or not, and refuses x >= p', () => {
    let lifted = 0;
    let refused = 0;
    const xs = [0n, 1n, 7n, P - 1n, ...Array.from({ length: 196 }, (_, i) => numberOf(i, P))];
    for (const x of xs) {
      let want: Affine | undefined;
      try {
        want = schnorr.utils.lift_x(x).toAffine();
      } catch {
        want = undefined;
      }
      expect(liftX(x)).toEqual(want);
      if (want) lifted++;
      else refused++;
    }
    // About half of all x are on the curve: both branches ran.
    expect(lifted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(liftX(P)).toBeUndefined();
    expect(liftX(P + 1n)).toBeUndefined();
    expect(liftX(-1n)).toBeUndefined();
  });

  it('invert equals noble Fp.inv on 100 values, 1 and p - 1', () => {
    for (const x of [
      1n,
      2n,
      P - 1n,
      ...Array.from({ length: 100 }, (_, i) => numberOf(300 + i, P - 1n) + 1n),
    ]) {
      expect(invert(x)).toBe(Fp.inv(x));
    }
  });

  it('sums and doubles equal noble on 50 pairs of points, with Z = 1 and Z != 1', () => {
    for (let i = 0; i < 50; i++) {
      const a = pointOf(2 * i);
      const b = pointOf(2 * i + 1);
      const z = numberOf(1000 + i, P - 1n) + 1n;
      const want = a.add(b);
      expect(nobleOf(addAffine(scaled(a, z), affineOf(b))).equals(want)).toBe(true);
      expect(nobleOf(addJacobian(scaled(a, z), scaled(b, z + 1n))).equals(want)).toBe(true);
      expect(nobleOf(addJacobian(scaled(a, z), scaled(b, 1n))).equals(want)).toBe(true);
      expect(nobleOf(double(scaled(a, z))).equals(a.double())).toBe(true);
      expect(equalsAffine(addAffine(scaled(a, z), affineOf(b)), affineOf(want))).toBe(true);
      expect(equalsAffine(scaled(a, z), affineOf(b))).toBe(false);
    }
  });

  it('P + P through the adders doubles; P + (-P) and infinity behave', () => {
    const a = pointOf(7);
    const z = 12345n;
    const twice = a.double();
    expect(nobleOf(addAffine(scaled(a, z), affineOf(a))).equals(twice)).toBe(true);
    expect(nobleOf(addJacobian(scaled(a, z), scaled(a, z + 9n))).equals(twice)).toBe(true);
    const minus = negateAffine(affineOf(a));
    expect(Curve.fromAffine(minus).equals(a.negate())).toBe(true);
    expect(addAffine(scaled(a, z), minus).Z).toBe(0n);
    expect(addJacobian(scaled(a, z), scaled(a.negate(), 3n)).Z).toBe(0n);
    expect(nobleOf(addAffine(INFINITY, affineOf(a))).equals(a)).toBe(true);
    expect(nobleOf(addJacobian(INFINITY, scaled(a, z))).equals(a)).toBe(true);
    expect(nobleOf(addJacobian(scaled(a, z), INFINITY)).equals(a)).toBe(true);
    expect(double(INFINITY).Z).toBe(0n);
    expect(equalsAffine(INFINITY, undefined)).toBe(true);
    expect(equalsAffine(INFINITY, affineOf(a))).toBe(false);
    expect(equalsAffine(scaled(a, z), undefined)).toBe(false);
  });

  it('bucketSum equals the sum of noble multiplications, for sizes across window widths', () => {
    for (const count of [1, 2, 5, 33, 300]) {
      const points = Array.from({ length: count }, (_, i) => pointOf(5000 + i));
      const scalars = points.map((_, i) =>
        i === 0 ? N - 1n : i === 1 ? 0n : i === 2 ? 1n : numberOf(9000 + i, N),
      );
      let want = Curve.ZERO;
      for (let i = 0; i < count; i++)
        if (scalars[i]! !== 0n) want = want.add(points[i]!.multiplyUnsafe(scalars[i]!));
      const got = bucketSum(points.map(affineOf), scalars);
      expect(nobleOf(got).equals(want)).toBe(true);
    }
    // Terms that cancel: a⋅P + a⋅(-P) is infinity (the pair cancels in every bucket).
    const p = affineOf(pointOf(1));
    expect(bucketSum([p, negateAffine(p)], [N - 5n, N - 5n]).Z).toBe(0n);
    // The same point twice in each bucket (the affine doubling), and once more beside -P.
    const k = numberOf(77, N);
    const twice = Curve.fromAffine(p).multiplyUnsafe(k).double();
    expect(nobleOf(bucketSum([p, p], [k, k])).equals(twice)).toBe(true);
    expect(nobleOf(bucketSum([p, p, negateAffine(p), p], [k, k, k, k])).equals(twice)).toBe(true);
    expect(bucketSum([], []).Z).toBe(0n);
  });
});

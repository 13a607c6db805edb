import { concatBytes, equalBytes, sha256, utf8 } from '@medanchor/core';
import {
  SECP256K1_ORDER as N,
  bigintFromBytes as toBig,
  bytes32FromBigint as toBytes32,
} from '../bitcoin/big-endian.js';

// The verifier's half of the taproot commitment (docs/spec/anchor-taproot.md): one point
// addition on secp256k1 in plain bigint arithmetic. Written here rather than taken from a
// curve library because the verifier's browser bundle has a size budget that a full
// library would exceed; the inputs are public, so constant time does not matter. The
// anchorer side is checked against @noble/curves and bitcoinjs-lib in the tests.

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

type Point = { x: bigint; y: bigint } | null;

const mod = (a: bigint, m = P) => ((a % m) + m) % m;

function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = mod(b);
  while (e > 0n) {
    if (e & 1n) r = (r * x) % P;
    x = (x * x) % P;
    e >>= 1n;
  }
  return r;
}

const inv = (a: bigint) => pow(a, P - 2n);

// Jacobian coordinates (X/Z^2, Y/Z^3): additions and doublings without a field inversion,
// one inversion at the end; about ten times faster than affine double-and-add.
type Jacobian = readonly [bigint, bigint, bigint];
const INFINITY: Jacobian = [0n, 1n, 0n];

function double([x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return INFINITY;
  const yy = (y * y) % P;
  const s = (4n * x * yy) % P;
  const m = (3n * x * x) % P;
  const x3 = mod(m * m - 2n * s);
  return [x3, mod(m * (s - x3) - 8n * yy * yy), (2n * y * z) % P];
}

function addJ(a: Jacobian, b: Jacobian): Jacobian {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const z1z1 = (a[2] * a[2]) % P;
  const z2z2 = (b[2] * b[2]) % P;
  const u1 = (a[0] * z2z2) % P;
  const u2 = (b[0] * z1z1) % P;
  const s1 = (a[1] * b[2] * z2z2) % P;
  const s2 = (b[1] * a[2] * z1z1) % P;
  if (u1 === u2) return s1 === s2 ? double(a) : INFINITY;
  const h = mod(u2 - u1);
  const r = mod(s2 - s1);
  const hh = (h * h) % P;
  const hhh = (h * hh) % P;
  const v = (u1 * hh) % P;
  const x3 = mod(r * r - hhh - 2n * v);
  return [x3, mod(r * (v - x3) - s1 * hhh), (a[2] * b[2] * h) % P];
}

function toAffine([x, y, z]: Jacobian): Point {
  if (z === 0n) return null;
  const zi = inv(z);
  const zi2 = (zi * zi) % P;
  return { x: (x * zi2) % P, y: (y * zi2 * zi) % P };
}

function add(a: Point, b: Point): Point {
  if (a === null) return b;
  if (b === null) return a;
  return toAffine(addJ([a.x, a.y, 1n], [b.x, b.y, 1n]));
}

function mul(k: bigint, pt: Point): Point {
  if (pt === null) return null;
  let r: Jacobian = INFINITY;
  let q: Jacobian = [pt.x, pt.y, 1n];
  while (k > 0n) {
    if (k & 1n) r = addJ(r, q);
    q = double(q);
    k >>= 1n;
  }
  return toAffine(r);
}

/** BIP340 lift_x: the point with x-coordinate `x` and even y, or null when there is none. */
function liftX(x: bigint): Point {
  if (x >= P) return null;
  const c = mod(x * x * x + 7n);
  const y = pow(c, (P + 1n) / 4n);
  if ((y * y) % P !== c) return null;
  return { x, y: y % 2n === 0n ? y : P - y };
}

const TAP_TWEAK = sha256(utf8('TapTweak'));

/** BIP341's tweak of x-only `internalKey` with `root` in the place of the script tree root. */
export function tapTweak(internalKey: Uint8Array, root: Uint8Array): Uint8Array {
  return sha256(concatBytes(TAP_TWEAK, TAP_TWEAK, internalKey, root));
}

/**
 * The x-only output key that commits to `digest`: `lift_x(internalKey) + t·G` with
 * `t = taggedHash("TapTweak", internalKey || digest)` (BIP341, the digest standing in for
 * the script tree's merkle root). `undefined` when the key is not on the curve or the
 * tweak is out of range.
 */
export function taprootCommitmentKey(
  internalKey: Uint8Array,
  digest: Uint8Array,
): Uint8Array | undefined {
  if (internalKey.length !== 32 || digest.length !== 32) return undefined;
  const p = liftX(toBig(internalKey));
  const t = toBig(tapTweak(internalKey, digest));
  if (p === null || t >= N) return undefined;
  const q = add(p, mul(t, { x: GX, y: GY }));
  return q === null ? undefined : toBytes32(q.x);
}

/** The P2TR output script (`OP_1 0x20 <key>`) that commits to `digest`, or `undefined`. */
export function taprootCommitmentScript(
  internalKey: Uint8Array,
  digest: Uint8Array,
): Uint8Array | undefined {
  const q = taprootCommitmentKey(internalKey, digest);
  return q === undefined ? undefined : concatBytes(Uint8Array.of(0x51, 0x20), q);
}

/** True when `script` is the P2TR output that commits to `digest` under `internalKey`. */
export function isTaprootCommitment(
  script: Uint8Array,
  internalKey: Uint8Array,
  digest: Uint8Array,
): boolean {
  const want = taprootCommitmentScript(internalKey, digest);
  return want !== undefined && equalBytes(script, want);
}

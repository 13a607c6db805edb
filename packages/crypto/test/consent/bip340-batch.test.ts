// BIP-340 batch verification against @noble/curves' schnorr.verify (the reference) and the
// single fast path: the same verdict for every item of a batch, valid or not, including
// the edge cases the batch equation must not paper over; and verifyConsentGrants against
// verifyConsentGrant, grant by grant.
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '@medanchor/core';
import { schnorr } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/helpers/vectors.js';
import {
  type Bip340BatchItem,
  multiScalarMultiply,
  verifyBip340Batch,
} from '../../src/consent/bip340-batch.js';
import { clearBip340Keys, verifyBip340 } from '../../src/consent/bip340-verify.js';
import { signConsentGrant, verifyConsentGrant } from '../../src/consent/sign.js';
import { clearSignatureCache } from '../../src/consent/signature-cache.js';
import { verifyConsentGrants } from '../../src/consent/verify-grants.js';
import { aux, otherKey, p2trSigner, patientKey, sampleGrant } from './fixtures.js';

const { Point: Curve } = schnorr;
const N = Curve.Fn.ORDER;
const P_HEX = 'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f';
const N_HEX = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';

function reference(it: Bip340BatchItem): boolean {
  try {
    return schnorr.verify(it.signature, it.message, it.publicKey);
  } catch {
    return false;
  }
}

function item(sk: Uint8Array, message: Uint8Array, auxRand = new Uint8Array(32)): Bip340BatchItem {
  const publicKey = schnorr.getPublicKey(sk);
  return {
    signature: schnorr.sign(message, sk, auxRand),
    message,
    publicKeyHex: toHex(publicKey),
    publicKey,
  };
}

function withSignature(it: Bip340BatchItem, signature: Uint8Array): Bip340BatchItem {
  return { ...it, signature };
}

function bigintOf(b: Uint8Array): bigint {
  return BigInt(`0x${toHex(b)}`);
}

function bytesOf(x: bigint): Uint8Array {
  return fromHex(x.toString(16).padStart(64, '0'));
}

const msgOf = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) & 0xff);
const keyOf = (i: number) => Uint8Array.from({ length: 32 }, (_, j) => (j === 0 ? 1 : i + j));

/** Checks every item of `items` against the reference, in the batch and one by one. */
function expectAgreement(items: Bip340BatchItem[]): boolean[] {
  const got = verifyBip340Batch(items);
  expect(got).toHaveLength(items.length);
  const want = items.map(reference);
  expect(got).toEqual(want);
  expect(
    items.map((x) => verifyBip340(x.signature, x.message, x.publicKeyHex, x.publicKey)),
  ).toEqual(want);
  return got;
}

describe('verifyBip340Batch', () => {
  it('an empty batch gives an empty list; a batch of one agrees with schnorr.verify', () => {
    expect(verifyBip340Batch([])).toEqual([]);
    const good = item(patientKey, msgOf(1));
    expect(expectAgreement([good])).toEqual([true]);
    const bad = good.signature.slice();
    bad[63]! ^= 1;
    expect(expectAgreement([withSignature(good, bad)])).toEqual([false]);
  });

  it('all valid (one key, several keys): every item true', () => {
    clearBip340Keys();
    const one = Array.from({ length: 40 }, (_, i) => item(patientKey, msgOf(i)));
    expect(expectAgreement(one).every(Boolean)).toBe(true);
    const many = Array.from({ length: 30 }, (_, i) => item(keyOf(i % 5), msgOf(i)));
    expect(expectAgreement(many).every(Boolean)).toBe(true);
  });

  it('one bad signature among 64: exactly that one is false, at every position tried', () => {
    const items = Array.from({ length: 64 }, (_, i) => item(patientKey, msgOf(100 + i)));
    for (const at of [0, 17, 63]) {
      const bad = items[at]!.signature.slice();
      bad[40]! ^= 0x10;
      const batch = items.map((x, i) => (i === at ? withSignature(x, bad) : x));
      const got = expectAgreement(batch);
      expect(got.map((v, i) => (v ? -1 : i)).filter((i) => i >= 0)).toEqual([at]);
    }
  });

  it('wrong key, s >= n, s = 0, r = p, r not an x coordinate, R with odd y: false, the rest true', () => {
    const base = Array.from({ length: 12 }, (_, i) => item(patientKey, msgOf(200 + i)));
    const sig = base[0]!.signature;
    const wrongKey = {
      ...base[1]!,
      publicKey: schnorr.getPublicKey(otherKey),
      publicKeyHex: toHex(schnorr.getPublicKey(otherKey)),
    };
    const sTooBig = withSignature(
      base[2]!,
      Uint8Array.from([...base[2]!.signature.subarray(0, 32), ...fromHex(N_HEX)]),
    );
    const sZero = withSignature(
      base[3]!,
      Uint8Array.from([...base[3]!.signature.subarray(0, 32), ...new Uint8Array(32)]),
    );
    const rIsP = withSignature(
      base[4]!,
      Uint8Array.from([...fromHex(P_HEX), ...base[4]!.signature.subarray(32)]),
    );
    // The smallest x with no curve point (x^3 + 7 not a square), found rather than assumed.
    let x = 1n;
    for (;;) {
      try {
        schnorr.utils.lift_x(x);
        x++;
      } catch {
        break;
      }
    }
    const rOff = withSignature(
      base[5]!,
      Uint8Array.from([...bytesOf(x), ...base[5]!.signature.subarray(32)]),
    );
    // R with odd y: the nonce negated, s' = 2ed - s, so s'G - eP = -R (same x, odd y).
    const target = base[6]!;
    const P = Curve.BASE.multiply(bigintOf(patientKey));
    const d = P.toAffine().y % 2n === 0n ? bigintOf(patientKey) : N - bigintOf(patientKey);
    const e =
      bigintOf(
        schnorr.utils.taggedHash(
          'BIP0340/challenge',
          target.signature.subarray(0, 32),
          target.publicKey,
          target.message,
        ),
      ) % N;
    const s = bigintOf(target.signature.subarray(32));
    const sOdd = (((2n * e * d - s) % N) + N) % N;
    const oddY = withSignature(
      target,
      Uint8Array.from([...target.signature.subarray(0, 32), ...bytesOf(sOdd)]),
    );
    const keyOff = { ...base[7]!, publicKey: fromHex(P_HEX), publicKeyHex: P_HEX };
    const short = withSignature(base[8]!, sig.subarray(1));
    const batch = [wrongKey, sTooBig, sZero, rIsP, rOff, oddY, keyOff, short, ...base.slice(9)];
    const got = expectAgreement(batch);
    expect(got).toEqual([false, false, false, false, false, false, false, false, true, true, true]);
  });

  it('two bad signatures whose errors cancel in an unweighted sum are both false (the weights matter)', () => {
    // s₁ + δ and s₂ - δ: Σsᵢ⋅G = ΣRᵢ + ΣeᵢP still holds with all weights 1.
    const items = Array.from({ length: 6 }, (_, i) => item(patientKey, msgOf(300 + i)));
    const shifted = (it: Bip340BatchItem, delta: bigint) =>
      withSignature(
        it,
        Uint8Array.from([
          ...it.signature.subarray(0, 32),
          ...bytesOf((((bigintOf(it.signature.subarray(32)) + delta) % N) + N) % N),
        ]),
      );
    const batch = [shifted(items[0]!, 12345n), ...items.slice(1, 5), shifted(items[5]!, -12345n)];
    expect(expectAgreement(batch)).toEqual([false, true, true, true, true, false]);
  });

  it('more items than one equation takes (2,048): each chunk is decided on its own', () => {
    const distinct = Array.from({ length: 16 }, (_, i) => item(keyOf(i % 3), msgOf(400 + i)));
    const items = Array.from({ length: 2053 }, (_, i) => distinct[i % 16]!);
    const bad = items[2050]!.signature.slice();
    bad[10]! ^= 0x01;
    items[2050] = withSignature(items[2050]!, bad);
    const got = verifyBip340Batch(items);
    expect(got).toHaveLength(2053);
    expect(got.map((v, i) => (v ? -1 : i)).filter((i) => i >= 0)).toEqual([2050]);
  });

  it('random batches of valid and tampered signatures agree with schnorr.verify', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.integer({ min: 0, max: 3 }),
            msg: fc.uint8Array({ minLength: 32, maxLength: 32 }),
            tamper: fc.option(fc.nat(63), { freq: 4 }),
          }),
          { minLength: 2, maxLength: 24 },
        ),
        (rows) => {
          const items = rows.map((r) => {
            const x = item(keyOf(r.key), r.msg);
            if (r.tamper === null) return x;
            const bad = x.signature.slice();
            bad[r.tamper]! ^= 1;
            return withSignature(x, bad);
          });
          expectAgreement(items);
        },
      ),
      { numRuns: 12, seed: 1811 },
    );
  });

  it('multiScalarMultiply equals the sum of single multiplications (0, 1, n-1 and random scalars)', () => {
    const points = Array.from({ length: 9 }, (_, i) => Curve.BASE.multiply(BigInt(i + 2)));
    const scalars = [
      0n,
      1n,
      N - 1n,
      2n ** 255n % N,
      ...points.slice(4).map((_, i) => bigintOf(msgOf(i)) % N),
    ];
    let want = Curve.ZERO;
    for (let i = 0; i < points.length; i++)
      if (scalars[i]! !== 0n) want = want.add(points[i]!.multiply(scalars[i]!));
    expect(multiScalarMultiply(points, scalars).equals(want)).toBe(true);
    expect(multiScalarMultiply([], []).equals(Curve.ZERO)).toBe(true);
  });
});

interface Row {
  index: string;
  publicKey: string;
  message: string;
  signature: string;
  result: boolean;
}

const csv = vectorPath('bip340/test-vectors.csv');

describe('BIP-340 vectors through the batch path', () => {
  it.skipIf(csv === undefined)(
    'every row, in one batch and alone, gives its verification result',
    () => {
      const [, ...lines] = readFileSync(csv!, 'utf8').trim().split(/\r?\n/);
      const rows: Row[] = lines.map((line) => {
        const c = line.split(',');
        return {
          index: c[0]!,
          publicKey: c[2]!,
          message: c[4]!,
          signature: c[5]!,
          result: c[6] === 'TRUE',
        };
      });
      expect(rows.length).toBeGreaterThanOrEqual(15);
      const items = rows.map((r) => ({
        signature: fromHex(r.signature.toLowerCase()),
        message: fromHex(r.message.toLowerCase()),
        publicKeyHex: r.publicKey.toLowerCase(),
        publicKey: fromHex(r.publicKey.toLowerCase()),
      }));
      const want = rows.map((r) => r.result);
      expect(verifyBip340Batch(items)).toEqual(want);
      for (let i = 0; i < items.length; i++)
        expect(verifyBip340Batch([items[i]!])).toEqual([want[i]]);
      const valid = items.filter((_, i) => want[i]);
      expect(valid.length).toBeGreaterThanOrEqual(4);
      expect(verifyBip340Batch(valid).every(Boolean)).toBe(true);
    },
  );
});

describe('verifyConsentGrants', () => {
  it('gives verifyConsentGrant’s result for every grant: valid, tampered, BIP-322, malformed', () => {
    clearSignatureCache();
    clearBip340Keys();
    const grants = Array.from({ length: 20 }, (_, i) =>
      signConsentGrant(
        sampleGrant(undefined, { nonce: i.toString(16).padStart(32, '0') }),
        patientKey,
        {
          auxRand: aux,
        },
      ),
    );
    const flipped = (g: (typeof grants)[number]) =>
      `${g.signature.slice(0, 100)}${g.signature[100] === '0' ? '1' : '0'}${g.signature.slice(101)}`;
    const input: unknown[] = [
      ...grants.slice(0, 8),
      { ...grants[8]!, signature: flipped(grants[8]!) },
      { ...grants[9]!, grant: { ...grants[9]!.grant, purposes: ['HRESCH'] } },
      { ...grants[10]!, signature: grants[10]!.signature.toUpperCase() },
      signConsentGrant(sampleGrant(p2trSigner), patientKey, { auxRand: aux }),
      { ...grants[11]!, extra: 1 },
      'not a grant',
      { grant: grants[12]!.grant },
      ...grants.slice(13),
      grants[0],
    ];
    const got = verifyConsentGrants(input);
    clearSignatureCache();
    const want = input.map((g) => verifyConsentGrant(g));
    expect(got).toEqual(want);
    expect(got.filter((r) => r.valid)).toHaveLength(8 + 1 + 7 + 1);
    expect(got.filter((r) => !r.valid && r.step === 'signature')).toHaveLength(4);
    expect(verifyConsentGrants([])).toEqual([]);
  });
});

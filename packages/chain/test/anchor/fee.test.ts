import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bumpedFeeRate, chooseFeeRate } from '../../src/anchor/index.js';
import { CHANGE_DUST_LIMIT, estimateAnchorVsize, planAnchorFee } from '../../src/bitcoin.js';

const rate = fc.double({ min: 0.1, max: 2000, noNaN: true });
const policy = fc
  .tuple(rate, rate)
  .map(([a, b]) => ({ minSatPerVb: Math.min(a, b), maxSatPerVb: Math.max(a, b) }));
const keyType = fc.constantFrom('p2wpkh' as const, 'p2tr' as const);

describe('fee policy', () => {
  it('chooses a rate within the bounds for any estimate (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), policy, (estimate, p) => {
        const r = chooseFeeRate(estimate, p);
        expect(r).toBeGreaterThanOrEqual(p.minSatPerVb);
        expect(r).toBeLessThanOrEqual(p.maxSatPerVb);
      }),
    );
  });

  it('bumps strictly up by at least 1 sat/vB, never above the maximum (property)', () => {
    fc.assert(
      fc.property(policy, rate, (p, estimate) => {
        const previous = p.minSatPerVb;
        const next = bumpedFeeRate(previous, estimate, p);
        if (previous >= p.maxSatPerVb) expect(next).toBeUndefined();
        else {
          expect(next!).toBeGreaterThan(previous);
          expect(next!).toBeLessThanOrEqual(p.maxSatPerVb);
          if (p.maxSatPerVb >= previous + 1) expect(next!).toBeGreaterThanOrEqual(previous + 1);
        }
      }),
    );
  });

  it('rejects inverted or non-finite bounds with INVALID_FEE_POLICY', () => {
    expect(() => chooseFeeRate(1, { minSatPerVb: 5, maxSatPerVb: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_FEE_POLICY' }),
    );
    expect(() => chooseFeeRate(1, { minSatPerVb: 0, maxSatPerVb: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_FEE_POLICY' }),
    );
    expect(() =>
      chooseFeeRate(1, { minSatPerVb: 1, maxSatPerVb: Number.POSITIVE_INFINITY }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_FEE_POLICY' }));
  });
});

describe('fee plan', () => {
  it('splits the inputs into fee and non-dust change, paying at least the rate (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        keyType,
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        rate,
        fc.bigInt({ min: 0n, max: 5000n }),
        (inputs, type, total, r, minFee) => {
          const plan = planAnchorFee(inputs, type, total, r, minFee);
          const floor = (vsize: number) => {
            const f = BigInt(Math.ceil(r * vsize - 1e-9));
            return f > minFee ? f : minFee;
          };
          if (plan === undefined) {
            expect(total).toBeLessThan(floor(estimateAnchorVsize(inputs, type, false)));
            return;
          }
          expect(plan.fee + plan.change).toBe(total);
          expect(plan.fee).toBeGreaterThanOrEqual(floor(plan.vsize));
          if (plan.change > 0n) expect(plan.change).toBeGreaterThanOrEqual(CHANGE_DUST_LIMIT[type]);
          expect(plan.vsize).toBe(estimateAnchorVsize(inputs, type, plan.change > 0n));
        },
      ),
    );
  });
});

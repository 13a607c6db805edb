// The rolling anchor's pure decisions and the fee budget, without a devnet.
import { describe, expect, it } from 'vitest';
import {
  type AnchorRecord,
  assertWithinBudget,
  carrierOf,
  decodeAnchorState,
  encodeAnchorState,
  feeSpentSince,
  planRoll,
  strayFamilyMembers,
} from '../../src/anchor/index.js';
import { replacementPlan } from '../../src/anchor/replacement.js';
import { planAnchorFee } from '../../src/bitcoin.js';

const coin = (n: number) => ({
  txid: n.toString(16).padStart(64, '0'),
  vout: 0,
  value: 100_000n,
  script: `0014${'11'.repeat(20)}`,
});
const d = (n: number) => n.toString(16).padStart(64, 'a');
function signed(
  n: number,
  at: number,
  fee = 200n,
  coins = [coin(1)],
  signedAt = 1_000,
): AnchorRecord {
  return {
    digest: d(n),
    status: 'pending',
    coins,
    attempts: [{ txid: d(900 + n), rawTx: '00', feeRate: 1, fee, signedAtHeight: at, signedAt }],
    logSize: n,
  };
}
const waiting = (n: number): AnchorRecord => ({
  digest: d(n),
  status: 'pending',
  coins: [],
  attempts: [],
  waiting: true,
  logSize: n,
});

describe('planRoll', () => {
  it('nothing waits: none', () => {
    expect(planRoll([signed(1, 100)], 105, false).kind).toBe('none');
  });
  it('no pending transaction: the newest waiting checkpoint gets a fresh one, the others ride', () => {
    const plan = planRoll([waiting(3), waiting(5), waiting(4)], 100, false);
    expect(plan.kind).toBe('fresh');
    if (plan.kind !== 'fresh') return;
    expect(plan.target.digest).toBe(d(5));
    expect(plan.riders.map((r) => r.digest)).toEqual([d(3), d(4)]);
  });
  it('replaces at most once per block unless urgent', () => {
    const recs = [signed(1, 100), waiting(2), waiting(3)];
    expect(planRoll(recs, 100, false).kind).toBe('none');
    const urgent = planRoll(recs, 100, true);
    expect(urgent.kind).toBe('replace');
    const later = planRoll(recs, 101, false);
    expect(later.kind).toBe('replace');
    if (later.kind !== 'replace') return;
    expect(later.target.digest).toBe(d(3));
    expect(later.riders.map((r) => r.digest)).toEqual([d(2), d(1)]);
  });
  it('checkpoints older than the pending one ride on it without a transaction', () => {
    const plan = planRoll([signed(5, 100), waiting(2)], 200, false);
    expect(plan.kind).toBe('ride');
  });
  it('carrierOf follows replacedBy and stops on a loop', () => {
    const a = { ...signed(1, 1), replacedBy: d(2) };
    const b = { ...waiting(2), waiting: undefined, replacedBy: d(3) } as AnchorRecord;
    const c = signed(3, 2);
    const m = new Map([a, b, c].map((r) => [r.digest, r]));
    expect(carrierOf(m, d(1))?.digest).toBe(d(3));
    const loop = new Map([
      [d(1), { ...a, replacedBy: d(2) }],
      [d(2), { ...a, digest: d(2), replacedBy: d(1) }],
    ]);
    expect(carrierOf(loop, d(1))).toBeUndefined();
  });
  it('a crash between saving a replacement and marking the replaced one leaves a stray, found', () => {
    expect(strayFamilyMembers([signed(1, 100), signed(2, 101)]).map((r) => r.digest)).toEqual([
      d(1),
    ]);
    expect(strayFamilyMembers([signed(1, 100), signed(2, 101, 300n, [coin(2)])])).toEqual([]);
  });
});

describe('fee budget', () => {
  it('counts the highest fee of each family of replacements once, inside the window', () => {
    const a = signed(1, 100, 200n);
    const b = { ...signed(2, 101, 500n) };
    const other = signed(3, 101, 300n, [coin(7)]);
    const old = signed(4, 90, 10_000n, [coin(8)], 1_000 - 86_401);
    expect(feeSpentSince([a, b, other, old], 1_000 - 86_400)).toBe(800n);
  });
  it('a replacement pays only what it adds; past the budget it is refused with a typed error', () => {
    const a = signed(1, 100, 200n);
    const fam = `${coin(1).txid}:0`;
    expect(() => assertWithinBudget([a], { satsPerDay: 500n }, 1_000, 500n, fam)).not.toThrow();
    expect(() => assertWithinBudget([a], { satsPerDay: 500n }, 1_000, 501n, fam)).toThrow(
      expect.objectContaining({ code: 'FEE_BUDGET_EXCEEDED' }),
    );
    expect(() => assertWithinBudget([a], { satsPerDay: 500n }, 1_000, 301n, 'other:0')).toThrow(
      expect.objectContaining({ code: 'FEE_BUDGET_EXCEEDED' }),
    );
  });
});

describe('replacementPlan (BIP125 rules 3 and 4)', () => {
  const plan = (n: number, total: bigint, rate: number, minFee = 0n) =>
    planAnchorFee(n, 'p2wpkh', total, rate, minFee);
  it('pays at least the replaced fee plus 1 sat/vB of its own size', () => {
    const p = replacementPlan(plan, [{ value: 100_000n }], 1, 153n)!;
    expect(p.fee).toBe(153n + BigInt(p.vsize));
    expect(p.fee + p.change).toBe(100_000n);
  });
  it('pays the higher rate when that is more', () => {
    const p = replacementPlan(plan, [{ value: 100_000n }], 10, 153n)!;
    expect(p.fee).toBe(BigInt(Math.ceil(10 * p.vsize)));
  });
  it('undefined when the coins cannot pay it', () => {
    expect(replacementPlan(plan, [{ value: 400n }], 1, 300n)).toBeUndefined();
  });
});

describe('state file: rolling fields (anchor-transaction.md 6)', () => {
  it('round-trips waiting and carried records, logSize and signedAt', () => {
    const carried: AnchorRecord = {
      ...signed(1, 100),
      replacedBy: d(2),
    };
    const text = encodeAnchorState([waiting(3), carried, signed(2, 101)]);
    const back = decodeAnchorState(text);
    expect(back.find((r) => r.digest === d(3))).toEqual(waiting(3));
    expect(back.find((r) => r.digest === d(1))).toEqual(carried);
    expect(back.find((r) => r.digest === d(2))?.attempts[0]?.signedAt).toBe(1_000);
  });
  it('refuses malformed rolling fields with ANCHOR_STATE_CORRUPT', () => {
    const bad = (patch: Record<string, unknown>) => {
      const doc = JSON.parse(encodeAnchorState([signed(1, 100)]));
      Object.assign(doc.anchors[0], patch);
      return () => decodeAnchorState(JSON.stringify(doc));
    };
    const corrupt = expect.objectContaining({ code: 'ANCHOR_STATE_CORRUPT' });
    expect(bad({ waiting: 'yes' })).toThrow(corrupt);
    expect(bad({ replacedBy: 'not hex' })).toThrow(corrupt);
    expect(bad({ logSize: -1 })).toThrow(corrupt);
    // A record with neither a transaction nor a rolling role is damaged.
    expect(bad({ attempts: [], coins: [] })).toThrow(corrupt);
    expect(bad({ attempts: [], coins: [], waiting: true })).not.toThrow();
  });
});

// The anchorer's decisions as a pure function: no devnet, no backend, just records and views.
import { describe, expect, it } from 'vitest';
import { type AnchorView, decideAnchor, needsReorgCheck } from '../../src/anchor/decide.js';
import type { BitcoinAnchorEntry } from '../../src/anchor/entry.js';
import type { AnchorRecord } from '../../src/anchor/state.js';

const policy = { finalityDepth: 6, bumpAfterBlocks: 3 };
const hex = (c: string) => c.repeat(64);

const pending: AnchorRecord = {
  digest: hex('d'),
  status: 'pending',
  coins: [{ txid: hex('c'), vout: 0, value: 100_000n, script: `0014${'11'.repeat(20)}` }],
  attempts: [{ txid: hex('1'), rawTx: '00', feeRate: 1, fee: 150n, signedAtHeight: 100 }],
};
const twoAttempts: AnchorRecord = {
  ...pending,
  attempts: [
    ...pending.attempts,
    { txid: hex('2'), rawTx: '01', feeRate: 2, fee: 300n, signedAtHeight: 103 },
  ],
};
const confirmedInA: AnchorRecord = {
  ...pending,
  status: 'confirmed',
  confirmation: { txid: hex('1'), blockHash: hex('a'), height: 101 },
};
const entryA = {
  type: 'bitcoin',
  txid: hex('1'),
  blockHash: hex('a'),
  height: 101,
} as unknown as BitcoinAnchorEntry;

const view = (tipHeight: number, ...attempts: AnchorView['attempts']): AnchorView => ({
  tipHeight,
  attempts,
});

describe('decideAnchor', () => {
  it('records a verified confirmation and reports it', () => {
    const actions = decideAnchor(
      pending,
      view(101, { kind: 'confirmed', blockHash: hex('a'), height: 101, depth: 1 }),
      policy,
    );
    expect(actions).toEqual([
      { kind: 'save', record: { ...confirmedInA } },
      { kind: 'emit', event: { kind: 'confirmed', txid: hex('1'), height: 101 } },
    ]);
  });

  it('does nothing while the same block is still short of the finality depth', () => {
    const seen = { kind: 'confirmed', blockHash: hex('a'), height: 101, depth: 5 } as const;
    expect(decideAnchor(confirmedInA, view(200, seen), policy)).toEqual([]);
  });

  it('calls an anchor final at the finality depth of validated headers and keeps its entry', () => {
    const seen = {
      kind: 'confirmed',
      blockHash: hex('a'),
      height: 101,
      depth: 6,
      entry: entryA,
    } as const;
    const actions = decideAnchor(confirmedInA, view(106, seen), policy);
    expect(actions).toEqual([
      { kind: 'save', record: { ...confirmedInA, status: 'final', entry: entryA } },
      { kind: 'emit', event: { kind: 'final', txid: hex('1'), height: 101 } },
    ]);
  });

  it('never calls an anchor final from the tip height alone (a padded tip)', () => {
    const seen = { kind: 'confirmed', blockHash: hex('a'), height: 101, depth: 4 } as const;
    expect(decideAnchor(confirmedInA, view(101 + 100, seen), policy)).toEqual([]);
  });

  it('leaves final records alone whatever the backend says', () => {
    const final: AnchorRecord = { ...confirmedInA, status: 'final', entry: entryA };
    expect(decideAnchor(final, view(300, { kind: 'unknown' }), policy)).toEqual([]);
    expect(
      decideAnchor(
        final,
        view(300, { kind: 'confirmed', blockHash: hex('b'), height: 102, depth: 6 }),
        policy,
      ),
    ).toEqual([]);
  });

  it('holds the record, writing nothing, when the backend proof was refused', () => {
    const actions = decideAnchor(
      confirmedInA,
      view(110, { kind: 'refused', reason: 'ANCHOR_PROOF_REFUSED: merkle-root' }),
      policy,
    );
    expect(actions).toEqual([{ kind: 'hold', reason: 'ANCHOR_PROOF_REFUSED: merkle-root' }]);
  });

  it('moves a confirmed anchor to its new block after a reorg', () => {
    const seen = { kind: 'confirmed', blockHash: hex('b'), height: 102, depth: 1 } as const;
    const actions = decideAnchor(confirmedInA, view(102, seen), policy);
    expect(actions[0]).toMatchObject({
      kind: 'save',
      record: { status: 'confirmed', confirmation: { blockHash: hex('b'), height: 102 } },
    });
    expect(actions[1]).toMatchObject({ kind: 'emit', event: { kind: 'confirmed', height: 102 } });
  });

  it('returns a reorged anchor to pending only when the reorg is proven', () => {
    const attempts = [{ kind: 'mempool' } as const];
    expect(needsReorgCheck(confirmedInA, attempts)).toBe(true);
    const unproven = decideAnchor(
      confirmedInA,
      { tipHeight: 102, attempts, reorg: { proven: false, reason: 'still shows the block' } },
      policy,
    );
    expect(unproven).toEqual([{ kind: 'hold', reason: 'still shows the block' }]);
    expect(decideAnchor(confirmedInA, { tipHeight: 102, attempts }, policy)[0]?.kind).toBe('hold');

    const proven = decideAnchor(
      confirmedInA,
      { tipHeight: 102, attempts, reorg: { proven: true, reason: 'replaced' } },
      policy,
    );
    const { confirmation: _c, ...rest } = confirmedInA;
    expect(proven).toEqual([
      { kind: 'save', record: { ...rest, status: 'pending' } },
      { kind: 'emit', event: { kind: 'reorged', txid: hex('1') } },
    ]);
  });

  it('rebroadcasts after a proven reorg dropped the transaction from chain and mempool', () => {
    const actions = decideAnchor(
      confirmedInA,
      {
        tipHeight: 99,
        attempts: [{ kind: 'unknown' }],
        reorg: { proven: true, reason: 'shorter' },
      },
      policy,
    );
    expect(actions.map((a) => a.kind)).toEqual(['save', 'emit', 'rebroadcast']);
  });

  it('rebroadcasts the saved bytes of a pending anchor nobody knows (crash before broadcast)', () => {
    expect(decideAnchor(pending, view(100, { kind: 'unknown' }), policy)).toEqual([
      { kind: 'rebroadcast' },
    ]);
  });

  it('bumps the fee of the latest attempt once it waited bumpAfterBlocks', () => {
    expect(decideAnchor(pending, view(102, { kind: 'mempool' }), policy)).toEqual([]);
    expect(decideAnchor(pending, view(103, { kind: 'mempool' }), policy)).toEqual([
      { kind: 'bump' },
    ]);
    // The clock restarts with each replacement.
    const both = view(105, { kind: 'unknown' }, { kind: 'mempool' });
    expect(decideAnchor(twoAttempts, both, policy)).toEqual([]);
    expect(decideAnchor(twoAttempts, { ...both, tipHeight: 106 }, policy)).toEqual([
      { kind: 'bump' },
    ]);
  });

  it('takes the confirmation of whichever attempt confirmed (an RBF replacement)', () => {
    const actions = decideAnchor(
      twoAttempts,
      view(
        107,
        { kind: 'unknown' },
        { kind: 'confirmed', blockHash: hex('e'), height: 107, depth: 1 },
      ),
      policy,
    );
    expect(actions[0]).toMatchObject({
      kind: 'save',
      record: { status: 'confirmed', confirmation: { txid: hex('2'), blockHash: hex('e') } },
    });
  });

  it('clears the last error once confirmed', () => {
    const failing: AnchorRecord = { ...pending, lastError: 'TX_REJECTED: x' };
    const [save] = decideAnchor(
      failing,
      view(101, { kind: 'confirmed', blockHash: hex('a'), height: 101, depth: 1 }),
      policy,
    );
    expect(save).toMatchObject({ kind: 'save' });
    expect((save as { record: AnchorRecord }).record.lastError).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { type AnchorFacts, statementOf } from '../../src/index.js';

const facts = (over: Partial<AnchorFacts>): AnchorFacts => ({
  chain: 'bitcoin',
  network: { value: 'mainnet', bound: true },
  height: { value: 960_123, bound: true },
  time: { value: 1_796_000_000, bound: true },
  notLaterThan: 1_796_000_000,
  confirmations: 6,
  testNetwork: false,
  ...over,
});

describe('the sentence of a verdict', () => {
  it('level 3 on mainnet states the time, block, network, confirmations and log as facts', () => {
    expect(statementOf('clinic.example/records', 3, facts({}))).toBe(
      'existed no later than 2026-11-30 00:53:20 UTC (block 960123 on Bitcoin mainnet, 6 confirmations), in log clinic.example/records',
    );
  });

  it('level 2 says the height is claimed and gives the bound of its epoch', () => {
    const s = statementOf(
      'clinic.example/records',
      2,
      facts({
        height: { value: 900_000, bound: false },
        confirmations: undefined,
        notLaterThan: 1_790_000_000,
      }),
    );
    expect(s).toContain('no later than 2026-09-21');
    expect(s).toContain(
      'block claimed at height 900000 on Bitcoin mainnet, not checked against the chain',
    );
    expect(s).not.toContain('confirmations');
  });

  it('a time that nothing bounds is said to be claimed; test networks are labelled', () => {
    const s = statementOf(
      'dev.local/log',
      3,
      facts({
        network: { value: 'regtest', bound: false },
        time: { value: 1_700_000_000, bound: false },
        notLaterThan: undefined,
        testNetwork: true,
      }),
    );
    expect(s).toContain('as the block claims, time not bound');
    expect(s).toContain('Bitcoin regtest (claimed), 6 confirmations');
    expect(s).toMatch(/\(test network: proves nothing about time\)$/);
  });

  it('level 1 names the log and says no time is proven', () => {
    expect(statementOf('a.example/log', 1, undefined, 12)).toBe(
      'is in log a.example/log (checkpoint of 12 records); no anchor verified, so no time is proven',
    );
  });
});

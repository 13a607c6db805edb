import { describe, expect, it } from 'vitest';
import type { PageVerdict } from '../../examples/browser-verifier/levels.js';
import { plainSummary, utcWords } from '../../examples/browser-verifier/summary.js';

// The page's plain words for verdicts the Chromium test cannot produce on a devnet: a
// mainnet proof with a bound time, and a block the page could not check offline.

const mainnetFacts = {
  network: 'mainnet',
  networkBound: true,
  height: 874213,
  heightBound: true,
  time: 1796521320,
  timeBound: true,
  notLaterThan: 1796521320,
  confirmations: 6,
  testNetwork: false,
};

describe('plain-language summary', () => {
  it('a mainnet proof checked with explorers: the bound time, block, network and log; no caveat', () => {
    const v: PageVerdict = {
      state: 'valid',
      level: 3,
      rows: [],
      origin: 'clinic.example/records',
      size: 2,
      network: 'mainnet',
      facts: mainnetFacts,
      chain: {
        quorum: 2,
        confirmations: 6,
        answers: [
          { url: 'https://a.example/api', answer: 'agrees', confirmations: 6, detail: '' },
          { url: 'https://b.example/api', answer: 'agrees', confirmations: 7, detail: '' },
        ],
      },
    };
    const s = plainSummary(v);
    expect(s.headline).toBe('This record is unchanged since it was sealed');
    expect(s.sentence).toBe(
      `It existed no later than ${utcWords(1796521320)} (block 874213 on Bitcoin, 6 confirmations), in log clinic.example/records.`,
    );
    expect(s.caveat).toBeUndefined();
    expect(s.proven.map((p) => p.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(s.proven.at(-1)?.text).toContain('according to 2 of 2 block explorers');
  });

  it('a mainnet proof offline: the time the block claims, and a caveat that it is not yet proven', () => {
    const s = plainSummary({
      state: 'valid',
      level: 2,
      rows: [],
      origin: 'clinic.example/records',
      size: 1,
      network: 'mainnet',
      facts: { ...mainnetFacts, heightBound: false, timeBound: false, notLaterThan: undefined },
    } as PageVerdict);
    expect(s.sentence).toContain(`no later than ${utcWords(1796521320)}, as the block claims`);
    expect(s.caveat).toBe(
      'The time is what the block claims: it is proven only after the check with the Bitcoin network.',
    );
    expect(s.proven.at(-1)).toEqual({
      status: 'skip',
      text: 'Not yet checked with the Bitcoin network: choose block explorers below.',
    });
  });

  it('a proof that could not be checked offline is "not proven", never "does not match"', () => {
    const s = plainSummary({
      state: 'unconfirmed',
      level: 1,
      rows: [],
      origin: 'clinic.example/records',
      size: 1,
      network: 'mainnet',
      failure: {
        step: 'anchor-unchecked',
        reason: 'schedule: past the bundle',
        undetermined: true,
      },
    });
    expect(s.state).toBe('unconfirmed');
    expect(s.headline).not.toContain('does not match');
    expect(s.sentence).toContain('could not be checked in this page alone');
    expect(s.proven.map((p) => p.status)).toEqual(['pass', 'pass', 'skip']);
  });

  it('UTC words are the same in every time zone', () => {
    expect(utcWords(0)).toBe('1 January 1970, 00:00 UTC');
    expect(utcWords(1796521320)).toMatch(/^\d{1,2} \w+ 20\d\d, \d\d:\d\d UTC$/);
  });
});

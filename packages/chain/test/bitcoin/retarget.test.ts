import { describe, expect, it } from 'vitest';
import { bitsToTarget, nextBits, targetToBits } from '../../src/bitcoin/index.js';
import { mainnet, regtest, testnet4 } from '../../src/network/index.js';

describe('nextBits', () => {
  it('reproduces the mainnet retarget at height 554400 (embedded vector)', () => {
    const epochStart = { time: 1543838368, bits: 0x1731d97c };
    const last = { time: 1545175878, bits: 0x1731d97c };
    expect(nextBits(epochStart, last, mainnet)).toBe(0x17371ef4);
  });

  it('clamps a very slow epoch to four times the timespan and a very fast one to a quarter', () => {
    const bits = 0x1731d97c;
    const t = bitsToTarget(bits);
    const slow = nextBits({ time: 0, bits }, { time: 100_000_000, bits }, mainnet);
    expect(slow).toBe(targetToBits(t * 4n));
    const fast = nextBits({ time: 1000, bits }, { time: 1001, bits }, mainnet);
    expect(fast).toBe(targetToBits(t / 4n));
  });

  it('never goes above powLimit', () => {
    expect(
      nextBits({ time: 0, bits: 0x1d00ffff }, { time: 10 ** 8, bits: 0x1d00ffff }, mainnet),
    ).toBe(0x1d00ffff);
  });

  it('keeps the last bits on a noRetarget network (regtest)', () => {
    expect(nextBits({ time: 0, bits: 0x207fffff }, { time: 5, bits: 0x207fffff }, regtest)).toBe(
      0x207fffff,
    );
  });

  it('scales the epoch first bits on testnet4 (BIP94), not a minimum-difficulty last block', () => {
    const first = { time: 0, bits: 0x1c0ffff0 };
    const lastMin = { time: 1_209_600, bits: 0x1d00ffff };
    expect(nextBits(first, lastMin, testnet4)).toBe(0x1c0ffff0);
  });
});

// sha256d runs on core's batch kernel: the same bytes as two plain SHA-256 calls on random
// messages of every size SPV verification meets (headers, transactions, merkle pairs).
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256d } from '../../src/bitcoin/hash.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256d on the batch kernel', () => {
  it('equals sha256(sha256(m)) for random messages, empty and subarrays included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(16), (m, cut) => {
        expect(hex(sha256d(m))).toBe(hex(sha256(sha256(m))));
        const view = m.subarray(Math.min(cut, m.length));
        expect(hex(sha256d(view))).toBe(hex(sha256(sha256(view))));
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it("gives the genesis block's hash from its header", () => {
    const genesis = Buffer.from(
      '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
      'hex',
    );
    expect(hex(sha256d(new Uint8Array(genesis)).reverse())).toBe(
      '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    );
  });

  it('returns a fresh array each call (callers keep hashes)', () => {
    const a = sha256d(Uint8Array.of(1));
    const b = sha256d(Uint8Array.of(2));
    expect(a).not.toBe(b);
    expect(hex(a)).toBe(hex(sha256(sha256(Uint8Array.of(1)))));
  });
});

import { fromHex, isMedanchorError, toHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { hashToDisplayHex, parseMerkleBlock } from '../../src/bitcoin/index.js';
import { block80000 } from './fixtures.js';

const mb = fromHex(block80000.merkleblock);

function expectInvalid(bytes: Uint8Array, why: RegExp): void {
  try {
    parseMerkleBlock(bytes);
    expect.unreachable();
  } catch (e) {
    expect(isMedanchorError(e, 'INVALID_MERKLEBLOCK')).toBe(true);
    expect((e as Error).message).toMatch(why);
  }
}

// Layout of this merkleblock: header(80) total(4) count(1)=2 hashes(64) flagLen(1)=1 flags(1)=0x05.
const FLAG_OFFSET = 80 + 4 + 1 + 64 + 1;

describe('BIP37 merkleblock', () => {
  it('block 80000: extracts the one matched txid at index 1, reaching the header root', () => {
    const parsed = parseMerkleBlock(mb);
    expect(parsed.totalTransactions).toBe(2);
    expect(toHex(parsed.header)).toBe(block80000.header);
    expect(hashToDisplayHex(parsed.merkleRoot)).toBe(block80000.merkleRoot);
    expect(parsed.matches.map((m) => [hashToDisplayHex(m.txid), m.index])).toEqual([
      [block80000.txids[1], 1],
    ]);
  });

  it('refuses a changed hash (root mismatch)', () => {
    const bad = mb.slice();
    bad[90]! ^= 1;
    expectInvalid(bad, /merkle root/);
  });

  it('refuses flag bits that leave a hash unused', () => {
    const bad = mb.slice();
    bad[FLAG_OFFSET] = 0x00; // root not a parent of a match: one hash consumed, one left over
    expectInvalid(bad, /hashes left unused/);
  });

  it('refuses non-zero padding flag bits and unused flag bytes', () => {
    const padded = mb.slice();
    padded[FLAG_OFFSET] = 0x85;
    expectInvalid(padded, /padding/);
    const extraByte = new Uint8Array([...mb.subarray(0, FLAG_OFFSET - 1), 2, 0x05, 0x00]);
    expectInvalid(extraByte, /flag bytes left unused/);
  });

  it('refuses an extra hash, a zero count and truncation', () => {
    const extraHash = new Uint8Array([
      ...mb.subarray(0, 84),
      3,
      ...mb.subarray(85, 149),
      ...new Uint8Array(32),
      ...mb.subarray(149),
    ]);
    expectInvalid(extraHash, /unused|more hashes than transactions/);
    const zero = mb.slice();
    zero.set([0, 0, 0, 0], 80);
    expectInvalid(zero, /zero transactions|more hashes than/);
    expectInvalid(mb.subarray(0, mb.length - 1), /truncated|trailing|fewer|flag/);
  });

  it('refuses identical siblings (CVE-2012-2459)', () => {
    const bad = mb.slice();
    bad.set(mb.subarray(85, 117), 117); // second hash := first hash
    expectInvalid(bad, /CVE-2012-2459/);
  });
});

import { fromHex, isMedanchorError, toHex } from '@medanchor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitsToTarget,
  bitsWork,
  blockHashHex,
  hashFromDisplayHex,
  hashToDisplayHex,
  headerMeetsTarget,
  parseHeader,
  serializeHeader,
  targetToBits,
} from '../../src/bitcoin/index.js';
import { mainnet, regtest } from '../../src/network/index.js';
import { block80000 } from './fixtures.js';

describe('block header', () => {
  const bytes = fromHex(block80000.header);

  it('parses the fields of block 80000 and serializes back to the same bytes', () => {
    const h = parseHeader(bytes);
    expect(h.version).toBe(1);
    expect(hashToDisplayHex(h.merkleRoot)).toBe(block80000.merkleRoot);
    expect(hashToDisplayHex(h.prevHash)).toBe(
      '00000000001937917bd2caba204bb1aa530ec1de9d0f6736e5d85d96da9c8bba',
    );
    expect(h.bits).toBe(0x1b5bede6);
    expect(h.time).toBe(1284613427);
    expect(toHex(serializeHeader(h))).toBe(block80000.header);
  });

  it('hashes to the block hash in display order, and back', () => {
    expect(blockHashHex(bytes)).toBe(block80000.hash);
    expect(hashToDisplayHex(hashFromDisplayHex(block80000.hash))).toBe(block80000.hash);
  });

  it('refuses a header that is not 80 bytes with INVALID_HEADER', () => {
    expect(() => parseHeader(bytes.subarray(0, 79))).toThrow(
      expect.objectContaining({ code: 'INVALID_HEADER' }),
    );
  });

  it('meets its own target on mainnet, and a single flipped byte breaks it', () => {
    expect(headerMeetsTarget(bytes, mainnet)).toBe(true);
    const flipped = bytes.slice();
    flipped[76]! ^= 1; // nonce
    expect(headerMeetsTarget(flipped, mainnet)).toBe(false);
    expect(headerMeetsTarget(bytes.subarray(1), mainnet)).toBe(false);
  });

  it('fails when its bits claim a target above the network powLimit', () => {
    const strict = { ...mainnet, name: 'strict', powLimit: 1n << 190n };
    expect(headerMeetsTarget(bytes, strict)).toBe(false);
  });
});

describe('compact bits', () => {
  it('decodes the difficulty-1 bits and known mainnet bits', () => {
    expect(bitsToTarget(0x1d00ffff)).toBe(0xffffn << 208n);
    expect(bitsToTarget(0x1b5bede6)).toBe(0x5bede6n << 192n);
    expect(bitsToTarget(0x207fffff)).toBe(0x7fffffn << 232n);
    expect(bitsToTarget(0x03123456)).toBe(0x123456n);
    expect(bitsToTarget(0x02123456)).toBe(0x1234n);
  });

  it('encodes targets the way Bitcoin Core rounds them', () => {
    expect(targetToBits(0xffffn << 208n)).toBe(0x1d00ffff);
    expect(targetToBits(mainnet.powLimit)).toBe(0x1d00ffff);
    expect(targetToBits(regtest.powLimit)).toBe(0x207fffff);
    expect(targetToBits(0x80n)).toBe(0x02008000);
    expect(targetToBits(0n)).toBe(0);
  });

  it('refuses negative and overflowing encodings with INVALID_BITS', () => {
    for (const bits of [0x04923456, 0x23000001, -1, 2 ** 32]) {
      try {
        bitsToTarget(bits);
        expect.unreachable();
      } catch (e) {
        expect(isMedanchorError(e, 'INVALID_BITS')).toBe(true);
      }
    }
  });

  it('work of difficulty 1 is 2^32 + 2^16 + 1 hashes', () => {
    expect(bitsWork(0x1d00ffff)).toBe(0x100010001n);
  });

  it('round-trips: bits(target(bits)) is the identity on canonical bits (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 0x20 }),
        fc.integer({ min: 0x8000, max: 0x7fffff }),
        (exp, mant) => {
          const bits = ((exp << 24) | mant) >>> 0;
          expect(targetToBits(bitsToTarget(bits))).toBe(bits);
        },
      ),
    );
  });
});

// The proof-of-work step compares the header hash with its target byte by byte (the
// target of the last bits remembered); it must answer exactly what the bigint rule does.
import { describe, expect, it } from 'vitest';
import { bitsToTarget } from '../../src/bitcoin/compact.js';
import { hashToBigint } from '../../src/bitcoin/pow.js';
import { mainnet, regtest } from '../../src/network/index.js';
import { hashMeetsOwnTarget } from '../../src/spv/inclusion.js';

function reference(bits: number, hash: Uint8Array, powLimit: bigint): boolean {
  let target: bigint;
  try {
    target = bitsToTarget(bits);
  } catch {
    return false;
  }
  return target !== 0n && target <= powLimit && hashToBigint(hash) <= target;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

function headerWithBits(bits: number): Uint8Array {
  const h = new Uint8Array(80);
  new DataView(h.buffer).setUint32(72, bits, true);
  return h;
}

/** A hash near the target of `bits` (equal, one above, one below, or random). */
function hashNear(bits: number, r: () => number): Uint8Array {
  const out = new Uint8Array(32);
  let t: bigint | undefined;
  try {
    t = bitsToTarget(bits);
  } catch {
    t = undefined;
  }
  const choice = Math.floor(r() * 4);
  if (t === undefined || choice === 3) {
    for (let i = 0; i < 32; i++)
      out[i] = Math.floor(r() * 256) >> (i > 28 ? Math.floor(r() * 9) : 0);
    return out;
  }
  let v = t + BigInt(choice - 1);
  if (v < 0n) v = 0n;
  if (v >= 1n << 256n) v = (1n << 256n) - 1n;
  for (let i = 0; i < 32; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

describe('proof of work by byte compare', () => {
  it('agrees with the bigint rule on 20,000 random and edge bits and hashes', () => {
    const r = rng(2026);
    const edges = [
      0, 0x1d00ffff, 0x207fffff, 0x20800000, 0x21008000, 0x22000001, 0x01003456, 0x03123456,
      0x04923456, 0x1b0404cb, 0x170d3c1e, 0xffffffff, 0x00800000, 0x217fffff,
    ];
    let met = 0;
    let total = 0;
    for (const params of [mainnet, regtest]) {
      for (let i = 0; i < 10_000; i++) {
        // Runs of equal bits (as in one epoch) and changes between them, so the memo is used.
        const bits =
          i % 50 < 25
            ? edges[Math.floor(i / 50) % edges.length]!
            : (Math.floor(r() * 0x24) << 24) | Math.floor(r() * 0x1000000);
        const hash = hashNear(bits >>> 0, r);
        const want = reference(bits >>> 0, hash, params.powLimit);
        expect(
          hashMeetsOwnTarget(headerWithBits(bits >>> 0), hash, params.powLimit),
          `bits ${bits}`,
        ).toBe(want);
        if (want) met++;
        total++;
      }
    }
    // Both answers occur often enough to mean something.
    expect(met).toBeGreaterThan(total / 10);
    expect(total - met).toBeGreaterThan(total / 10);
  });
});

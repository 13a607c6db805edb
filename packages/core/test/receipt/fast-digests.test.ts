// The receipt verifier's fast hashing against the general helpers it stands in for, on
// random inputs: the same answers, bit for bit, so no verdict can change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkpointDigest,
  computeCommitment,
  fromHex,
  leafHash,
  MerkleLog,
  sha256,
  toHex,
  verifyInclusion,
} from '../../src/index.js';
import {
  checkpointDigestMatches,
  commitmentMatches,
  contentMatches,
  hashEqualsHex,
  hexInto,
  inclusionMatches,
  sha256Into,
} from '../../src/receipt/fast-digests.js';

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const origin = fc
  .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 255 })
  .map((cs) => String.fromCharCode(...cs));

describe('fast receipt digests', () => {
  it('sha256Into gives sha256 for empty, short and long messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (m) => {
        const out = new Uint8Array(40);
        sha256Into(m, out, 8);
        expect(toHex(out.subarray(8))).toBe(toHex(sha256(m)));
      }),
      { numRuns: 300, seed: 18 },
    );
    const big = new Uint8Array((1 << 20) + 5).fill(0xab);
    const out = new Uint8Array(32);
    sha256Into(big, out);
    expect(toHex(out)).toBe(toHex(sha256(big)));
  });

  it('hexInto decodes what fromHex decodes and refuses what it refuses', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 40 }), (s, b) => {
        for (const text of [s, toHex(b), toHex(b).toUpperCase()]) {
          const out = new Uint8Array(text.length);
          let expected: Uint8Array | undefined;
          try {
            expected = fromHex(text);
          } catch {
            expected = undefined;
          }
          const ok = hexInto(text, out, 0);
          expect(ok).toBe(expected !== undefined);
          if (expected !== undefined) expect(out.subarray(0, expected.length)).toEqual(expected);
        }
      }),
      { numRuns: 500, seed: 18 },
    );
  });

  it('hashEqualsHex is toHex(bytes) === hex, uppercase and other lengths never equal', () => {
    fc.assert(
      fc.property(hash32, hash32, fc.nat(63), (a, b, flip) => {
        const hex = toHex(a);
        expect(hashEqualsHex(a, 0, hex)).toBe(true);
        expect(hashEqualsHex(b, 0, hex)).toBe(toHex(b) === hex);
        const changed = hex.slice(0, flip) + (hex[flip] === '0' ? '1' : '0') + hex.slice(flip + 1);
        expect(hashEqualsHex(a, 0, changed)).toBe(false);
        expect(hashEqualsHex(a, 0, hex.toUpperCase())).toBe(hex === hex.toUpperCase());
        expect(hashEqualsHex(a, 0, hex.slice(2))).toBe(false);
      }),
      { numRuns: 300, seed: 18 },
    );
  });

  it('contentMatches and commitmentMatches agree with sha256 and computeCommitment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), hash32, hash32, (content, salt, other) => {
        const digest = sha256(content);
        expect(contentMatches(content, toHex(digest))).toBe(true);
        expect(contentMatches(content, toHex(other))).toBe(toHex(other) === toHex(digest));
        const c = toHex(computeCommitment(salt, digest));
        expect(commitmentMatches(toHex(salt), toHex(digest), c)).toBe(true);
        expect(commitmentMatches(toHex(other), toHex(digest), c)).toBe(
          toHex(computeCommitment(other, digest)) === c,
        );
        expect(commitmentMatches(toHex(salt), toHex(digest), toHex(other))).toBe(
          toHex(other) === c,
        );
      }),
      { numRuns: 300, seed: 18 },
    );
  });

  it('checkpointDigestMatches agrees with checkpointDigest for every origin and size', () => {
    fc.assert(
      fc.property(
        origin,
        fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        hash32,
        hash32,
        (o, size, root, other) => {
          const digest = toHex(checkpointDigest({ origin: o, size, root }));
          const cp = { origin: o, size, root: toHex(root), digest };
          expect(checkpointDigestMatches(cp)).toBe(true);
          expect(checkpointDigestMatches({ ...cp, size: size === 0 ? 1 : size - 1 })).toBe(false);
          expect(checkpointDigestMatches({ ...cp, digest: toHex(other) })).toBe(
            toHex(other) === digest,
          );
        },
      ),
      { numRuns: 300, seed: 18 },
    );
  });

  it('inclusionMatches gives verifyInclusion verdicts on real and tampered proofs', () => {
    const commitments = Array.from({ length: 37 }, (_, i) => sha256(Uint8Array.of(i)));
    const log = new MerkleLog();
    log.append(commitments.map((c) => leafHash(c)));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 37 }),
        fc.nat(36),
        fc.nat(36),
        fc.nat(7),
        (size, i, j, mutation) => {
          const index = i % size;
          const proof = log.inclusionProof(index, size);
          const root = log.root(size);
          let p = proof.map((h) => toHex(h));
          let idx = index;
          let c = commitments[index]!;
          if (mutation === 1 && p.length > 0) p = p.slice(1);
          if (mutation === 2) p = [...p, toHex(root)];
          if (mutation === 3) idx = j % size;
          if (mutation === 4) c = commitments[j]!;
          if (mutation === 5 && p.length > 0)
            p = [p[0]!.replace(/^./, p[0]![0] === 'a' ? 'b' : 'a'), ...p.slice(1)];
          const expected = verifyInclusion(
            leafHash(c),
            idx,
            size,
            p.map((h) => fromHex(h)),
            root,
          );
          expect(inclusionMatches(toHex(c), idx, size, p, toHex(root))).toBe(expected);
          if (mutation === 0) expect(expected).toBe(true);
        },
      ),
      { numRuns: 400, seed: 18 },
    );
  });
});

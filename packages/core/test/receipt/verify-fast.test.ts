// The receipt verifier's word-level hashing against the general helpers it stands in
// for, on random inputs: the same answers, bit for bit, so no verdict can change. The
// checkpoint digests it remembers and the node memo it shares are exercised warm and cold.
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
import { clearPathMemo } from '../../src/merkle/path-fold.js';
import {
  checkpointDigestMatches,
  commitmentMatches,
  contentMatches,
  inclusionMatches,
} from '../../src/receipt/verify-fast.js';

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const origin = fc
  .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 255 })
  .map((cs) => String.fromCharCode(...cs));

describe('word-level receipt digests', () => {
  it('contentMatches is toHex(sha256(content)) === digest, short and long content', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), hash32, (content, other) => {
        const digest = toHex(sha256(content));
        expect(contentMatches(content, digest)).toBe(true);
        expect(contentMatches(content, toHex(other))).toBe(toHex(other) === digest);
        expect(contentMatches(content, digest.toUpperCase())).toBe(digest === digest.toUpperCase());
      }),
      { numRuns: 300, seed: 18 },
    );
    const big = new Uint8Array((1 << 16) + 5).fill(0xab);
    expect(contentMatches(big, toHex(sha256(big)))).toBe(true);
  });

  it('commitmentMatches reads salt and digest as lowercase hex only, as receipts hold them', () => {
    fc.assert(
      fc.property(hash32, hash32, (salt, digest) => {
        const c = toHex(computeCommitment(salt, digest));
        expect(commitmentMatches(toHex(salt), toHex(digest), c)).toBe(true);
        const upper = toHex(salt).toUpperCase();
        expect(commitmentMatches(upper, toHex(digest), c)).toBe(upper === toHex(salt));
        expect(commitmentMatches(toHex(salt), toHex(digest).slice(1), c)).toBe(false);
        expect(commitmentMatches(`${toHex(salt).slice(1)}g`, toHex(digest), c)).toBe(false);
      }),
      { numRuns: 100, seed: 18 },
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

  it('inclusionMatches checks every sibling, remembered or not: case, bad hex, words path between', () => {
    const commitments = Array.from({ length: 40 }, (_, i) => sha256(Uint8Array.of(i, 9)));
    const log = new MerkleLog();
    log.append(commitments.map((c) => leafHash(c)));
    const root = toHex(log.root());
    fc.assert(
      fc.property(fc.nat(39), fc.nat(39), fc.nat(5), fc.nat(63), (i, j, what, at) => {
        const proof = log.inclusionProof(i).map((h) => toHex(h));
        // Warm the memo with this path, through the hex walk or the words walk.
        if (j % 2 === 0)
          expect(inclusionMatches(toHex(commitments[i]!), i, 40, proof, root)).toBe(true);
        else
          expect(
            verifyInclusion(leafHash(commitments[i]!), i, 40, log.inclusionProof(i), log.root()),
          ).toBe(true);
        const k = j % proof.length;
        const p = [...proof];
        const h = p[k]!;
        if (what === 0) p[k] = h.toUpperCase();
        if (what === 1) p[k] = `${h.slice(0, at)}z${h.slice(at + 1)}`;
        if (what === 2) p[k] = `${h.slice(0, at)}${h[at] === '0' ? '1' : '0'}${h.slice(at + 1)}`;
        if (what === 3) p[k] = h.slice(1);
        if (what === 4) p[k] = ` ${h.slice(1)}`;
        let expected: boolean;
        try {
          // Lowercase hex only: an element in upper case is refused (parseReceipt would).
          if (p[k] !== p[k]!.toLowerCase()) throw new Error('not lowercase');
          expected = verifyInclusion(
            leafHash(commitments[i]!),
            i,
            40,
            p.map((x) => fromHex(x)),
            log.root(),
          );
        } catch {
          expected = false;
        }
        expect(inclusionMatches(toHex(commitments[i]!), i, 40, p, root)).toBe(expected);
        if (what === 5) expect(expected).toBe(true);
      }),
      { numRuns: 400, seed: 18 },
    );
  });

  it('inclusionMatches answers the same with the node memo cleared before each claim', () => {
    const commitments = Array.from({ length: 19 }, (_, i) => sha256(Uint8Array.of(i, 7)));
    const log = new MerkleLog();
    log.append(commitments.map((c) => leafHash(c)));
    for (let size = 1; size <= 19; size++) {
      for (let index = 0; index < size; index++) {
        clearPathMemo();
        const proof = log.inclusionProof(index, size).map((h) => toHex(h));
        const root = toHex(log.root(size));
        expect(inclusionMatches(toHex(commitments[index]!), index, size, proof, root)).toBe(true);
        expect(
          inclusionMatches(toHex(commitments[(index + 1) % 19]!), index, size, proof, root),
        ).toBe(false);
      }
    }
  });
});

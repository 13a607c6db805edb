// Head-map key salts and keys are derived through node:crypto's one-shot hash where the
// runtime has it (a seal derives one per changed record) and through the package's own
// SHA-256 elsewhere (head-map-key-portable.test.ts): both must give @noble's bytes. Seeded
// random secrets, first-leaf salts and record ids (ASCII, BMP, astral characters, 1 to 1024
// UTF-16 units) against the noble formulas of the spec.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { seededUint32 } from '../../../../test/helpers/seeded-random.js';
import {
  concatBytes,
  HEAD_MAP_KEY_TAG,
  headMapKey,
  headMapKeySalt,
  taggedHash,
  toHex,
  utf8,
} from '../../src/index.js';
import { nodeOneShotHash } from '../../src/internal.js';

const bytes = (rnd: () => number, n: number) => Uint8Array.from({ length: n }, () => rnd() & 0xff);

// A record id of whole code points (no lone surrogates: the map refuses those).
function recordId(rnd: () => number): string {
  const units = 1 + (rnd() % 3 === 0 ? rnd() % 1024 : rnd() % 40);
  let s = '';
  while (s.length < units) {
    const kind = rnd() % 4;
    const cp =
      kind === 0
        ? 0x20 + (rnd() % 0x5f)
        : kind === 1
          ? 0xa0 + (rnd() % 0x700)
          : kind === 2
            ? 0x3000 + (rnd() % 0xa000) // BMP, below the surrogates
            : 0x10000 + (rnd() % 0x10000); // astral: a surrogate pair
    const ch = String.fromCodePoint(cp);
    if (s.length + ch.length > units) break;
    s += ch;
  }
  return s.length === 0 ? 'x' : s;
}

describe('head-map keys: node:crypto and the noble fallback agree', () => {
  it("runs on node:crypto's one-shot hash here (otherwise the comparison below would compare the portable path with noble)", () => {
    expect(nodeOneShotHash()).toBeTypeOf('function');
  });

  it('key salts and keys equal HMAC-SHA256 and the tagged hash on 2,000 random inputs', () => {
    const rnd = seededUint32(20261206);
    let long = 0;
    let astral = 0;
    for (let i = 0; i < 2_000; i++) {
      // A few secrets reused, so a cached per-secret state would be exercised too.
      const secret = i % 5 === 0 ? bytes(seededUint32(i % 3), 32) : bytes(rnd, 32);
      const first = bytes(rnd, 32);
      const record = recordId(rnd);
      if (record.length > 500) long++;
      if (/[\u{10000}-\u{10ffff}]/u.test(record)) astral++;
      const want = hmac(nobleSha256, secret, concatBytes(first, utf8(record)));
      const salt = headMapKeySalt(secret, first, record);
      expect(toHex(salt), `input ${i}`).toBe(toHex(want));
      expect(toHex(headMapKey(salt, record)), `input ${i}`).toBe(
        toHex(taggedHash(HEAD_MAP_KEY_TAG, salt, utf8(record))),
      );
    }
    // The seed reaches long ids and astral characters every run.
    expect(long).toBeGreaterThan(50);
    expect(astral).toBeGreaterThan(500);
  });
});

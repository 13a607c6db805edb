// The file store's index hash moved to node:crypto: the bytes on disk must not change. On
// seeded random strings (lone surrogates included, which both encode as U+FFFD) it equals
// the first 16 bytes of sha256(kind || TextEncoder's UTF-8), the layout docs/spec/storage.md gives.
import { describe, expect, it } from 'vitest';
import { seededUint32 } from '../../../../test/helpers/seeded-random.js';
import { sha256, toHex } from '../../src/index.js';
import { indexHash, KIND_KEY, KIND_RECORD } from '../../src/node/file-store/key-index.js';

describe('file store index hash', () => {
  it('equals sha256(kind || UTF-8) cut to 16 bytes on 3,000 random strings', () => {
    const rnd = seededUint32(4242);
    let lone = 0;
    for (let i = 0; i < 3_000; i++) {
      const units = Array.from({ length: rnd() % 64 }, () =>
        // Mostly ASCII, then any UTF-16 unit, surrogates (paired or lone) included.
        rnd() % 3 === 0 ? rnd() % 0x10000 : 0x20 + (rnd() % 0x5f),
      );
      const text = String.fromCharCode(...units);
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text))
        lone++;
      for (const kind of [KIND_KEY, KIND_RECORD]) {
        const want = sha256(new Uint8Array([kind, ...new TextEncoder().encode(text)]));
        expect(toHex(indexHash(kind, text)), `string ${i}`).toBe(toHex(want.subarray(0, 16)));
      }
    }
    expect(lone).toBeGreaterThan(100);
  });
});

// Key salts and keys where node:crypto is out of reach (browsers, Node before 20.16): the
// same derivation on the package's own SHA-256. Node cannot be made to lack node:crypto, so
// this file hides process.getBuiltinModule (simulated runtime) until the one-shot hash has
// been probed; the probe's answer is kept, and vitest gives each test file its own modules.
// Seeded random inputs against @noble's HMAC and the tagged hash of the spec.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(() => {
  const proc = process as { getBuiltinModule?: unknown };
  const saved = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  try {
    expect(nodeOneShotHash()).toBeUndefined();
  } finally {
    proc.getBuiltinModule = saved;
  }
});

describe('head-map keys without node:crypto (simulated runtime: getBuiltinModule hidden)', () => {
  it('key salts and keys equal HMAC-SHA256 and the tagged hash on 500 random inputs', () => {
    const rnd = seededUint32(7_2026);
    for (let i = 0; i < 500; i++) {
      // Secrets change and repeat, so the cached HMAC pads are remade and reused.
      const secret = i % 4 === 0 ? bytes(seededUint32(i % 3), 32) : bytes(rnd, 32);
      const first = bytes(rnd, 32);
      const units = 1 + (rnd() % (i % 10 === 0 ? 1024 : 30));
      const record = Array.from(
        { length: units },
        () => String.fromCharCode(0x20 + (rnd() % 0x5f), 0xe9, 0x4e2d)[rnd() % 3],
      ).join('');
      const salt = headMapKeySalt(secret, first, record);
      expect(toHex(salt), `input ${i}`).toBe(
        toHex(hmac(nobleSha256, secret, concatBytes(first, utf8(record)))),
      );
      expect(toHex(headMapKey(salt, record)), `input ${i}`).toBe(
        toHex(taggedHash(HEAD_MAP_KEY_TAG, salt, utf8(record))),
      );
    }
    // Still the portable path: the probe's answer was kept.
    expect(nodeOneShotHash()).toBeUndefined();
  });
});

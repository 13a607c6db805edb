import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  fromHex,
  MedanchorError,
  sha256,
  taggedHash,
  toHex,
  utf8,
} from '../src/index.js';

describe('bytes and hashing basics', () => {
  it('round-trips hex and rejects malformed hex with INVALID_HEX', () => {
    const b = Uint8Array.from([0, 1, 0xab, 0xff]);
    expect(toHex(b)).toBe('0001abff');
    expect(fromHex('0001ABff')).toEqual(b);
    for (const bad of ['0', 'zz', '0x00']) {
      expect(() => fromHex(bad)).toThrowError(MedanchorError);
      try {
        fromHex(bad);
      } catch (e) {
        expect((e as MedanchorError).code).toBe('INVALID_HEX');
      }
    }
  });

  it('sha256 matches node:crypto', () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 1000]) {
      const data = new Uint8Array(len).map((_, i) => i * 7);
      expect(toHex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('taggedHash is sha256(sha256(tag)||sha256(tag)||data) (BIP-340 construction)', () => {
    const t = createHash('sha256').update('BIP0340/challenge').digest();
    const want = createHash('sha256').update(t).update(t).update('abc').digest('hex');
    expect(toHex(taggedHash('BIP0340/challenge', utf8('abc')))).toBe(want);
    expect(toHex(taggedHash('BIP0340/challenge', utf8('a'), utf8('bc')))).toBe(want);
    expect(concatBytes(utf8('a'), utf8('bc'))).toEqual(utf8('abc'));
  });
});

import { describe, expect, it } from 'vitest';
import { isMedanchorError, sha256, sha256PrefixedBatchPortable } from '../../src/index.js';

describe('sha256PrefixedBatchPortable', () => {
  it('gives sha256(prefix || message) for every length around the block boundaries', () => {
    for (let len = 0; len <= 200; len++) {
      const msg = Uint8Array.from({ length: len * 3 }, (_, i) => (i * 31 + len) & 0xff);
      const out = new Uint8Array(96);
      sha256PrefixedBatchPortable(0x5a, msg, len, 3, out);
      for (let i = 0; i < 3; i++) {
        const want = sha256(Uint8Array.of(0x5a, ...msg.subarray(i * len, (i + 1) * len)));
        expect(out.subarray(i * 32, i * 32 + 32)).toEqual(want);
      }
    }
  });

  it('refuses bad arguments with the typed errors of the dispatcher', () => {
    const codes: string[] = [];
    const attempts: Array<() => void> = [
      () => sha256PrefixedBatchPortable(0, null as never, 1, 1, new Uint8Array(32)),
      () => sha256PrefixedBatchPortable(256, new Uint8Array(1), 1, 1, new Uint8Array(32)),
      () => sha256PrefixedBatchPortable(0, new Uint8Array(1), 2, 1, new Uint8Array(32)),
      () => sha256PrefixedBatchPortable(0, new Uint8Array(1), 1, 1, new Uint8Array(31)),
    ];
    for (const attempt of attempts) {
      try {
        attempt();
      } catch (e) {
        if (isMedanchorError(e)) codes.push(e.code);
      }
    }
    expect(codes).toEqual(['INVALID_TYPE', 'INVALID_ARGUMENT', 'INVALID_LENGTH', 'INVALID_LENGTH']);
  });
});

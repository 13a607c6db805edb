import { concatBytes, isMedanchorError, sha256 } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { readOts, writeOts } from '../../src/ots/index.js';

// One proof, one encoding: a varuint with a redundant trailing zero byte reads as the
// same number, so accepting it would give a proof two byte forms.
describe('readOts refuses non-minimal varuints', () => {
  const file = {
    fileHash: 'sha256' as const,
    digest: sha256(new Uint8Array([1, 2, 3])),
    timestamp: { attestations: [{ type: 'bitcoin' as const, height: 5 }], ops: [] },
  };
  const good = writeOts(file);
  // Layout: 31-byte magic, version varuint (0x01), 0x08 (sha256), 32-byte digest,
  // 0x00 attestation marker, 8-byte tag, payload length varuint, height varuint.
  const versionAt = 31;
  const lengthAt = 31 + 1 + 1 + 32 + 1 + 8;

  it('the minimal form reads back', () => {
    expect(readOts(good).timestamp.attestations).toEqual([{ type: 'bitcoin', height: 5 }]);
  });

  it('a version written as 0x81 0x00 is refused with OTS_INVALID', () => {
    const bad = concatBytes(
      good.subarray(0, versionAt),
      Uint8Array.of(0x81, 0x00),
      good.subarray(versionAt + 1),
    );
    expect(() => readOts(bad)).toThrow(/non-minimal varuint/);
    try {
      readOts(bad);
    } catch (e) {
      expect(isMedanchorError(e, 'OTS_INVALID')).toBe(true);
    }
  });

  it('a payload length and a height padded with 0x80 0x00 are refused', () => {
    // Length 1 (the height byte 0x05) as 0x81 0x00.
    const len = concatBytes(
      good.subarray(0, lengthAt),
      Uint8Array.of(0x81, 0x00),
      good.subarray(lengthAt + 1),
    );
    expect(() => readOts(len)).toThrow(expect.objectContaining({ code: 'OTS_INVALID' }));
    // Height 5 as 0x85 0x00 inside a 2-byte payload.
    const height = concatBytes(
      good.subarray(0, lengthAt),
      Uint8Array.of(0x02, 0x85, 0x00),
      good.subarray(lengthAt + 2),
    );
    expect(() => readOts(height)).toThrow(/non-minimal/);
  });

  it('zero itself (a single 0x00) and multi-byte minimal values still read', () => {
    const big = {
      ...file,
      timestamp: { attestations: [{ type: 'bitcoin' as const, height: 900_000 }], ops: [] },
    };
    expect(readOts(writeOts(big)).timestamp.attestations[0]).toEqual({
      type: 'bitcoin',
      height: 900_000,
    });
    const zero = {
      ...file,
      timestamp: { attestations: [{ type: 'bitcoin' as const, height: 0 }], ops: [] },
    };
    expect(readOts(writeOts(zero)).timestamp.attestations[0]).toEqual({
      type: 'bitcoin',
      height: 0,
    });
  });

  it('input that is not bytes is OTS_INVALID', () => {
    for (const bad of [null, undefined, 'x', {}, [1, 2]]) {
      expect(() => readOts(bad as unknown as Uint8Array)).toThrow(
        expect.objectContaining({ code: 'OTS_INVALID' }),
      );
    }
  });
});

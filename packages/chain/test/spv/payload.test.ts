import { isMedanchorError, toHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import {
  ANCHOR_MAGIC,
  ANCHOR_PAYLOAD_SIZE,
  anchorOutputScript,
  createSpvProof,
  decodeAnchorScript,
  encodeAnchorPayload,
  findAnchorPayload,
} from '../../src/spv/index.js';
import { anchorTx } from './fixture.js';

const digest = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('anchor payload', () => {
  it('is "MDA1" followed by the digest, 36 bytes, in a 38-byte OP_RETURN script', () => {
    expect(new TextDecoder().decode(ANCHOR_MAGIC)).toBe('MDA1');
    const payload = encodeAnchorPayload(digest);
    expect(payload.length).toBe(ANCHOR_PAYLOAD_SIZE);
    expect(toHex(payload)).toBe(`4d444131${toHex(digest)}`);
    expect(toHex(anchorOutputScript(digest))).toBe(`6a24${toHex(payload)}`);
    expect(decodeAnchorScript(anchorOutputScript(digest))).toEqual(digest);
  });

  it('refuses a digest that is not 32 bytes', () => {
    try {
      encodeAnchorPayload(new Uint8Array(31));
      expect.unreachable();
    } catch (e) {
      expect(isMedanchorError(e, 'INVALID_LENGTH')).toBe(true);
    }
  });

  it('decodeAnchorScript ignores other OP_RETURN shapes', () => {
    const s = anchorOutputScript(digest);
    const otherMagic = s.slice();
    otherMagic[5] = 0x32; // "MDA2"
    const pushdata1 = Uint8Array.of(0x6a, 0x4c, 0x24, ...s.subarray(2));
    for (const x of [otherMagic, pushdata1, s.subarray(0, 37), Uint8Array.of(0x6a)]) {
      expect(decodeAnchorScript(x)).toBeUndefined();
    }
  });

  it('findAnchorPayload finds the anchor output of a segwit transaction and counts anchors', () => {
    const found = findAnchorPayload(anchorTx(digest));
    expect(found).toMatchObject({ outputIndex: 1, anchorCount: 1 });
    expect(found?.digest).toEqual(digest);
    const two = findAnchorPayload(anchorTx(digest, [anchorOutputScript(new Uint8Array(32))]));
    expect(two?.anchorCount).toBe(2);
    expect(findAnchorPayload(anchorTx(digest).slice())?.payload).toEqual(
      encodeAnchorPayload(digest),
    );
  });

  it('createSpvProof refuses a transaction without an anchor output (INVALID_PROOF)', () => {
    const raw = anchorTx(digest);
    // Turn the anchor script's magic into something else.
    const at = toHex(raw).indexOf('6a244d444131') / 2;
    const noAnchor = raw.slice();
    noAnchor[at + 2] = 0;
    try {
      createSpvProof({
        network: 'regtest',
        rawTx: noAnchor,
        header: new Uint8Array(80),
        height: 1,
        position: 0,
        siblings: [],
        txCount: 1,
      });
      expect.unreachable();
    } catch (e) {
      expect(isMedanchorError(e, 'INVALID_PROOF')).toBe(true);
    }
  });
});

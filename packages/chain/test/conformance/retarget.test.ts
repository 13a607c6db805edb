import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listVectorFiles, readVectorJson, vectorPath } from '../../../../test/helpers/vectors.js';
import { nextBits } from '../../src/bitcoin/index.js';
import { networkByName } from '../../src/network/index.js';

interface RetargetVector {
  network: string;
  epochStartHeight: number;
  epochStartTime: number;
  lastHeight: number;
  lastTime: number;
  lastBits: string;
  newHeight: number;
  expectedBits: string;
}

const dir = vectorPath('bitcoin/retarget');
const files = dir === undefined ? [] : listVectorFiles('bitcoin/retarget');

describe('conformance: difficulty retargets (bitcoin/retarget)', () => {
  it.skipIf(!dir)('the folder holds retarget vectors', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const v = readVectorJson<RetargetVector>(file);
    it(`${basename(file)}: nextBits at ${v.newHeight} is ${v.expectedBits}`, () => {
      const params = networkByName(v.network ?? 'mainnet');
      expect(v.newHeight % params.retarget.interval).toBe(0);
      expect(v.newHeight - v.epochStartHeight).toBe(params.retarget.interval);
      const lastBits = Number.parseInt(v.lastBits, 16);
      const bits = nextBits(
        { time: v.epochStartTime, bits: lastBits },
        { time: v.lastTime, bits: lastBits },
        params,
      );
      expect(`0x${bits.toString(16).padStart(8, '0')}`).toBe(v.expectedBits);
    });
  }
});

// Writers hold a proof to level 2, the difficulty schedule included, and past the end of
// the schedule to every other step (they check the block against the backend's chain too).
import { describe, expect, it } from 'vitest';
import { decodeBitcoinAnchorEntry, verifyProofForWriting } from '../../src/anchor/index.js';
import { regtest } from '../../src/network/index.js';
import type { DifficultySchedule } from '../../src/schedule/index.js';
import { verifySpvProof } from '../../src/spv/index.js';
import { digestOf, fundedDevnet, testAnchorer, testFundingKey } from './setup.js';

async function anchoredProof() {
  const key = testFundingKey('writing', 'p2wpkh');
  const devnet = await fundedDevnet(key, 1);
  const { anchorer } = await testAnchorer(devnet, key);
  const digest = digestOf('writing');
  await anchorer.anchor(digest);
  await devnet.test.mine(1);
  await anchorer.sync();
  const proof = decodeBitcoinAnchorEntry((await anchorer.entry(digest))!);
  return { proof, digest };
}

// A schedule FIXTURE of 50-block epochs; `bits` per epoch, no times (not checked then).
const fixture = (epochs: number, bits: number): DifficultySchedule => ({
  network: 'regtest',
  interval: 50,
  anchorFloor: 0,
  epochs: Array.from({ length: epochs }, () => ({ bits })),
});

describe('verifyProofForWriting', () => {
  it('accepts a proof past the end of the schedule on every other step, and only then', async () => {
    const { proof, digest } = await anchoredProof();
    expect(proof.height).toBeGreaterThan(100);
    const short = fixture(2, 0x207fffff); // ends at height 99
    const offline = verifySpvProof(proof, {
      params: regtest,
      expectedPayload: digest,
      schedule: short,
    });
    expect(offline).toMatchObject({ ok: false, step: 'schedule', undetermined: true });
    expect(verifyProofForWriting(proof, regtest, digest, short)).toMatchObject({ ok: true });
    // Past the schedule, a wrong digest is still refused.
    const other = digestOf('another checkpoint');
    expect(verifyProofForWriting(proof, regtest, other, short)).toMatchObject({
      ok: false,
      step: 'payload',
    });
  });

  it('refuses a proof the schedule covers and contradicts', async () => {
    const { proof, digest } = await anchoredProof();
    const wrongBits = fixture(10, 0x201fffff);
    const r = verifyProofForWriting(proof, regtest, digest, wrongBits);
    expect(r.ok).toBe(false);
    expect(r.ok ? undefined : r.undetermined).not.toBe(true);
  });
});

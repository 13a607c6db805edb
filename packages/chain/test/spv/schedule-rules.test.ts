import { sha256 } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/bitcoin/header.js';
import {
  bitcoinMerkleBranch,
  bitcoinMerkleRoot,
  headerMeetsTarget,
  serializeHeader,
  txidOf,
} from '../../src/bitcoin/index.js';
import { regtest } from '../../src/network/index.js';
import {
  bundledSchedule,
  checkHeaderAgainstSchedule,
  type DifficultySchedule,
} from '../../src/schedule/index.js';
import { createSpvProof, type SpvProof, verifySpvProof } from '../../src/spv/index.js';
import { anchorTx } from './fixture.js';

// A schedule FIXTURE with targets a test reaches in a few hashes: epoch k has bits
// 0x20{7f,3f,1f}ffff and began at T0 + k weeks*2; the anchor floor is epoch 1.
const T0 = 1_800_000_000;
const SPAN = 14 * 24 * 3600;
const BITS = [0x207fffff, 0x203fffff, 0x201fffff, 0x200fffff];
const fixture: DifficultySchedule = {
  network: 'regtest',
  interval: 2016,
  anchorFloor: 2016,
  epochs: BITS.map((bits, k) => ({ bits, firstTime: T0 + k * SPAN })),
};

const digest = sha256(Uint8Array.of(7));

/** An anchor in a block mined for real at `bits` and `time`, claimed at `height`. */
function mined(height: number, bits: number, time: number): SpvProof {
  const raw = anchorTx(digest);
  const txids = [sha256(Uint8Array.of(1)), txidOf(raw)];
  for (let nonce = 0; ; nonce++) {
    const header = serializeHeader({
      version: 0x20000000,
      prevHash: new Uint8Array(32).fill(3),
      merkleRoot: bitcoinMerkleRoot(txids),
      time,
      bits,
      nonce,
    });
    if (headerMeetsTarget(header, regtest))
      return createSpvProof({
        network: 'regtest',
        rawTx: raw,
        header,
        height,
        position: 1,
        siblings: bitcoinMerkleBranch(txids, 1),
        txCount: 2,
      });
  }
}

const check = (proof: SpvProof, extra = {}) =>
  verifySpvProof(proof, { params: regtest, expectedPayload: digest, schedule: fixture, ...extra });

describe('level 2 against a difficulty schedule (fixture, low difficulty)', () => {
  const height = 2 * 2016 + 10;
  const inEpoch2 = T0 + 2 * SPAN + 3600;

  it('accepts a header with its epoch bits and a time in its epoch; the facts say which epoch', () => {
    const r = check(mined(height, BITS[2]!, inEpoch2));
    expect(r).toMatchObject({
      ok: true,
      height,
      time: inEpoch2,
      schedule: { epoch: 2, heights: { first: 4032, last: 6047 } },
    });
    if (r.ok) expect(r.schedule?.window.to).toBe(T0 + 3 * SPAN + 4 * 3600);
  });

  it('wrong bits for the epoch → bits', () => {
    expect(check(mined(height, BITS[1]!, inEpoch2))).toMatchObject({ ok: false, step: 'bits' });
  });

  it('a time outside the epoch (either side, past the tolerance) → time', () => {
    const late = T0 + 3 * SPAN + 5 * 3600;
    const early = T0 + 2 * SPAN - 5 * 3600;
    expect(check(mined(height, BITS[2]!, late))).toMatchObject({ ok: false, step: 'time' });
    expect(check(mined(height, BITS[2]!, early))).toMatchObject({ ok: false, step: 'time' });
    // Inside the tolerance passes.
    expect(check(mined(height, BITS[2]!, T0 + 3 * SPAN + 3 * 3600)).ok).toBe(true);
  });

  it('a height below the anchor floor → floor', () => {
    expect(check(mined(100, BITS[0]!, T0 + 60))).toMatchObject({ ok: false, step: 'floor' });
    // A caller may lower the floor.
    expect(check(mined(100, BITS[0]!, T0 + 60), { minHeight: 0 }).ok).toBe(true);
  });

  it('past the schedule end → schedule, undetermined (only level 3 can pass)', () => {
    const r = check(mined(4 * 2016 + 1, BITS[3]!, T0 + 4 * SPAN + 60));
    expect(r).toMatchObject({ ok: false, step: 'schedule', undetermined: true });
    if (!r.ok) expect(r.reason).toMatch(/past the end of the bundled difficulty schedule \(8063\)/);
  });

  it('an edited height → bits (another epoch) or time (same bits, another time)', () => {
    const proof = mined(height, BITS[2]!, inEpoch2);
    expect(check({ ...proof, height: 2016 + 5 })).toMatchObject({ ok: false, step: 'bits' });
    const flat: DifficultySchedule = {
      ...fixture,
      epochs: fixture.epochs.map((e) => ({ ...e, bits: BITS[2]! })),
    };
    expect(check({ ...proof, height: 3 * 2016 + 5 }, { schedule: flat })).toMatchObject({
      ok: false,
      step: 'time',
    });
  });

  it('a target worth less than the work floor → work', () => {
    expect(check(mined(height, BITS[2]!, inEpoch2), { minWork: 1n << 20n })).toMatchObject({
      ok: false,
      step: 'work',
    });
  });

  it('without a schedule (regtest default) the rules do not run and nothing is bound', () => {
    const r = verifySpvProof(mined(5, 0x207fffff, T0), {
      params: regtest,
      expectedPayload: digest,
    });
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.schedule).toBeUndefined();
  });

  it('the attack of issue 13: a difficulty-1 header on mainnet is refused at any claimed height', () => {
    // Mining a real difficulty-1 header takes ~2^32 hashes; the schedule rule does not look at
    // the nonce, so a header that claims those bits shows the refusal without the minute of work.
    const schedule = bundledSchedule('mainnet')!;
    const forged = { ...parseHeader(mined(1, 0x207fffff, T0).header), bits: 0x1d00ffff };
    expect(checkHeaderAgainstSchedule(forged, 954_000, schedule)).toMatchObject({
      ok: false,
      step: 'bits',
    });
    expect(checkHeaderAgainstSchedule(forged, 925_000, schedule, { minHeight: 0 })).toMatchObject({
      ok: false,
      step: 'bits',
    });
    expect(checkHeaderAgainstSchedule(forged, 925_000, schedule)).toMatchObject({
      ok: false,
      step: 'floor',
    });
    expect(checkHeaderAgainstSchedule(forged, 960_000, schedule)).toMatchObject({
      ok: false,
      step: 'schedule',
      undetermined: true,
    });
  });
});

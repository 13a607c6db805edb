// replayHeadMap (the head map rebuilt from the ledger's leaves through the seal's own update):
// into an empty map under the same secret it gives every signed root and the same proofs;
// under another secret, or after a forget of a sealed record, it stops at the first
// checkpoint it cannot reproduce. Memory stores, fixed records.
import {
  generateNoteKey,
  type LedgerStore,
  memoryHeadMapStore,
  memoryLedgerStore,
  utf8,
} from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { checkpointMapRoot, openLedger, replayHeadMap } from '../../src/ledger/index.js';

const ORIGIN = 'clinic.example/head-map-replay';
const logKey = generateNoteKey(ORIGIN);
const SECRET = new Uint8Array(32).fill(5);

const ROUNDS = [
  ['Consent/c-1', 'Observation/o-1'],
  ['Observation/o-1', 'Observation/o-1', 'Patient/p-1'],
  ['Consent/c-1', 'Observation/o-2'],
];

/** A log sealed in ROUNDS (plus one unmapped leaf per round), its map and checkpoint sizes. */
async function sealedLog() {
  const store = memoryLedgerStore({ origin: ORIGIN });
  const map = memoryHeadMapStore({ secret: SECRET });
  const ledger = await openLedger({ store, pollMs: 0, signer: logKey, headMap: { store: map } });
  const sizes: number[] = [];
  for (const [r, records] of ROUNDS.entries()) {
    for (const [i, recordId] of records.entries())
      await ledger.add(utf8(`${recordId} ${r}.${i}`), { recordId });
    await ledger.add(utf8(`no record id ${r}`));
    sizes.push((await ledger.seal())!.checkpoint.size);
  }
  await ledger.close();
  return { store, map, sizes };
}

async function proofsOf(
  store: LedgerStore,
  map: ReturnType<typeof memoryHeadMapStore>,
  sizes: number[],
) {
  const ledger = await openLedger({ store, pollMs: 0, signer: logKey, headMap: { store: map } });
  try {
    const out: unknown[] = [];
    for (const record of ['Consent/c-1', 'Observation/o-1', 'Patient/p-1', 'Nobody/n-1'])
      for (const size of sizes) out.push(await ledger.headProof(record, { size }));
    return out;
  } finally {
    await ledger.close();
  }
}

describe('replayHeadMap', () => {
  it('rebuilds every signed root under the same secret: the same proofs at every checkpoint', async () => {
    const { store, map, sizes } = await sealedLog();
    const rebuilt = memoryHeadMapStore({ secret: SECRET });
    expect(await replayHeadMap(store, rebuilt)).toEqual({
      ok: true,
      checkpoints: 3,
      size: sizes[2],
    });
    expect(rebuilt.size).toBe(map.size);
    expect(await proofsOf(store, rebuilt, sizes)).toEqual(await proofsOf(store, map, sizes));
  });

  it('under another secret it stops at the first checkpoint and names its size', async () => {
    const { store, sizes } = await sealedLog();
    expect(await replayHeadMap(store, memoryHeadMapStore({ secret: new Uint8Array(32) }))).toEqual({
      ok: false,
      size: sizes[0],
      checkpoints: 0,
    });
  });

  it('a record forgotten after its seal cannot be replayed (its key bound the erased salt)', async () => {
    const { store, sizes } = await sealedLog();
    await store.forget('Patient/p-1', Date.now());
    expect(await replayHeadMap(store, memoryHeadMapStore({ secret: SECRET }))).toEqual({
      ok: false,
      size: sizes[1],
      checkpoints: 1,
    });
  });

  it('a log that signs no map: nothing to replay; checkpointMapRoot reads the line', async () => {
    const store = memoryLedgerStore({ origin: ORIGIN });
    const ledger = await openLedger({ store, pollMs: 0, signer: logKey });
    await ledger.add(utf8('x'), { recordId: 'Observation/o-1' });
    const cp = (await ledger.seal())!.checkpoint;
    await ledger.close();
    expect(checkpointMapRoot((await store.latestCheckpoint())!)).toBeUndefined();
    expect(await replayHeadMap(store, memoryHeadMapStore({ secret: SECRET }))).toEqual({
      ok: true,
      checkpoints: 0,
      size: cp.size,
    });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../../../../test/helpers/bundle-child.js';
import { repoPath } from '../../../../test/helpers/vectors.js';
import type { Devnet } from '../../src/devnet/index.js';
import { type EsploraServer, serveEsplora } from '../../src/node/devnet-server.js';
import { findAnchorPayload } from '../../src/spv/index.js';
import { lastKillPhase, runPhaseChild } from '../helpers/phase-child.js';
import { digestOf, fundedDevnet, testFundingKey } from './setup.js';

const RUNS = 20;
const KEY_LABEL = 'crash';
const KEY_TYPE = 'p2wpkh';
const childSource = repoPath('packages', 'chain', 'test', 'anchor', 'crash-child.ts');
/** Every transaction of the devnet's best chain (above `fromHeight`) and mempool. */
async function allTransactions(devnet: Devnet, fromHeight: number): Promise<Transaction[]> {
  const tip = await devnet.tip();
  const txids: string[] = [];
  for (let h = fromHeight; h <= tip.height; h++) {
    const header = await devnet.headerByHeight(h);
    txids.push(...(await devnet.blockInfo(header.hash)).txids.slice(1));
  }
  txids.push(...(await devnet.test.mempool()));
  return Promise.all(txids.map(async (id) => Transaction.fromBuffer(await devnet.transaction(id))));
}

function outpointsOf(tx: Transaction): string {
  return tx.ins
    .map((i) => `${toHex(Uint8Array.from(i.hash).reverse())}:${i.index}`)
    .sort()
    .join(',');
}

describe('anchorer crash safety with real processes (SIGKILL at random points)', () => {
  let devnet: Devnet;
  let server: EsploraServer;
  let dir: string;
  let bundle: string;
  let startHeight: number;

  beforeAll(async () => {
    devnet = await fundedDevnet(testFundingKey(KEY_LABEL, KEY_TYPE), 2 * RUNS + 4);
    startHeight = (await devnet.tip()).height + 1;
    server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
    dir = mkdtempSync(join(tmpdir(), 'medanchor-crash-'));
    // One bundle for all runs: a child then starts in a fraction of a second.
    bundle = bundleChild(childSource, dir);
  });

  afterAll(async () => {
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(`after ${RUNS} kills and restarts no anchor is lost and no checkpoint is paid for twice`, async () => {
    const statePath = join(dir, 'anchors.json');
    const base = [server.url, statePath, KEY_LABEL, KEY_TYPE];
    const killedAfter: Record<string, number> = {};
    const digests: string[] = [];
    let previous: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const batch = [toHex(digestOf(`crash ${run} a`)), toHex(digestOf(`crash ${run} b`))];
      digests.push(...batch);
      // Each child is also the restart of the one killed before it: it resumes from the
      // state file, anchors the previous digests again (a no-op), then two new ones.
      // Each new digest goes through signed, recorded, broadcast: kill after one of the six,
      // each in turn (random draws could miss the before- or after-broadcast kills checked
      // below), a random delay after it.
      const killed = await runPhaseChild(bundle, [...base, ...previous, ...batch], {
        killAt: 1 + (run % 6),
        afterMs: Math.floor(Math.random() * 25),
      });
      const last = lastKillPhase(killed);
      killedAfter[last] = (killedAfter[last] ?? 0) + 1;
      previous = batch;
      // Confirm now and then, so later runs have confirmed change to spend.
      if (run % 2 === 1) await devnet.test.mine(1);
    }
    // A last restart, not killed, resumes everything and anchors every digest again.
    // Whether a digest got a second transaction with other inputs is checked below on
    // the chain itself (a bump re-signs, but spends the same inputs).
    const final = await runPhaseChild(bundle, [...base, ...digests]);
    expect(final.done).toBe(true);
    await devnet.test.mine(1);

    // Every digest is anchored by exactly one family of transactions (same inputs).
    const families = new Map<string, Set<string>>();
    for (const tx of await allTransactions(devnet, startHeight)) {
      const found = findAnchorPayload(tx.toBuffer());
      if (found === undefined) continue;
      const d = toHex(found.digest);
      let set = families.get(d);
      if (set === undefined) {
        set = new Set();
        families.set(d, set);
      }
      set.add(outpointsOf(tx));
    }
    for (const d of digests) {
      expect(families.get(d)?.size, `digest ${d.slice(0, 8)}`).toBe(1);
    }
    expect(families.size).toBe(digests.length);
    // The kills landed both before and after broadcasts.
    expect((killedAfter['signed'] ?? 0) + (killedAfter['recorded'] ?? 0)).toBeGreaterThan(0);
    expect(killedAfter['broadcast'] ?? 0).toBeGreaterThan(0);
    console.log(`[crash] kills after phase: ${JSON.stringify(killedAfter)}`);
  }, 600_000);
});

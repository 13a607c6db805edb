// SIGKILL during rolling replacements, with real child processes: nothing is lost and
// nothing is paid twice. Each child resumes from the state file and anchors two new
// checkpoints as urgent (each replaces the pending transaction at once); the parent
// kills it at a random signed/recorded/broadcast phase. At the end: exactly one of each
// family of competing transactions confirmed, the wallet lost only the fees of what
// confirmed, and the receipt of every checkpoint verifies at level 3.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildReceipt,
  carryReceipt,
  checkpointDigest,
  commitRecord,
  leafHash,
  MerkleLog,
  type Receipt,
  toHex,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../../../../test/helpers/bundle-child.js';
import { repoPath } from '../../../../test/helpers/vectors.js';
import {
  bitcoinAnchorVerifier,
  carrierOf,
  decodeAnchorState,
  familyKey,
  fetchBitcoinAnchorEntry,
} from '../../src/anchor/index.js';
import type { Devnet } from '../../src/devnet/index.js';
import { withBitcoinAnchor } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { type EsploraServer, serveEsplora } from '../../src/node/devnet-server.js';
import { findAnchorPayload } from '../../src/spv/index.js';
import { lastKillPhase, randomKillPoint, runPhaseChild } from '../helpers/phase-child.js';
import { fundedDevnet, testFundingKey } from './setup.js';

const RUNS = 12;
const LABEL = 'rolling-crash';
const key = testFundingKey(LABEL, 'p2wpkh');
const childSource = repoPath('packages', 'chain', 'test', 'anchor', 'rolling-crash-child.ts');

async function walletValue(devnet: Devnet): Promise<bigint> {
  return (await devnet.utxos(key.script)).reduce((a, u) => a + u.value, 0n);
}

describe('rolling anchor crash safety (SIGKILL during replacements, real processes)', () => {
  let devnet: Devnet;
  let server: EsploraServer;
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    devnet = await fundedDevnet(key, 4);
    server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
    dir = mkdtempSync(join(tmpdir(), 'medanchor-rolling-crash-'));
    bundle = bundleChild(childSource, dir);
  });

  afterAll(async () => {
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(`after ${RUNS} kills during replacements no checkpoint is lost and one transaction of each family confirms`, async () => {
    const startHeight = (await devnet.tip()).height + 1;
    const before = await walletValue(devnet);
    const statePath = join(dir, 'anchors.json');
    const base = [server.url, statePath, LABEL];
    const log = new MerkleLog();
    const origin = 'clinic.example/rolling-crash';
    const sealed: { receipt: Receipt; content: Uint8Array }[] = [];
    const checkpoints: string[] = [];
    const seal = (label: string) => {
      const content = utf8(label);
      const commitment = commitRecord(content);
      log.append([leafHash(commitment.commitment)]);
      const checkpoint = { origin, size: log.size, root: log.root() };
      sealed.push({
        content,
        receipt: buildReceipt({
          commitment,
          leafIndex: log.size - 1,
          checkpoint,
          inclusionProof: log.inclusionProof(log.size - 1),
        }),
      });
      const d = toHex(checkpointDigest(checkpoint));
      checkpoints.push(`${d}:${log.size}`);
      return `${d}:${log.size}`;
    };
    const killedAfter: Record<string, number> = {};
    for (let run = 0; run < RUNS; run++) {
      seal(`record ${run} a`);
      seal(`record ${run} b`);
      // Like a ledger's sync, each restart anchors every checkpoint again (a no-op for those
      // with a record), so one the kill caught before its record was saved is not lost.
      const r = await runPhaseChild(bundle, [...base, ...checkpoints], randomKillPoint(6));
      const last = lastKillPhase(r);
      killedAfter[last] = (killedAfter[last] ?? 0) + 1;
      if (run % 3 === 2) await devnet.test.mine(1);
    }
    // Restarts without kills: resume, confirm, give what still waits its transaction.
    for (let i = 0; i < 3; i++) {
      expect((await runPhaseChild(bundle, [...base, ...checkpoints])).done).toBe(true);
      await devnet.test.mine(1);
    }
    await devnet.test.mine(6);
    expect((await runPhaseChild(bundle, [...base, ...checkpoints])).done).toBe(true);

    const records = decodeAnchorState(readFileSync(statePath, 'utf8'));
    const byDigest = new Map(records.map((r) => [r.digest, r]));
    // Every transaction on chain since the start, and which anchor it carries.
    const onChain = new Map<string, Transaction>();
    const tip = await devnet.tip();
    for (let h = startHeight; h <= tip.height; h++) {
      const info = await devnet.blockInfo((await devnet.headerByHeight(h)).hash);
      for (const id of info.txids.slice(1))
        onChain.set(id, Transaction.fromBuffer(await devnet.transaction(id)));
    }
    expect(await devnet.test.mempool()).toEqual([]);
    // Exactly one of each family of competing transactions (same coins) confirmed.
    const families = new Map<string, number>();
    for (const r of records) {
      if (r.attempts.length === 0) continue;
      const k = familyKey(r);
      const confirmed = r.attempts.filter((a) => onChain.has(a.txid)).length;
      families.set(k, (families.get(k) ?? 0) + confirmed);
    }
    for (const [k, n] of families) expect(n, `family ${k.slice(0, 12)}`).toBe(1);
    // And they did compete: some family holds several signed transactions.
    const sizes = new Map<string, number>();
    for (const r of records)
      if (r.attempts.length > 0)
        sizes.set(familyKey(r), (sizes.get(familyKey(r)) ?? 0) + r.attempts.length);
    expect(Math.max(...sizes.values())).toBeGreaterThan(1);
    // No digest is paid twice; the wallet lost exactly the fees of what confirmed.
    const paidDigests: string[] = [];
    let fees = 0n;
    for (const tx of onChain.values()) {
      const found = findAnchorPayload(tx.toBuffer());
      if (found === undefined) continue;
      paidDigests.push(toHex(found.digest));
      const r = byDigest.get(toHex(found.digest))!;
      fees += r.attempts.find((a) => a.txid === tx.getId())!.fee;
    }
    expect(new Set(paidDigests).size).toBe(paidDigests.length);
    expect(await walletValue(devnet)).toBe(before - fees);
    // Every checkpoint's receipt, carried to the checkpoint whose transaction confirmed, verifies at level 3.
    const verifier = bitcoinAnchorVerifier({
      network: regtest,
      backends: [devnet],
      minConfirmations: 6,
    });
    for (const [i, cp] of checkpoints.entries()) {
      const [d, size] = cp.split(':');
      const carrier = carrierOf(byDigest, d!);
      expect(carrier?.status, `checkpoint ${i}`).toBe('final');
      const c = carrier!;
      expect(c.logSize! >= Number(size)).toBe(true);
      const entry = await fetchBitcoinAnchorEntry(devnet, regtest, c.confirmation!.txid);
      let receipt = sealed[i]!.receipt;
      if (c.digest !== d) {
        const later = { origin, size: c.logSize!, root: log.root(c.logSize!) };
        receipt = carryReceipt(receipt, later, log.consistencyProof(Number(size), c.logSize!));
      }
      receipt = withBitcoinAnchor(receipt, entry);
      const v = await verifyReceipt(receipt, {
        content: sealed[i]!.content,
        anchors: [verifier],
        requireAnchor: true,
      });
      expect(v, `checkpoint ${i}`).toMatchObject({ ok: true, level: 3 });
    }
    console.log(
      `[rolling-crash] kills after phase: ${JSON.stringify(killedAfter)}; ${paidDigests.length} transactions confirmed for ${checkpoints.length} checkpoints`,
    );
  }, 600_000);
});

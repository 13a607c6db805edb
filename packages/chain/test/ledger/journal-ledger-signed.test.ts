import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAnchorRegistry,
  encodeVerifierKey,
  generateNoteKey,
  isMedanchorError,
  MemoryJournal,
  readCheckpointNote,
  toHex,
  trustPolicy,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { FileJournal } from '@medanchor/core/node';
import { afterEach, describe, expect, it } from 'vitest';
import { bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { memoryReceiptStore, openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { fundedDevnet, testAnchorer, testFundingKey } from '../anchor/setup.js';

const ORIGIN = 'journal-signed.example/ledger';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('journal ledger with a signing key', () => {
  it('anchors the signed note; receipts verify at level 2 under a trust policy; a reopen after the seal rebuilds the same signed receipts', async () => {
    const signer = generateNoteKey(ORIGIN);
    const key = testFundingKey('journal-signed', 'p2wpkh');
    const devnet = await fundedDevnet(key);
    const { anchorer } = await testAnchorer(devnet, key);
    const journal = new MemoryJournal();
    const ledger = await openLedger({
      origin: ORIGIN,
      journal,
      anchorer,
      network: regtest,
      signer,
    });
    const { leafIndex } = await ledger.add(utf8('signed record'));
    const batch = (await ledger.seal())!;
    const note = batch.receipts[0]!.checkpoint.note!;
    expect(toHex(batch.checkpointDigest)).toBe(toHex(readCheckpointNote(note).digest));
    expect(anchorer.get(batch.checkpointDigest)?.status).toBe('pending');
    await devnet.test.mine(1);
    expect((await ledger.sync()).map((r) => r.leafIndex)).toEqual([leafIndex]);
    const receipt = (await ledger.receipt(leafIndex))!;
    const trust = trustPolicy({ logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(signer)] }] });
    const verdict = await verifyReceipt(receipt, {
      content: utf8('signed record'),
      anchors: createAnchorRegistry([bitcoinAnchorVerifier({ network: regtest })]),
      requireAnchor: true,
      trust,
    });
    expect(verdict).toMatchObject({ ok: true, level: 2 });
    // Another key is not trusted: the signature step fails.
    const other = trustPolicy({
      logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(generateNoteKey(ORIGIN))] }],
    });
    const refused = await verifyReceipt(receipt, { content: utf8('signed record'), trust: other });
    expect(refused.ok === false && refused.step).toBe('signature');
    await ledger.close();

    // A crash right after the seal lost the receipts: reopening signs the rebuilt batch
    // again (Ed25519 is deterministic), so its digest is the anchored one.
    const receipts = memoryReceiptStore();
    const reopened = await openLedger({
      origin: ORIGIN,
      journal,
      anchorer,
      network: regtest,
      signer,
      receipts,
    });
    const rebuilt = (await reopened.receipt(leafIndex))!;
    expect(rebuilt.checkpoint.note).toBe(note);
    expect(rebuilt.checkpoint.digest).toBe(toHex(batch.checkpointDigest));
    // sync() finds the anchor of that digest and upgrades the rebuilt receipt.
    expect((await reopened.sync()).map((r) => r.leafIndex)).toEqual([leafIndex]);
    await reopened.close();
  });
});

describe('journal ledger forget', () => {
  it('is refused with LEDGER_FORGET_UNSUPPORTED and writes nothing: the journal file is byte for byte the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medanchor-jforget-'));
    dirs.push(dir);
    const key = testFundingKey('journal-forget', 'p2wpkh');
    const devnet = await fundedDevnet(key, 1);
    const { anchorer } = await testAnchorer(devnet, key);
    const path = join(dir, 'journal.bin');
    const ledger = await openLedger({
      origin: ORIGIN,
      journal: new FileJournal(path),
      anchorer,
      network: regtest,
    });
    const { leafIndex } = await ledger.add(utf8('kept'));
    await ledger.seal();
    const before = readFileSync(path);
    const error = await ledger.forget('Observation/obs-1').catch((e: unknown) => e);
    expect(isMedanchorError(error, 'LEDGER_FORGET_UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toContain('openLedger({ store })');
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(await ledger.receipt(leafIndex)).toBeDefined();
    await ledger.close();
  });
});

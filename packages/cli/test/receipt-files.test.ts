// Receipts beside files are replaced atomically and only by receipts that verify at least
// as high: real files in a temporary directory, real receipts anchored on a devnet.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryJournal, openBatcher, type Receipt, utf8 } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBitcoinAnchor } from '../../chain/src/ledger/upgrade.js';
import { fundedDevnet, testAnchorer, testFundingKey } from '../../chain/test/anchor/setup.js';
import { offlineReceiptLevel, writeReceiptBeside } from '../src/receipt-files.js';
import { tempDir } from './harness.js';

let dir: string;
let remove: () => void;
let level1: Receipt[];
let level2: Receipt[];
let otherCheckpoint: Receipt;

beforeAll(async () => {
  ({ dir, remove } = tempDir('beside'));
  const batcher = await openBatcher({
    origin: 'clinic.example/beside',
    journal: new MemoryJournal(),
  });
  await batcher.add(utf8('record a'));
  await batcher.add(utf8('record b'));
  const batch = (await batcher.seal())!;
  level1 = batch.receipts;
  await batcher.add(utf8('record c'));
  otherCheckpoint = (await batcher.seal())!.receipts[0]!;
  const key = testFundingKey('beside', 'p2wpkh');
  const devnet = await fundedDevnet(key, 1);
  const { anchorer } = await testAnchorer(devnet, key);
  await anchorer.anchor(batch.checkpointDigest);
  await devnet.test.mine(1);
  await anchorer.sync();
  const entry = (await anchorer.entry(batch.checkpointDigest))!;
  level2 = level1.map((r) => withBitcoinAnchor(r, entry));
});
afterAll(() => remove());

/** The receipt with its Bitcoin entry's first merkle sibling altered (what a lying backend gives). */
function tampered(r: Receipt): Receipt {
  const [entry] = r.anchors as unknown as { branch: string[] }[];
  const branch = [...entry!.branch];
  branch[0] = (branch[0]![0] === '0' ? '1' : '0') + branch[0]!.slice(1);
  return { ...r, anchors: [{ ...(r.anchors[0] as object), branch } as never] };
}

describe('writeReceiptBeside', () => {
  it('knows the offline level of a receipt', () => {
    expect(offlineReceiptLevel(level1[0])).toBe(1);
    expect(offlineReceiptLevel(level2[0])).toBe(2);
    expect(offlineReceiptLevel(tampered(level2[0]!))).toBe(0);
    expect(offlineReceiptLevel({ version: 1 })).toBe(0);
  });

  it('writes a new receipt, upgrades it, and never lowers it', () => {
    const path = join(dir, 'a.json.receipt.json');
    expect(writeReceiptBeside(path, level1[0]!)).toMatchObject({
      written: true,
      reason: 'new',
      level: 1,
    });
    expect(writeReceiptBeside(path, level1[0]!)).toMatchObject({
      written: false,
      reason: 'unchanged',
    });
    expect(writeReceiptBeside(path, level2[0]!)).toMatchObject({
      written: true,
      reason: 'higher',
      level: 2,
      previousLevel: 1,
    });
    const upgraded = readFileSync(path, 'utf8');
    // A re-stamp or an anchor that lost its entry: level 1 does not replace level 2.
    expect(writeReceiptBeside(path, level1[0]!)).toMatchObject({ written: false, reason: 'lower' });
    expect(readFileSync(path, 'utf8')).toBe(upgraded);
    expect(readdirSync(dir).filter((f) => f.includes('tmp'))).toEqual([]);
  });

  it('refuses a receipt that does not verify, with a typed error, and writes nothing', () => {
    const kept = join(dir, 'kept.json.receipt.json');
    writeReceiptBeside(kept, level2[1]!);
    const before = readFileSync(kept, 'utf8');
    expect(() => writeReceiptBeside(kept, tampered(level2[1]!))).toThrow(
      expect.objectContaining({ code: 'RECEIPT_REFUSED' }),
    );
    expect(readFileSync(kept, 'utf8')).toBe(before);
    const none = join(dir, 'none.json.receipt.json');
    expect(() => writeReceiptBeside(none, tampered(level2[1]!))).toThrow(
      expect.objectContaining({ code: 'RECEIPT_REFUSED' }),
    );
    expect(existsSync(none)).toBe(false);
  });

  it('repairs a damaged or invalid receipt with a valid one', () => {
    const path = join(dir, 'damaged.json.receipt.json');
    writeFileSync(path, '{"version": 1, "tor');
    expect(writeReceiptBeside(path, level1[1]!)).toMatchObject({
      written: true,
      reason: 'new',
      previousLevel: 0,
    });
    writeFileSync(path, JSON.stringify(tampered(level2[1]!)));
    expect(writeReceiptBeside(path, level1[1]!)).toMatchObject({ written: true, reason: 'new' });
    expect(offlineReceiptLevel(JSON.parse(readFileSync(path, 'utf8')))).toBe(1);
  });

  it('keeps a valid receipt of another record when asked to', () => {
    const path = join(dir, 'other.json.receipt.json');
    writeReceiptBeside(path, level1[0]!);
    expect(writeReceiptBeside(path, level1[1]!, { replaceOtherRecord: false })).toMatchObject({
      written: false,
      reason: 'other-record',
    });
    expect(writeReceiptBeside(path, level1[1]!)).toMatchObject({
      written: true,
      reason: 'same-level',
    });
  });
});

describe('withBitcoinAnchor', () => {
  it('never gives a receipt an entry that fails for it', () => {
    const bad = tampered(level2[0]!).anchors[0] as never;
    expect(() => withBitcoinAnchor(level1[0]!, bad)).toThrow(
      expect.objectContaining({ code: 'ANCHOR_PROOF_REFUSED', details: { step: 'merkle-root' } }),
    );
    // The entry of a checkpoint is refused on a receipt of another checkpoint.
    expect(() => withBitcoinAnchor(otherCheckpoint, level2[0]!.anchors[0] as never)).toThrow(
      expect.objectContaining({ code: 'ANCHOR_PROOF_REFUSED', details: { step: 'payload' } }),
    );
    expect(withBitcoinAnchor(level1[1]!, level2[1]!.anchors[0] as never)).toEqual(level2[1]);
  });
});

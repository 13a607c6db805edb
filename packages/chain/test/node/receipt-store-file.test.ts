import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex as hex, MemoryJournal, utf8, verifyReceipt } from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { fileReceiptStore } from '../../src/node/index.js';
import { fundedDevnet, testAnchorer, testFundingKey } from '../anchor/setup.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'medanchor-receipts-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('fileReceiptStore', () => {
  it("keeps a ledger's receipts across processes and upgrades them in place on disk", async () => {
    const dir = tempDir();
    const key = testFundingKey('file-receipts', 'p2wpkh');
    const devnet = await fundedDevnet(key);
    const { anchorer } = await testAnchorer(devnet, key);
    const journal = new MemoryJournal();
    const first = await openLedger({
      origin: 'clinic.example/file-receipts',
      journal,
      anchorer,
      network: regtest,
      receipts: fileReceiptStore(dir),
    });
    for (const r of ['a', 'b', 'c']) await first.add(utf8(r));
    const batch = (await first.seal())!;
    await first.close();
    const digestDirs = readdirSync(dir);
    expect(digestDirs).toHaveLength(1);
    expect(readdirSync(join(dir, digestDirs[0]!)).sort()).toEqual(['0.json', '1.json', '2.json']);

    // A new store over the same directory (a new process) sees them, then upgrades them.
    const store = fileReceiptStore(dir);
    expect(await store.checkpoints()).toHaveLength(1);
    expect(store.countFor(digestDirs[0]!)).toBe(3);
    expect(store.countFor('00'.repeat(32))).toBe(0);
    expect((await store.get(1))?.anchors).toEqual([]);
    const second = await openLedger({
      origin: 'clinic.example/file-receipts',
      journal,
      anchorer,
      network: regtest,
      receipts: store,
    });
    await devnet.test.mine(1);
    expect((await second.sync()).map((r) => r.leafIndex)).toEqual([0, 1, 2]);
    await second.close();
    const onDisk = JSON.parse(readFileSync(fileReceiptStore(dir).pathOf(2)!, 'utf8'));
    expect(onDisk.anchors[0]).toMatchObject({ type: 'bitcoin', network: 'regtest' });
    const result = await verifyReceipt(onDisk, {
      content: utf8('c'),
      anchors: [bitcoinAnchorVerifier({ network: regtest })],
      requireAnchor: true,
    });
    expect(result).toMatchObject({ ok: true, level: 2 });
    expect(batch.receipts).toHaveLength(3);
  });

  it('orders checkpoints oldest first and drops temporary files a crash left behind', async () => {
    const dir = tempDir();
    const key = testFundingKey('file-receipts-order', 'p2wpkh');
    const devnet = await fundedDevnet(key, 2);
    const { anchorer } = await testAnchorer(devnet, key);
    const store = fileReceiptStore(dir);
    const ledger = await openLedger({
      origin: 'clinic.example/order',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
      receipts: store,
    });
    await ledger.add(utf8('first'));
    const one = (await ledger.seal())!;
    await ledger.add(utf8('second'));
    const two = (await ledger.seal())!;
    await ledger.close();
    expect(await store.checkpoints()).toEqual([
      hex(one.checkpointDigest),
      hex(two.checkpointDigest),
    ]);

    const stray = join(dir, hex(two.checkpointDigest), '7.json.tmp');
    writeFileSync(stray, '{"half":');
    const reopened = fileReceiptStore(dir);
    expect(existsSync(stray)).toBe(false);
    expect(await reopened.get(7)).toBeUndefined();
    expect(
      (await reopened.forCheckpoint(hex(two.checkpointDigest))).map((r) => r.leafIndex),
    ).toEqual([1]);
  });

  it('reports a damaged receipt file with a typed error naming the leaf, not its content', async () => {
    const dir = tempDir();
    const digest = 'ab'.repeat(32);
    const store = fileReceiptStore(dir);
    expect(await store.get(0)).toBeUndefined();
    const sub = join(dir, digest);
    mkdirSync(sub);
    writeFileSync(join(sub, '4.json'), '{"version": 1, "secret-ish": "do not echo"');
    const reopened = fileReceiptStore(dir);
    const error = await reopened.get(4).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RECEIPT_STORE_UNREADABLE' });
    expect(String((error as Error).message)).toMatch(/leaf 4/);
    expect(String((error as Error).message)).not.toMatch(/do not echo/);
  });
});

// A receipt holds at most one `bitcoin` entry per network: two would date the record by two
// blocks and the verdict would report whichever came first. The verifier refuses each such
// entry at step `duplicate`, before it decodes anything (anchor-transaction.md section 5).
import { MemoryJournal, type Receipt, utf8, verifyReceipt } from '@medanchor/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BitcoinAnchorEntry, bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { fundedDevnet, testAnchorer, testFundingKey } from './setup.js';

describe('two bitcoin entries for one network', () => {
  let receipt: Receipt;
  let later: BitcoinAnchorEntry;

  beforeAll(async () => {
    const key = testFundingKey('duplicate-entries', 'p2wpkh');
    const devnet = await fundedDevnet(key, 3);
    const { anchorer } = await testAnchorer(devnet, key);
    const ledger = await openLedger({
      origin: 'clinic.example/duplicates',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    await ledger.add(utf8('record 0'));
    await ledger.seal();
    await devnet.test.mine(1);
    await ledger.sync();
    receipt = (await ledger.receipt(0))!;
    await ledger.close();
    // The same anchor as the receipt's, claimed at another height: a second entry that
    // passes level 2 on its own (regtest has no schedule), dating the record differently.
    const entry = receipt.anchors[0] as BitcoinAnchorEntry;
    later = { ...entry, height: entry.height + 50 };
  });

  const verifier = () => bitcoinAnchorVerifier({ network: regtest });

  it('one entry verifies at level 2 (control)', async () => {
    const r = await verifyReceipt(receipt, { anchors: [verifier()] });
    expect(r.ok && r.level).toBe(2);
    const alone = await verifyReceipt({ ...receipt, anchors: [later] }, { anchors: [verifier()] });
    expect(alone.ok && alone.level).toBe(2);
  });

  it('two entries for regtest are both refused at step duplicate, in either order', async () => {
    for (const anchors of [
      [receipt.anchors[0]!, later],
      [later, receipt.anchors[0]!],
      [receipt.anchors[0]!, receipt.anchors[0]!],
    ]) {
      const r = await verifyReceipt({ ...receipt, anchors }, { anchors: [verifier()] });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.step).toBe('anchor');
      expect(r.anchors?.map((a) => a.status)).toEqual(['failed', 'failed']);
      for (const a of r.anchors ?? []) {
        expect(a.reason).toMatch(
          /^duplicate: the receipt has 2 bitcoin entries for network "regtest"/,
        );
      }
      expect(r.undetermined).toBeUndefined();
    }
  });

  it('an entry of another network beside it is not a duplicate (it fails at network)', async () => {
    const elsewhere = { ...(receipt.anchors[0] as BitcoinAnchorEntry), network: 'signet' };
    const r = await verifyReceipt(
      { ...receipt, anchors: [receipt.anchors[0]!, elsewhere] },
      { anchors: [verifier()] },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.anchors?.[0]?.status).toBe('verified');
    expect(r.anchors?.[1]?.reason).toMatch(/^network: /);
  });
});

// A store ledger with a rolling anchorer: many seals, one pending transaction at a time,
// and the receipts built on demand are carried by consistency proof (from the tiles) to
// the checkpoint whose transaction confirmed; each verifies at level 3.
import { memoryLedgerStore, utf8, verifyReceipt } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { findAnchorPayload } from '../../src/spv/index.js';
import { fundedDevnet, testFundingKey } from '../anchor/setup.js';

describe('store ledger with a rolling anchor', () => {
  it('30 seals over 3 blocks: at most 3 anchor transactions, every on-demand receipt carried and verified at level 3', async () => {
    const key = testFundingKey('store-rolling', 'p2wpkh');
    const devnet = await fundedDevnet(key, 2);
    const start = (await devnet.tip()).height + 1;
    const store = memoryLedgerStore({ origin: 'clinic.example/store-rolling' });
    const ledger = await openLedger({
      store,
      anchorer: {
        backend: devnet,
        network: regtest,
        key,
        fee: { minSatPerVb: 1, maxSatPerVb: 50 },
        rolling: true,
      },
      pollMs: 0,
    });
    let n = 0;
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < 10; i++) {
        await ledger.add(utf8(`record ${n++}`));
        await ledger.sequence();
        await ledger.seal();
      }
      await ledger.sync();
      await devnet.test.mine(1);
    }
    await devnet.test.mine(6);
    await ledger.sync();
    let txs = 0;
    for (let h = start; h < start + 3; h++) {
      const info = await devnet.blockInfo((await devnet.headerByHeight(h)).hash);
      for (const id of info.txids.slice(1))
        if (findAnchorPayload(await devnet.transaction(id)) !== undefined) txs++;
    }
    expect(txs).toBeGreaterThan(0);
    expect(txs).toBeLessThanOrEqual(3);
    const verifier = bitcoinAnchorVerifier({
      network: regtest,
      backends: [devnet],
      minConfirmations: 6,
    });
    let carried = 0;
    for (let i = 0; i < n; i++) {
      const receipt = (await ledger.receipt(i))!;
      if (receipt.carry !== undefined) carried++;
      const v = await verifyReceipt(receipt, {
        content: utf8(`record ${i}`),
        anchors: [verifier],
        requireAnchor: true,
      });
      expect(v, `receipt ${i}`).toMatchObject({ ok: true, level: 3 });
    }
    expect(carried).toBe(n - txs);
    // Every anchor state is final now (carried ones too): nothing is tracked any more.
    expect(await ledger.anchors()).toEqual([]);
    await ledger.close();
  }, 120_000);
});

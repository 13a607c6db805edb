// Cross-check: what the devnet produces is accepted by the package's own, separately
// written Bitcoin code (header-chain validation and SPV inclusion), for regtest params.
import { fromHex, toHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { validateHeaderChain } from '../../src/bitcoin/index.js';
import { createDevnet } from '../../src/devnet/index.js';
import { regtest } from '../../src/network/index.js';
import { verifyTxInclusion } from '../../src/spv/index.js';
import { signSpend, testKey } from './wallet.js';

describe('devnet output checked by the SPV code', () => {
  it('starts from the genesis the regtest network params describe', async () => {
    const tip = await createDevnet({ seed: 'params' }).tip();
    expect(tip.hash).toBe(regtest.genesisHash);
    expect(toHex(tip.header)).toBe(regtest.genesisHeader);
  });

  for (const seeded of [true, false]) {
    it(`mines a header chain that validateHeaderChain accepts (${seeded ? 'seeded' : 'clock'} timestamps), with SPV-valid branches`, async () => {
      const devnet = createDevnet(seeded ? { seed: 'spv' } : {});
      const key = testKey('spv');
      await devnet.test.mine(5, key.script);
      await devnet.test.mine(100);
      const coins = await devnet.utxos(key.script);
      const txids: string[] = [];
      for (const c of coins) {
        const tx = signSpend([{ ...c, key }], [{ script: key.script, value: c.value - 500n }]);
        txids.push(await devnet.broadcast(tx.toBuffer()));
      }
      await devnet.test.mine(2);
      const tip = await devnet.tip();
      const headers: Uint8Array[] = [];
      for (let h = 1; h <= tip.height; h++) headers.push((await devnet.headerByHeight(h)).header);
      const result = validateHeaderChain({
        params: regtest,
        checkpoint: { height: 0, header: fromHex(regtest.genesisHeader) },
        headers,
      });
      expect(result.ok ? result.chain.tipHeight : result).toBe(tip.height);

      for (const txid of txids) {
        const b = await devnet.merkleBranch(txid);
        const header = (await devnet.headerByHash(b.blockHash)).header;
        const verdict = verifyTxInclusion(
          {
            txid: fromHex(txid).reverse(),
            position: b.position,
            branch: b.siblings,
            txCount: b.txCount,
            header,
          },
          regtest,
        );
        expect(verdict).toEqual({ ok: true, blockHash: b.blockHash });
      }
    });
  }
});

import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../src/devnet/index.js';
import { signSpend, testKey } from './wallet.js';

describe('devnet block template', () => {
  it('keeps blocks within 4,000,000 weight units and leaves the rest in the mempool', async () => {
    const devnet = createDevnet({ seed: 'weight' });
    const key = testKey('weight');
    await devnet.test.mine(11, key.script);
    await devnet.test.mine(100);
    const coins = await devnet.utxos(key.script);
    expect(coins).toHaveLength(11);
    const outputs = Array.from({ length: 3_000 }, () => ({
      script: key.script,
      value: 1_000_000n,
    }));
    const txids: string[] = [];
    let total = 0;
    for (const c of coins) {
      const tx = signSpend(
        [{ ...c, key }],
        [...outputs, { script: key.script, value: c.value - 3_000_000_000n - 400_000n }],
      );
      total += tx.weight();
      txids.push(await devnet.broadcast(tx.toBuffer()));
    }
    expect(total).toBeGreaterThan(4_000_000);
    const [hash] = await devnet.test.mine(1);
    const info = await devnet.blockInfo(hash!);
    expect(info.weight).toBeLessThanOrEqual(4_000_000);
    const waiting = await devnet.test.mempool();
    expect(waiting.length).toBeGreaterThan(0);
    expect(info.txids.length - 1 + waiting.length).toBe(11);
    await devnet.test.mine(1);
    expect(await devnet.test.mempool()).toEqual([]);
    for (const id of txids) expect((await devnet.txStatus(id)).confirmed).toBe(true);
  });
});

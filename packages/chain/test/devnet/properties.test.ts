import { isMedanchorError, toHex } from '@medanchor/core';
import { Block } from 'bitcoinjs-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockSubsidy } from '../../src/devnet/coinbase.js';
import { createDevnet } from '../../src/devnet/index.js';
import { signSpend, testKey } from './wallet.js';

type Op =
  | { kind: 'mine'; n: number }
  | { kind: 'spend'; pick: number; fee: number }
  | { kind: 'reorg'; depth: number }
  | { kind: 'invalidate'; back: number; reconsider: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('mine' as const), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({
    kind: fc.constant('spend' as const),
    pick: fc.nat(),
    fee: fc.integer({ min: 150, max: 5_000 }),
  }),
  fc.record({ kind: fc.constant('reorg' as const), depth: fc.integer({ min: 1, max: 3 }) }),
  fc.record({
    kind: fc.constant('invalidate' as const),
    back: fc.integer({ min: 0, max: 3 }),
    reconsider: fc.boolean(),
  }),
);

describe('devnet properties', () => {
  it('whatever the mix of spends, blocks, reorgs and invalidations: headers link, and the coins equal the subsidies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const devnet = createDevnet({ seed: 'property' });
        const key = testKey('property');
        await devnet.test.mine(102, key.script);
        for (const o of ops) {
          if (o.kind === 'mine') await devnet.test.mine(o.n, key.script);
          else if (o.kind === 'reorg') await devnet.test.reorg(o.depth, key.script);
          else if (o.kind === 'invalidate') {
            const tip = await devnet.tip();
            const target = await devnet.headerByHeight(tip.height - o.back);
            await devnet.test.invalidateBlock(target.hash);
            if (o.reconsider) await devnet.test.reconsiderBlock(target.hash);
          } else {
            const coins = await devnet.utxos(key.script);
            const coin = coins[o.pick % coins.length]!;
            const tx = signSpend(
              [{ ...coin, key }],
              [{ script: key.script, value: coin.value - BigInt(o.fee) }],
            );
            try {
              await devnet.broadcast(tx.toBuffer());
            } catch (e) {
              // Only a coinbase that is not yet mature may be refused.
              expect(isMedanchorError(e) && e.details['reason']).toBe(
                'bad-txns-premature-spend-of-coinbase',
              );
            }
          }
        }
        await devnet.test.mine(1, key.script);
        const tip = await devnet.tip();
        let prev = await devnet.headerByHeight(0);
        let subsidies = 0n;
        for (let h = 1; h <= tip.height; h++) {
          const cur = await devnet.headerByHeight(h);
          expect(toHex(Block.fromBuffer(cur.header).prevHash!.slice().reverse())).toBe(prev.hash);
          subsidies += blockSubsidy(h);
          prev = cur;
        }
        expect(prev.hash).toBe(tip.hash);
        expect(await devnet.test.mempool()).toEqual([]);
        // Every coin pays the key and fees return through coinbases: nothing created, nothing lost.
        const coins = await devnet.utxos(key.script);
        expect(coins.reduce((a, c) => a + c.value, 0n)).toBe(subsidies);
      }),
      { numRuns: 12 },
    );
  });
});

import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { makeAnchorTransactionVectors } from '../../../../docs/spec/make-anchor-transaction-vectors.js';
import { decodeAnchorState } from '../../src/anchor/index.js';
import { ANCHOR_SEQUENCE } from '../../src/bitcoin.js';
import { verifyInputs } from '../../src/devnet/signatures.js';
import { bareAnchorOutputScript } from '../../src/spv/index.js';

type Vectors = ReturnType<typeof makeAnchorTransactionVectors>;
const committed = JSON.parse(
  readFileSync(
    new URL('../../../../docs/spec/vectors/anchor-transaction.json', import.meta.url),
    'utf8',
  ),
) as Vectors;

describe('docs/spec/vectors/anchor-transaction.json', () => {
  it('is what the implementation produces (regenerate with make-anchor-transaction-vectors.ts)', () => {
    expect(JSON.parse(JSON.stringify(makeAnchorTransactionVectors()))).toEqual(committed);
  });

  const built = committed.cases.filter((c) => c.rawTx !== undefined);
  it('has built transactions for both key types', () => {
    expect(built.length).toBeGreaterThanOrEqual(8);
  });

  it.each(built.map((c) => [c.name, c] as const))('%s has the documented shape', (_name, c) => {
    const tx = Transaction.fromBuffer(fromHex(c.rawTx!));
    const key = committed.keys[c.keyType as 'p2wpkh' | 'p2tr'];
    expect(tx.getId()).toBe(c.txid);
    expect(tx.version).toBe(2);
    expect(tx.locktime).toBe(0);
    expect(tx.ins.map((i) => `${toHex(Uint8Array.from(i.hash).reverse())}:${i.index}`)).toEqual(
      c.coins!.map((x) => `${x.txid}:${x.vout}`),
    );
    expect(tx.ins.every((i) => i.sequence === ANCHOR_SEQUENCE)).toBe(true);
    expect(toHex(tx.outs[0]!.script)).toBe(
      toHex(bareAnchorOutputScript(fromHex(committed.digest))),
    );
    expect(tx.outs[0]!.value).toBe(0n);
    const change = BigInt(c.change);
    expect(tx.outs).toHaveLength(change === 0n ? 1 : 2);
    if (change !== 0n) {
      expect(toHex(tx.outs[1]!.script)).toBe(key.script);
      expect(tx.outs[1]!.value).toBe(change);
    }
    const inValue = c.coins!.reduce((a, x) => a + BigInt(x.value), 0n);
    expect(inValue - tx.outs.reduce((a, o) => a + o.value, 0n)).toBe(BigInt(c.fee));
    expect(tx.virtualSize()).toBe(c.vsize);
    expect(tx.virtualSize()).toBeLessThanOrEqual(c.vsizeEstimate);
    expect(Number(c.fee) / tx.virtualSize()).toBeGreaterThanOrEqual(c.feeRate);
    // Signatures checked by the devnet mempool's own verifier (BIP143 / BIP341).
    const spent = c.coins!.map((x) => ({
      value: BigInt(x.value),
      script: fromHex(key.script),
      height: 1,
      coinbase: false,
    }));
    expect(() => verifyInputs(tx, spent)).not.toThrow();
  });

  it('holds a state example that the state decoder reads', () => {
    const records = decodeAnchorState(JSON.stringify(committed.stateExample));
    expect(records[0]?.attempts[0]?.txid).toBe(committed.cases[0]?.txid);
  });
});

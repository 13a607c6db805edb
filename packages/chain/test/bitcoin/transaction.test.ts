import { fromHex, isMedanchorError, toHex } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBlock, parseTransaction, stripWitness, txidHex } from '../../src/bitcoin/index.js';
import { block80000 } from './fixtures.js';

function segwitTx(outputs: number, witnessItems: number): Transaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(new Uint8Array(32).fill(9), 1, 0xfffffffd);
  for (let i = 0; i < outputs; i++)
    tx.addOutput(Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(i)), BigInt(1000 + i));
  tx.setWitness(
    0,
    Array.from({ length: witnessItems }, (_, i) => new Uint8Array(33).fill(i + 1)),
  );
  return tx;
}

describe('transactions', () => {
  it('block 80000: parses both transactions and re-derives their txids', () => {
    const block = parseBlock(fromHex(block80000.rawBlock));
    expect(toHex(block.header)).toBe(block80000.header);
    expect(block.txids.map((t) => toHex(t.slice().reverse()))).toEqual(block80000.txids);
    expect(block.transactions[0]!.outputs[0]!.value).toBe(5_000_000_000n);
  });

  it('a segwit transaction: same txid as bitcoinjs-lib, witness stripped to the legacy form', () => {
    const tx = segwitTx(2, 2);
    const raw = new Uint8Array(tx.toBuffer());
    expect(txidHex(raw)).toBe(tx.getId());
    const parsed = parseTransaction(raw);
    expect(parsed.hasWitness).toBe(true);
    expect(parsed.inputs[0]!.witness).toHaveLength(2);
    const stripped = stripWitness(raw);
    const legacy = tx.clone();
    legacy.setWitness(0, []);
    expect(toHex(stripped)).toBe(legacy.toHex());
    expect(stripped.length).toBe(tx.byteLength(false));
  });

  it('agrees with bitcoinjs-lib on random transactions (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 3 }), (outs, wit) => {
        const tx = segwitTx(outs, wit);
        const raw = new Uint8Array(tx.toBuffer());
        expect(txidHex(raw)).toBe(tx.getId());
        expect(parseTransaction(raw).outputs).toHaveLength(outs);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses truncated, trailing and witness-flag-without-witness data with INVALID_TRANSACTION', () => {
    const raw = new Uint8Array(segwitTx(1, 1).toBuffer());
    const noWitness = new Uint8Array(segwitTx(1, 0).toBuffer());
    // Marker and flag inserted by hand over a transaction whose witness is empty.
    const flaggedEmpty = new Uint8Array([
      ...noWitness.subarray(0, 4),
      0,
      1,
      ...noWitness.subarray(4, -4),
      0,
      ...noWitness.subarray(-4),
    ]);
    for (const bad of [
      raw.subarray(0, raw.length - 1),
      new Uint8Array([...raw, 0]),
      flaggedEmpty,
      new Uint8Array(),
    ]) {
      try {
        parseTransaction(bad);
        expect.unreachable();
      } catch (e) {
        expect(isMedanchorError(e, 'INVALID_TRANSACTION')).toBe(true);
      }
    }
  });

  it('refuses a block with trailing bytes with INVALID_BLOCK', () => {
    expect(() => parseBlock(fromHex(`${block80000.rawBlock}00`))).toThrow(
      expect.objectContaining({ code: 'INVALID_BLOCK' }),
    );
  });
});

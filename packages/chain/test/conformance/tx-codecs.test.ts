// chain's transaction codec (bitcoin/transaction.ts) and the small serializer BIP-322 keeps
// in @medanchor/crypto (bip322/tx.ts, which cannot import chain) must read and write the
// same bytes: every transaction of every raw block in the shared vectors goes through both.
import { basename } from 'node:path';
import { fromHex, toHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { listVectorFiles, readVectorJson, vectorPath } from '../../../../test/helpers/vectors.js';
import { parseTx, serializeTx, txid } from '../../../crypto/src/bip322/tx.js';
import {
  hashToDisplayHex,
  isCoinbase,
  parseBlock,
  parseTransaction,
  serializeTransaction,
  serializeTransactionNoWitness,
  txidOf,
} from '../../src/bitcoin/index.js';

interface BlockVector {
  rawBlock?: string;
  txids: string[];
}

const dir = vectorPath('bitcoin/blocks');
const withRaw = (dir === undefined ? [] : listVectorFiles('bitcoin/blocks'))
  .map((file) => ({ name: basename(file), v: readVectorJson<BlockVector>(file) }))
  .filter(({ v }) => v.rawBlock !== undefined);

describe('conformance: one transaction format, two codecs (chain and crypto/bip322)', () => {
  it.skipIf(!dir)('some block files carry their raw bytes', () => {
    expect(withRaw.length).toBeGreaterThan(0);
  });

  for (const { name, v } of withRaw) {
    it(`${name}: every transaction round-trips byte-equal through both codecs, same txid`, () => {
      const block = parseBlock(fromHex(v.rawBlock!));
      let segwit = 0;
      block.transactions.forEach((tx, i) => {
        const raw = serializeTransaction(tx);
        const ours = parseTransaction(raw);
        const theirs = parseTx(raw);
        expect(toHex(serializeTx(theirs))).toBe(toHex(raw));
        expect(toHex(serializeTx(theirs, false))).toBe(toHex(serializeTransactionNoWitness(ours)));
        expect(hashToDisplayHex(txid(theirs))).toBe(v.txids[i]);
        expect(hashToDisplayHex(txidOf(raw))).toBe(v.txids[i]);
        expect(isCoinbase(ours)).toBe(i === 0);
        if (ours.hasWitness) segwit++;
      });
      expect(block.transactions.length).toBe(v.txids.length);
      // Blocks before segwit have none; the check above covers both forms where present.
      expect(segwit).toBe(block.transactions.filter((t) => t.hasWitness).length);
    });
  }
});

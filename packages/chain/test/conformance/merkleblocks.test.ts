import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fromHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import {
  itWhen,
  listVectorFiles,
  readVectorJson,
  vectorPath,
} from '../../../../test/helpers/vectors.js';
import {
  blockHashHex,
  hashToDisplayHex,
  merkleDepth,
  parseMerkleBlock,
} from '../../src/bitcoin/index.js';

interface MerkleBlockVector {
  blockHash: string;
  merkleRoot: string;
  merkleblock: string;
  totalTransactions: number;
  matched: { txid: string; index: number }[];
}

const dir = vectorPath('bitcoin/merkleblocks');
const files = dir === undefined ? [] : listVectorFiles('bitcoin/merkleblocks');

describe('conformance: BIP37 merkleblocks (bitcoin/merkleblocks)', () => {
  it.skipIf(!dir)('the folder holds merkleblock files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const v = readVectorJson<MerkleBlockVector>(file);
    const name = basename(file);

    it(`${name}: extracts the matched txids at their indices and reaches the header root`, () => {
      const mb = parseMerkleBlock(fromHex(v.merkleblock));
      expect(blockHashHex(mb.header)).toBe(v.blockHash);
      expect(hashToDisplayHex(mb.merkleRoot)).toBe(v.merkleRoot);
      expect(mb.totalTransactions).toBe(v.totalTransactions);
      expect(mb.matches.map((m) => ({ txid: hashToDisplayHex(m.txid), index: m.index }))).toEqual(
        v.matched,
      );
    });

    // When the same block is in bitcoin/blocks, the matches sit at those positions of its txid list.
    const blockFile = dir === undefined ? '' : file.replace('/merkleblocks/', '/blocks/');
    itWhen(
      existsSync(blockFile),
      'its block is not in bitcoin/blocks',
      `${name}: matches agree with the full block's txid list`,
      () => {
        const block = readVectorJson<{ txids: string[] }>(blockFile);
        for (const m of v.matched) expect(block.txids[m.index]).toBe(m.txid);
      },
    );

    it(`${name}: any flipped byte of the hashes or flags is refused or changes the result`, () => {
      const bytes = fromHex(v.merkleblock);
      const original = JSON.stringify(v.matched);
      // The total count is bound only through the tree shape (as in Bitcoin Core): a
      // changed count may be accepted, but never with another depth.
      for (let i = 80; i < 84; i++) {
        const bad = bytes.slice();
        bad[i]! ^= 0x01;
        try {
          const mb = parseMerkleBlock(bad);
          expect(merkleDepth(mb.totalTransactions)).toBe(merkleDepth(v.totalTransactions));
        } catch (e) {
          expect((e as { code?: string }).code).toBe('INVALID_MERKLEBLOCK');
        }
      }
      for (let i = 84; i < bytes.length; i++) {
        const bad = bytes.slice();
        bad[i]! ^= 0x01;
        let outcome: string;
        try {
          const mb = parseMerkleBlock(bad);
          outcome = JSON.stringify(
            mb.matches.map((m) => ({ txid: hashToDisplayHex(m.txid), index: m.index })),
          );
        } catch {
          outcome = 'refused';
        }
        expect(outcome, `byte ${i}`).not.toBe(original);
      }
    });
  }
});

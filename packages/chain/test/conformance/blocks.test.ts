import { basename } from 'node:path';
import { fromHex, toHex } from '@medanchor/core';
import { Block } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import {
  itWhen,
  listVectorFiles,
  readVectorJson,
  vectorPath,
} from '../../../../test/helpers/vectors.js';
import {
  bitcoinMerkleLevels,
  blockHashHex,
  checkMerkleBranch,
  hashFromDisplayHex,
  hashToDisplayHex,
  headerMeetsTarget,
  isMerkleMutated,
  merkleBranchFromLevels,
  parseBlock,
  parseHeader,
} from '../../src/bitcoin/index.js';
import { networkOf } from './network-of.js';

interface BlockVector {
  network: string;
  hash: string;
  header: string;
  merkleRoot: string;
  txCount: number;
  txids: string[];
  segwitTxCount: number;
  rawBlock?: string;
}

const dir = vectorPath('bitcoin/blocks');
const files = dir === undefined ? [] : listVectorFiles('bitcoin/blocks');

describe('conformance: real mainnet blocks (bitcoin/blocks)', () => {
  it.skipIf(!dir)('the folder holds block files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const v = readVectorJson<BlockVector>(file);
    const name = basename(file);
    const header = fromHex(v.header);
    const txids = v.txids.map((t) => hashFromDisplayHex(t));
    const params = networkOf(v.network, name);

    it(`${name}: the header hashes to the block hash and meets its target`, () => {
      expect(blockHashHex(header)).toBe(v.hash);
      expect(headerMeetsTarget(header, params)).toBe(true);
      expect(hashToDisplayHex(parseHeader(header).merkleRoot)).toBe(v.merkleRoot);
    });

    it(`${name}: the txids build the header root, unmutated`, () => {
      expect(txids).toHaveLength(v.txCount);
      const levels = bitcoinMerkleLevels(txids);
      expect(hashToDisplayHex(levels[levels.length - 1]![0]!)).toBe(v.merkleRoot);
      expect(isMerkleMutated(txids)).toBe(false);
    });

    it(`${name}: the branch of every one of its ${v.txCount} transactions verifies against the header`, () => {
      const levels = bitcoinMerkleLevels(txids);
      const root = parseHeader(header).merkleRoot;
      let verified = 0;
      txids.forEach((leaf, position) => {
        const branch = merkleBranchFromLevels(levels, position);
        const r = checkMerkleBranch({ leaf, position, branch, root, txCount: v.txCount });
        if (r.ok) verified++;
        else expect.fail(`tx ${position}: ${r.step} ${r.reason}`);
        // The neighbour's branch must not prove this txid.
        if (v.txCount > 1) {
          const other = merkleBranchFromLevels(levels, (position + 1) % v.txCount);
          expect(
            checkMerkleBranch({ leaf, position, branch: other, root, txCount: v.txCount }).ok,
          ).toBe(other.every((s, i) => toHex(s) === toHex(branch[i]!)));
        }
      });
      expect(verified).toBe(v.txCount);
    });

    itWhen(
      v.rawBlock !== undefined,
      'the file has no rawBlock (block over 300 kB)',
      `${name}: the raw block parses and re-derives the txids`,
      () => {
        const raw = fromHex(v.rawBlock!);
        const block = parseBlock(raw);
        expect(toHex(block.header)).toBe(v.header);
        expect(block.txids.map(hashToDisplayHex)).toEqual(v.txids);
        expect(block.transactions.filter((t) => t.hasWitness).length).toBe(v.segwitTxCount);
        // bitcoinjs-lib agrees on the root.
        const theirs = Block.fromBuffer(raw);
        expect(new Uint8Array(Block.calculateMerkleRoot(theirs.transactions!))).toEqual(
          parseHeader(header).merkleRoot,
        );
      },
    );
  }
});

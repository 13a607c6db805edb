import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { MerkleTree } from 'merkletreejs';
import { describe, expect, it } from 'vitest';
import { bitcoinMerkleRoot, reverseBytes } from '../../src/bitcoin/index.js';
import { block542213MerkleRoot, block542213Txids } from './fixtures.js';

// merkletreejs in Bitcoin mode takes display-order leaves and a single SHA-256 (it applies
// the second round and the byte reversals itself), and returns a display-order root.
function theirRoot(displayLeaves: Uint8Array[]): string {
  const tree = new MerkleTree(
    displayLeaves.map((l) => Buffer.from(l)),
    (d: Buffer) => Buffer.from(sha256(d)),
    { isBitcoinTree: true },
  );
  return tree.getRoot().toString('hex');
}

describe('Bitcoin merkle root cross-checked with merkletreejs (isBitcoinTree)', () => {
  it('block 542213', () => {
    const display = block542213Txids.map((t) => Uint8Array.from(Buffer.from(t, 'hex')));
    expect(theirRoot(display)).toBe(block542213MerkleRoot);
  });

  it('random trees of 1 to 100 txids give the same root (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 100 }),
        (ids) => {
          const ours = Buffer.from(reverseBytes(bitcoinMerkleRoot(ids))).toString('hex');
          expect(ours).toBe(theirRoot(ids.map(reverseBytes)));
        },
      ),
      { numRuns: 150 },
    );
  });
});

import { MedanchorError } from '@medanchor/core';
import { crypto } from 'bitcoinjs-lib';

/**
 * Siblings (internal byte order, from the leaf up) of the transaction at `position`
 * among a block's txids (internal order, block order), in Bitcoin's tree shape where
 * an odd level pairs its last node with itself. Devnet's own copy, so the devnet has
 * no dependency on the SPV code it is used to test.
 */
export function devnetMerkleBranch(txids: readonly Uint8Array[], position: number): Uint8Array[] {
  if (!Number.isInteger(position) || position < 0 || position >= txids.length) {
    throw new MedanchorError(
      'INDEX_OUT_OF_RANGE',
      'position must index a transaction of the block',
      {
        details: { position, txCount: txids.length },
      },
    );
  }
  const branch: Uint8Array[] = [];
  let level = txids.slice();
  let index = position;
  while (level.length > 1) {
    const sibling = index ^ 1;
    branch.push(level[sibling < level.length ? sibling : index]!);
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      const pair = new Uint8Array(64);
      pair.set(left, 0);
      pair.set(right, 32);
      next.push(crypto.hash256(pair));
    }
    level = next;
    index >>= 1;
  }
  return branch;
}

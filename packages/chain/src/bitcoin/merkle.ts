import { concatBytes, equalBytes, MedanchorError } from '@medanchor/core';
import { sha256d } from './hash.js';

/** The parent of two merkle nodes: sha256d(left || right), internal order. */
export function merkleParent(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256d(concatBytes(left, right));
}

/**
 * Depth of Bitcoin's merkle tree over `txCount` transactions, which is the exact
 * length of every branch in it: `ceil(log2(txCount))` (0 for a lone coinbase).
 * @throws MedanchorError `INVALID_TX_COUNT` unless `txCount` is a positive safe integer.
 */
export function merkleDepth(txCount: number): number {
  if (!Number.isSafeInteger(txCount) || txCount < 1) {
    throw new MedanchorError(
      'INVALID_TX_COUNT',
      'a block has a positive whole number of transactions',
    );
  }
  let depth = 0;
  while (2 ** depth < txCount) depth++;
  return depth;
}

function checkLeaves(txids: Uint8Array[]): void {
  if (!Array.isArray(txids) || txids.length === 0) {
    throw new MedanchorError('INVALID_TX_COUNT', 'a merkle tree needs at least one txid');
  }
  for (const t of txids) {
    if (!(t instanceof Uint8Array) || t.length !== 32) {
      throw new MedanchorError('INVALID_LENGTH', 'every txid must be 32 bytes (internal order)');
    }
  }
}

/** One level up: pairs hashed, a lone last node paired with itself (Bitcoin's rule). */
function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const up: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) {
    const left = level[i]!;
    up.push(merkleParent(left, level[i + 1] ?? left));
  }
  return up;
}

/**
 * Bitcoin's transaction merkle root over txids in block order (internal order in
 * and out). Odd levels duplicate their last node, as Bitcoin does; use
 * {@link isMerkleMutated} to refuse lists that exploit that (CVE-2012-2459).
 *
 * @example
 * ```ts
 * hashToDisplayHex(bitcoinMerkleRoot(txids.map((t) => hashFromDisplayHex(t))));
 * ```
 * @throws MedanchorError `INVALID_TX_COUNT` or `INVALID_LENGTH` for an empty list or a bad txid.
 */
export function bitcoinMerkleRoot(txids: Uint8Array[]): Uint8Array {
  checkLeaves(txids);
  let level = txids;
  while (level.length > 1) level = nextLevel(level);
  return level[0]!;
}

/**
 * True when two adjacent nodes of some level are equal, the shape that lets a
 * different transaction list (one with duplicated tail) share a root
 * (CVE-2012-2459). Bitcoin Core treats such a block as mutated.
 */
export function isMerkleMutated(txids: Uint8Array[]): boolean {
  checkLeaves(txids);
  let level = txids;
  while (level.length > 1) {
    for (let i = 0; i + 1 < level.length; i += 2)
      if (equalBytes(level[i]!, level[i + 1]!)) return true;
    level = nextLevel(level);
  }
  return false;
}

/**
 * Every level of Bitcoin's merkle tree, leaves first and root last, so many branches
 * can be read from one tree (see {@link merkleBranchFromLevels}).
 * @throws MedanchorError `INVALID_TX_COUNT` or `INVALID_LENGTH` for an empty list or a bad txid.
 */
export function bitcoinMerkleLevels(txids: Uint8Array[]): Uint8Array[][] {
  checkLeaves(txids);
  const levels = [txids];
  let level = txids;
  while (level.length > 1) {
    level = nextLevel(level);
    levels.push(level);
  }
  return levels;
}

/**
 * The branch of the leaf at `position` read from {@link bitcoinMerkleLevels}:
 * siblings from the leaf up, internal order (a lone last node's sibling is itself).
 * @throws MedanchorError `INDEX_OUT_OF_RANGE` when `position` is not a leaf of the tree.
 */
export function merkleBranchFromLevels(levels: Uint8Array[][], position: number): Uint8Array[] {
  const leafCount = levels[0]?.length ?? 0;
  if (!Number.isInteger(position) || position < 0 || position >= leafCount) {
    throw new MedanchorError(
      'INDEX_OUT_OF_RANGE',
      'position must index a transaction of the block',
      {
        details: { position, txCount: leafCount },
      },
    );
  }
  const branch: Uint8Array[] = [];
  let p = position;
  for (let l = 0; l + 1 < levels.length; l++) {
    const level = levels[l]!;
    branch.push(level[p ^ 1] ?? level[p]!);
    p >>>= 1;
  }
  return branch;
}

/**
 * The merkle branch of the transaction at `position`: its siblings from the leaf
 * up, internal order (a lone last node's sibling is itself).
 * @throws MedanchorError `INDEX_OUT_OF_RANGE` when `position` is not in the list.
 */
export function bitcoinMerkleBranch(txids: Uint8Array[], position: number): Uint8Array[] {
  return merkleBranchFromLevels(bitcoinMerkleLevels(txids), position);
}

/**
 * The root reached from `leaf` at `position` by folding `branch`: bit i of the
 * position says whether the node is the right child (1) or the left (0) at level i.
 * No checks: see {@link checkMerkleBranch} for the verification.
 */
export function foldMerkleBranch(
  leaf: Uint8Array,
  position: number,
  branch: Uint8Array[],
): Uint8Array {
  let node = leaf;
  let p = position;
  for (const sibling of branch) {
    node = p & 1 ? merkleParent(sibling, node) : merkleParent(node, sibling);
    p = Math.floor(p / 2);
  }
  return node;
}

/** Input of {@link checkMerkleBranch}; all hashes in internal order. */
export interface MerkleBranchInput {
  /** The txid being proven. */
  leaf: Uint8Array;
  /** Its position in the block. */
  position: number;
  /** Siblings from the leaf up. */
  branch: Uint8Array[];
  /** The block's merkle root (from its header). */
  root: Uint8Array;
  /**
   * The block's transaction count. When given, the branch length must equal
   * `ceil(log2(txCount))` and only a real lone last node may be its own sibling.
   */
  txCount?: number;
}

/** The verdict of {@link checkMerkleBranch}: which step failed and why. */
export type MerkleBranchCheck =
  | { ok: true }
  | { ok: false; step: 'branch-length' | 'branch' | 'merkle-root'; reason: string };

const MAX_DEPTH = 32;

/**
 * Verifies a Bitcoin merkle branch without throwing. Steps, in order:
 * `branch-length` (position and depth fit the transaction count), `branch` (sibling
 * shapes; a duplicated node only where Bitcoin duplicates, refusing CVE-2012-2459
 * mutations), `merkle-root` (the folded root equals `root`).
 */
export function checkMerkleBranch(input: MerkleBranchInput): MerkleBranchCheck {
  const { leaf, position, branch, root, txCount } = input;
  if (
    !(leaf instanceof Uint8Array) ||
    leaf.length !== 32 ||
    !(root instanceof Uint8Array) ||
    root.length !== 32
  ) {
    return { ok: false, step: 'branch', reason: 'leaf and root must be 32-byte hashes' };
  }
  if (!Array.isArray(branch) || branch.length > MAX_DEPTH) {
    return {
      ok: false,
      step: 'branch-length',
      reason: `a branch has at most ${MAX_DEPTH} siblings`,
    };
  }
  if (!Number.isSafeInteger(position) || position < 0 || position >= 2 ** branch.length) {
    return {
      ok: false,
      step: 'branch-length',
      reason: 'position does not fit in a tree of this depth',
    };
  }
  let width: number | undefined;
  if (txCount !== undefined) {
    if (!Number.isSafeInteger(txCount) || txCount < 1 || txCount > 2 ** MAX_DEPTH) {
      return { ok: false, step: 'branch-length', reason: 'txCount must be a positive integer' };
    }
    if (position >= txCount) {
      return {
        ok: false,
        step: 'branch-length',
        reason: 'position is not below the transaction count',
      };
    }
    if (branch.length !== merkleDepth(txCount)) {
      return {
        ok: false,
        step: 'branch-length',
        reason: `branch has ${branch.length} siblings but a block of ${txCount} transactions needs ${merkleDepth(txCount)}`,
      };
    }
    width = txCount;
  }
  let node = leaf;
  let p = position;
  for (let level = 0; level < branch.length; level++) {
    const sibling = branch[level];
    if (!(sibling instanceof Uint8Array) || sibling.length !== 32) {
      return { ok: false, step: 'branch', reason: `sibling ${level} is not a 32-byte hash` };
    }
    const isRight = p % 2 === 1;
    const same = equalBytes(sibling, node);
    if (width !== undefined) {
      const lone = !isRight && p === width - 1;
      if (lone && !same) {
        return {
          ok: false,
          step: 'branch',
          reason: `level ${level}: a lone last node must be paired with itself`,
        };
      }
      if (!lone && same) {
        return {
          ok: false,
          step: 'branch',
          reason: `level ${level}: sibling equals the node (CVE-2012-2459 mutation)`,
        };
      }
      width = Math.ceil(width / 2);
    } else if (isRight && same) {
      return {
        ok: false,
        step: 'branch',
        reason: `level ${level}: sibling equals the node (CVE-2012-2459 mutation)`,
      };
    }
    node = isRight ? merkleParent(sibling, node) : merkleParent(node, sibling);
    p = Math.floor(p / 2);
  }
  if (!equalBytes(node, root)) {
    return {
      ok: false,
      step: 'merkle-root',
      reason: 'the branch does not lead to the merkle root in the header',
    };
  }
  return { ok: true };
}

import { readU32LE } from '../bitcoin/bytes-io.js';
import { bitsToTarget } from '../bitcoin/compact.js';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { HEADER_SIZE } from '../bitcoin/header.js';
import { checkMerkleBranch } from '../bitcoin/merkle.js';
import { hashToBigint, headerMeetsTarget } from '../bitcoin/pow.js';
import type { NetworkParams } from '../network/params.js';

function hashMeetsOwnTarget(header: Uint8Array, hash: Uint8Array, powLimit: bigint): boolean {
  let target: bigint;
  try {
    target = bitsToTarget(readU32LE(header, 72));
  } catch {
    return false;
  }
  return target !== 0n && target <= powLimit && hashToBigint(hash) <= target;
}

/** Input of {@link verifyTxInclusion}; hashes in internal order. */
export interface TxInclusionInput {
  /** The txid, internal order (sha256d of the non-witness transaction). */
  txid: Uint8Array;
  /** Position of the transaction in the block. */
  position: number;
  /** Merkle siblings from the leaf up. */
  branch: Uint8Array[];
  /** Transactions in the block; when given the branch length must match it. */
  txCount?: number;
  /** The 80-byte block header. */
  header: Uint8Array;
}

/** Verdict of {@link verifyTxInclusion}. */
export type TxInclusionResult =
  | { ok: true; blockHash: string }
  | {
      ok: false;
      step: 'format' | 'branch-length' | 'branch' | 'merkle-root' | 'pow';
      reason: string;
    };

/**
 * Checks that a txid is in a block whose header meets its own target: the merkle
 * steps of {@link verifySpvProof} without the anchor payload, for any transaction.
 * It cannot see the transaction, so it cannot refuse a 64-byte one: callers holding
 * the transaction must (verifySpvProof does). Never throws.
 */
export function verifyTxInclusion(
  input: TxInclusionInput,
  params: NetworkParams,
): TxInclusionResult {
  return txInclusion(input, params, undefined);
}

/**
 * {@link verifyTxInclusion} for a caller that already hashed the header (`headerHash`,
 * its sha256d in internal order): the header is not hashed a second time.
 */
export function txInclusion(
  input: TxInclusionInput,
  params: NetworkParams,
  headerHash: Uint8Array | undefined,
): TxInclusionResult {
  if (
    typeof input !== 'object' ||
    input === null ||
    !(input.header instanceof Uint8Array) ||
    input.header.length !== HEADER_SIZE
  ) {
    return { ok: false, step: 'format', reason: 'the header must be 80 bytes' };
  }
  const check = checkMerkleBranch({
    leaf: input.txid,
    position: input.position,
    branch: input.branch,
    root: input.header.subarray(36, 68),
    ...(input.txCount === undefined ? {} : { txCount: input.txCount }),
  });
  if (!check.ok) return check;
  // One sha256d of the header serves as the block hash and, on sha256d networks, as the
  // proof-of-work hash.
  const hash = headerHash ?? sha256d(input.header);
  const meets =
    params.powHash === 'sha256d'
      ? hashMeetsOwnTarget(input.header, hash, params.powLimit)
      : headerMeetsTarget(input.header, params);
  if (!meets) {
    return {
      ok: false,
      step: 'pow',
      reason: 'the header does not meet its own target within the network powLimit',
    };
  }
  return { ok: true, blockHash: hashToDisplayHex(hash) };
}

import { MedanchorError } from '@medanchor/core';
import { HEADER_SIZE } from '../bitcoin/header.js';
import { stripWitness } from '../bitcoin/transaction.js';
import { findAnchorPayload } from './payload.js';
import type { AnchorCommitment, SpvProof } from './proof.js';

/** What {@link createSpvProof} assembles; `siblings` internal order, as backends return them. */
export interface CreateSpvProofInput {
  network: string;
  /** The anchor transaction, with or without witness (it is stripped). */
  rawTx: Uint8Array;
  /** The 80-byte header of the confirming block. */
  header: Uint8Array;
  height: number;
  /** Position of the transaction in the block. */
  position: number;
  /** Merkle siblings from the leaf up, internal order. */
  siblings: Uint8Array[];
  /** Transactions in the block. */
  txCount: number;
  /** The anchor output; found in the transaction when omitted (OP_RETURN anchors only). */
  outputIndex?: number;
  /** How the output at `outputIndex` commits, when it is not an OP_RETURN anchor output. */
  commitment?: AnchorCommitment;
}

/**
 * Assembles an {@link SpvProof} from a confirmed anchor transaction and the merkle
 * branch a backend reported (see the `MerkleBranch` backend type). It does not
 * verify anything: run `verifySpvProof` on the result before relying on it.
 *
 * @throws MedanchorError `INVALID_PROOF` when the transaction has no anchor output or the header is not 80 bytes;
 * `INVALID_TRANSACTION` when it does not parse.
 */
export function createSpvProof(input: CreateSpvProofInput): SpvProof {
  if (!(input.header instanceof Uint8Array) || input.header.length !== HEADER_SIZE) {
    throw new MedanchorError('INVALID_PROOF', 'the block header must be 80 bytes');
  }
  const rawTx = stripWitness(input.rawTx);
  let outputIndex = input.outputIndex;
  if (input.commitment !== undefined && outputIndex === undefined)
    throw new MedanchorError('INVALID_PROOF', 'a p2tr-tweak commitment needs its outputIndex');
  if (outputIndex === undefined) {
    const found = findAnchorPayload(rawTx);
    if (found === undefined) {
      throw new MedanchorError(
        'INVALID_PROOF',
        'the transaction has no anchor output: pass the anchor transaction',
      );
    }
    outputIndex = found.outputIndex;
  }
  return {
    network: input.network,
    rawTx,
    outputIndex,
    ...(input.commitment === undefined
      ? {}
      : {
          commitment: {
            kind: input.commitment.kind,
            internalKey: input.commitment.internalKey.slice(),
          },
        }),
    position: input.position,
    txCount: input.txCount,
    branch: input.siblings.map((s) => s.slice()),
    header: input.header.slice(),
    height: input.height,
  };
}

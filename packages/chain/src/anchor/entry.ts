import { MedanchorError, type ReceiptAnchor } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import type { NetworkParams } from '../network/params.js';
import { createSpvProof } from '../spv/create.js';
import {
  type AnchorCommitment,
  type DecodedSpvProof,
  decodeSpvProof,
  encodeSpvProof,
  SPV_PROOF_TYPE,
  type SpvProof,
} from '../spv/proof.js';

/** The `type` of Bitcoin anchors in a receipt's `anchors` list. */
export const BITCOIN_ANCHOR_TYPE = 'bitcoin';

/**
 * A Bitcoin anchor inside a receipt: the SPV proof of docs/spec/anchor.md with
 * `type` set to `"bitcoin"` (members in the same order). Everything a verifier needs
 * offline: the transaction without witness, the anchor output index, the merkle
 * branch, position and transaction count, the header, the height and the network.
 */
export interface BitcoinAnchorEntry extends ReceiptAnchor {
  readonly type: typeof BITCOIN_ANCHOR_TYPE;
  readonly version: 1;
  readonly network: string;
  /** Display-order txid (redundant; verification recomputes it). */
  readonly txid: string;
  /** Non-witness serialization, hex. */
  readonly rawTx: string;
  readonly outputIndex: number;
  /** Absent for an OP_RETURN anchor; `p2tr-tweak`: the output's internal key (x-only hex). */
  readonly commitment?: { readonly kind: 'p2tr-tweak'; readonly internalKey: string };
  readonly position: number;
  readonly txCount?: number;
  /** Merkle siblings from the transaction up, INTERNAL order hex. */
  readonly branch: readonly string[];
  /** The 80-byte header, hex. */
  readonly header: string;
  /** Display-order block hash (redundant; verification recomputes it). */
  readonly blockHash: string;
  readonly height: number;
}

/** The receipt entry of an SPV proof. */
export function bitcoinAnchorEntryFromProof(proof: SpvProof): BitcoinAnchorEntry {
  const { type: _type, ...rest } = encodeSpvProof(proof);
  return { type: BITCOIN_ANCHOR_TYPE, ...rest };
}

/**
 * The SPV proof inside a receipt entry, checked for shape (not verified).
 * @throws MedanchorError `INVALID_PROOF` naming the first bad member.
 */
export function decodeBitcoinAnchorEntry(anchor: ReceiptAnchor): DecodedSpvProof {
  if (anchor?.type !== BITCOIN_ANCHOR_TYPE) {
    throw new MedanchorError(
      'INVALID_PROOF',
      `a Bitcoin anchor entry has type "${BITCOIN_ANCHOR_TYPE}"`,
    );
  }
  return decodeSpvProof({ ...anchor, type: SPV_PROOF_TYPE });
}

/**
 * Fetches what a receipt needs about a confirmed anchor transaction (the transaction,
 * its merkle branch and the block header) and assembles the entry.
 *
 * @example
 * ```ts
 * const entry = await fetchBitcoinAnchorEntry(backend, regtest, txid);
 * const upgraded = withBitcoinAnchor(receipt, entry);
 * ```
 * @throws MedanchorError `NOT_CONFIRMED` while the transaction is not in a block, or the backend's errors.
 */
export async function fetchBitcoinAnchorEntry(
  backend: Backend,
  network: NetworkParams,
  txid: string,
  commitment?: AnchorCommitment,
): Promise<BitcoinAnchorEntry> {
  const branch = await backend.merkleBranch(txid);
  const [rawTx, header] = await Promise.all([
    backend.transaction(txid),
    backend.headerByHash(branch.blockHash),
  ]);
  const proof = createSpvProof({
    network: network.name,
    rawTx,
    header: header.header,
    height: branch.blockHeight,
    position: branch.position,
    siblings: branch.siblings,
    txCount: branch.txCount,
    ...(commitment === undefined ? {} : { outputIndex: 0, commitment }),
  });
  return bitcoinAnchorEntryFromProof(proof);
}

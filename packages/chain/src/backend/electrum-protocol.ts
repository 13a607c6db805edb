import { MedanchorError, toHex } from '@medanchor/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { hashFromDisplayHex } from '../bitcoin/hash.js';
import { foldMerkleBranch } from '../bitcoin/merkle.js';
import { isAlreadyKnownRejection } from './broadcast-known.js';

// Pure pieces of the Electrum protocol (ElectrumX/Fulcrum/electrs dialect, 1.4): how
// scripts are named, how fees are expressed, how header checkpoints are proven, and what
// a server's broadcast error means. No I/O here.

/**
 * The Electrum "script hash" of an output script: sha256(script), byte-reversed, hex.
 *
 * @example
 * ```ts
 * electrumScriptHash(p2wpkhScript); // '6191c3b5...'
 * ```
 */
export function electrumScriptHash(script: Uint8Array): string {
  return toHex(sha256(script).reverse());
}

/** Converts Electrum's `blockchain.estimatefee` answer (coins per 1000 bytes) to sat/vB. */
export function coinsPerKbToSatPerVb(coinsPerKb: number): number {
  return (coinsPerKb * 100_000_000) / 1000;
}

/** A header checkpoint: the merkle root of all block hashes from 0 to `height`. */
export interface ElectrumCheckpoint {
  height: number;
  /** Display-order hex, as servers return it for `cp_height`. */
  root: string;
}

/**
 * True when `branch` (display-order hex, as Electrum servers send it) links the header's
 * hash at `height` to the checkpoint root. Servers build this tree over block hashes with
 * Bitcoin's merkle rules.
 */
export function headerProvenByCheckpoint(
  blockHashInternal: Uint8Array,
  height: number,
  branch: readonly string[],
  checkpoint: ElectrumCheckpoint,
): boolean {
  try {
    const siblings = branch.map((h) => hashFromDisplayHex(h, 'checkpoint branch hash'));
    const root = foldMerkleBranch(blockHashInternal, height, siblings);
    return toHex(root) === toHex(hashFromDisplayHex(checkpoint.root, 'checkpoint root'));
  } catch {
    return false;
  }
}

/** What a broadcast error from an Electrum server means. */
export type ElectrumBroadcastOutcome =
  | { kind: 'success' }
  | { kind: 'error'; error: MedanchorError };

// Servers relay the node's reject reason inside free text, sometimes followed by the raw
// transaction; keep the reason, not the hex.
function reasonOf(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\[?[0-9a-f]{40,}\]?$/i.test(l));
  const reason = lines.length > 1 ? lines.slice(1).join(' ') : (lines[0] ?? '');
  return reason.slice(0, 300);
}

/**
 * Classifies the error message of `blockchain.transaction.broadcast`. Electrum servers
 * have no standard error codes for this, so the node's reject reason is matched:
 * "already known / in the chain" is success; decode failures are `TX_DESERIALIZATION`;
 * missing or spent inputs and mempool conflicts are `TX_CONFLICT`; the rest (policy) `TX_REJECTED`.
 */
export function classifyElectrumBroadcastError(message: string): ElectrumBroadcastOutcome {
  const reason = reasonOf(message);
  const details = { reason };
  if (isAlreadyKnownRejection(message)) return { kind: 'success' };
  if (/decode failed|deserializ|non-hex|not a valid transaction/i.test(message)) {
    return {
      kind: 'error',
      error: new MedanchorError(
        'TX_DESERIALIZATION',
        `the server could not decode the transaction (${reason}); check the raw bytes are a complete serialized transaction`,
        { details },
      ),
    };
  }
  if (
    /mempool-conflict|spends-conflicting|insufficient fee, rejecting replacement|missingorspent|missing inputs/i.test(
      message,
    )
  ) {
    return {
      kind: 'error',
      error: new MedanchorError(
        'TX_CONFLICT',
        `an input is missing or already spent (${reason}); refresh the UTXOs and rebuild, or replace the other transaction`,
        { details },
      ),
    };
  }
  return {
    kind: 'error',
    error: new MedanchorError(
      'TX_REJECTED',
      `the server rejected the transaction (${reason}); fix what the reason names (inputs, fee, standardness) and rebuild it`,
      { details },
    ),
  };
}

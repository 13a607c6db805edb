import { MedanchorError } from '@medanchor/core';
import { txidHex } from '../bitcoin/transaction.js';

// The one "already known" path of every network backend (Esplora, Core RPC, Electrum).
// A node that already holds a transaction refuses it a second time; for the caller that
// refusal is success, so each backend asks here whether the refusal means "known" and,
// if so, answers with the txid of the bytes it sent. devnet sees its own mempool and
// chain directly, so it needs no reason matching.

/** Core `RPC_TRANSACTION_ALREADY_IN_CHAIN`. */
export const CORE_RPC_ALREADY_IN_CHAIN = -27;

// The reasons with which Bitcoin Core and its forks (and the servers that pass their
// answer on, wrapped in free text) say "this very transaction is already here":
// txn-already-in-mempool, txn-already-known, "already in block chain" (older nodes write
// "blockchain"), "already in utxo set", and Electrum's "already have transaction".
const ALREADY_KNOWN =
  /txn-already-(?:in-mempool|known)|already in (?:block ?chain|utxo set)|already have transaction/i;

/**
 * True when a node's refusal of a broadcast means it already has the transaction, in
 * its mempool or in the chain: RPC code -27, or one of the reasons Core gives for it
 * (matched case-insensitively anywhere in `reason`, since servers wrap it in free text).
 */
export function isAlreadyKnownRejection(reason: string, rpcCode?: number): boolean {
  return rpcCode === CORE_RPC_ALREADY_IN_CHAIN || ALREADY_KNOWN.test(reason);
}

/**
 * The display-order txid of `rawTx`, which `who` (e.g. "the node") answered it already
 * knows: the broadcast succeeded earlier.
 *
 * @throws MedanchorError `TX_DESERIALIZATION` when the bytes do not decode here.
 */
export function knownTxid(rawTx: Uint8Array, who: string): string {
  try {
    return txidHex(rawTx);
  } catch (cause) {
    throw new MedanchorError(
      'TX_DESERIALIZATION',
      `${who} reports the transaction as known, but its bytes do not decode here; check the raw bytes`,
      { cause },
    );
  }
}

/**
 * The error for a broadcast whose fate is unknown (the connection failed or timed out
 * after sending): sending again blindly could be wrong, so the caller looks first.
 */
export function broadcastUnknown(who: string, cause: unknown): MedanchorError {
  return new MedanchorError(
    'BROADCAST_UNKNOWN',
    `the broadcast may or may not have reached ${who}; check txStatus of the txid before sending it again`,
    { cause },
  );
}

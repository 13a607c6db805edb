import { MedanchorError } from '@medanchor/core';
import { isAlreadyKnownRejection } from './broadcast-known.js';
import { isRpcError } from './jsonrpc-http.js';

export { CORE_RPC_ALREADY_IN_CHAIN } from './broadcast-known.js';

// Bitcoin Core's RPC error codes (src/rpc/protocol.h) that a backend user must tell apart.
/** Core `RPC_INVALID_ADDRESS_OR_KEY`: unknown block, transaction or key. */
export const CORE_RPC_NOT_FOUND = -5;
/** Core `RPC_DESERIALIZATION_ERROR`: the bytes do not decode as a transaction or block. */
export const CORE_RPC_DESERIALIZATION_ERROR = -22;
/** Core `RPC_TRANSACTION_ERROR`: generic broadcast failure, "Missing inputs" in 0.21. */
export const CORE_RPC_TRANSACTION_ERROR = -25;
/** Core `RPC_TRANSACTION_REJECTED`: mempool policy or consensus rejection, with a reason. */
export const CORE_RPC_TRANSACTION_REJECTED = -26;
/** Core `RPC_IN_WARMUP`: the node is still loading; retry later. */
export const CORE_RPC_IN_WARMUP = -28;

// Reject reasons that mean "an input is already spent by another transaction".
const CONFLICT_REASONS = ['txn-mempool-conflict', 'bad-txns-spends-conflicting-tx'];

/** What a `sendrawtransaction` error means for the caller. */
export type BroadcastOutcome = { kind: 'success' } | { kind: 'error'; error: MedanchorError };

/**
 * Classifies an error from `sendrawtransaction`: "already in chain" (-27) and "already
 * in the mempool" are success; -22 is `TX_DESERIALIZATION`; -25 (missing or spent
 * inputs: Core cannot tell which) and a mempool conflict are `TX_CONFLICT`, as in every
 * other backend; -26 (policy, with Core's reason string kept) is `TX_REJECTED`. Anything
 * else is returned unchanged.
 */
export function classifyBroadcastError(e: unknown): BroadcastOutcome {
  if (!isRpcError(e)) {
    return {
      kind: 'error',
      error: e instanceof MedanchorError ? e : new MedanchorError('RPC_ERROR', String(e)),
    };
  }
  const { rpcCode, rpcMessage } = e.details;
  const reason = rpcMessage;
  const details = { rpcCode, reason };
  if (isAlreadyKnownRejection(reason, rpcCode)) return { kind: 'success' };
  if (rpcCode === CORE_RPC_DESERIALIZATION_ERROR) {
    return {
      kind: 'error',
      error: new MedanchorError(
        'TX_DESERIALIZATION',
        `the node could not decode the transaction (${reason}); check the raw bytes are a complete serialized transaction`,
        { cause: e, details },
      ),
    };
  }
  if (CONFLICT_REASONS.some((r) => reason.includes(r)) || rpcCode === CORE_RPC_TRANSACTION_ERROR) {
    return {
      kind: 'error',
      error: new MedanchorError(
        'TX_CONFLICT',
        `an input is missing or already spent (${reason}); refresh the UTXOs and rebuild, or replace the other transaction`,
        { cause: e, details },
      ),
    };
  }
  if (rpcCode === CORE_RPC_TRANSACTION_REJECTED) {
    return {
      kind: 'error',
      error: new MedanchorError(
        'TX_REJECTED',
        `the node rejected the transaction (${reason}); fix what the reason names (fee, standardness, script) and rebuild it`,
        { cause: e, details },
      ),
    };
  }
  return { kind: 'error', error: e };
}

/** True when `e` is Core's "not found" (-5) answer. */
export function isCoreNotFound(e: unknown): boolean {
  return isRpcError(e) && e.details.rpcCode === CORE_RPC_NOT_FOUND;
}

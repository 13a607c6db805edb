import { MedanchorError } from '@medanchor/core';
import { isAlreadyKnownRejection } from './broadcast-known.js';

// Esplora passes the node's rejection on as HTTP 400 with a body such as
// `sendrawtransaction RPC error: {"code":-26,"message":"min relay fee not met"}`.
// These reason fragments decide the typed error; the reason itself is kept in details.
const CONFLICT = [
  'txn-mempool-conflict',
  'bad-txns-spends-conflicting-tx',
  'bad-txns-inputs-missingorspent',
  'inputs-spent',
];
const DESERIALIZATION = ['decode failed', 'deserialize', 'tx decode'];

/** What a rejected POST /tx means for the caller. */
export type EsploraBroadcastOutcome = { kind: 'known' } | { kind: 'error'; error: MedanchorError };

/** The node's reason and RPC code from an Esplora error body (the whole body when it has no JSON). */
export function parseEsploraRejection(body: string): { reason: string; rpcCode?: number } {
  const start = body.indexOf('{');
  if (start >= 0) {
    try {
      const parsed = JSON.parse(body.slice(start)) as { code?: unknown; message?: unknown };
      if (typeof parsed.message === 'string') {
        return typeof parsed.code === 'number'
          ? { reason: parsed.message, rpcCode: parsed.code }
          : { reason: parsed.message };
      }
    } catch {
      // Not JSON after all: fall through to the raw body.
    }
  }
  return { reason: body.trim().slice(0, 200) };
}

/**
 * Classifies Esplora's answer to a rejected broadcast: already known (a success for
 * the caller), `TX_DESERIALIZATION`, `TX_CONFLICT` (an input is spent, in a block or
 * by a mempool transaction that cannot be replaced) or `TX_REJECTED` (policy: fee,
 * dust, standardness, signatures, an underpaying replacement).
 */
export function classifyEsploraRejection(
  label: string,
  status: number,
  body: string,
): EsploraBroadcastOutcome {
  const { reason, rpcCode } = parseEsploraRejection(body);
  const lower = reason.toLowerCase();
  const details = { status, reason, rpcCode: rpcCode ?? null };
  if (isAlreadyKnownRejection(reason, rpcCode)) return { kind: 'known' };
  if (rpcCode === -22 || DESERIALIZATION.some((r) => lower.includes(r))) {
    return {
      kind: 'error',
      error: new MedanchorError(
        'TX_DESERIALIZATION',
        `${label} could not decode the transaction (${reason}); send complete serialized bytes`,
        { details },
      ),
    };
  }
  if (CONFLICT.some((r) => lower.includes(r))) {
    return {
      kind: 'error',
      error: new MedanchorError(
        'TX_CONFLICT',
        `${label}: an input is already spent (${reason}); rebuild from unspent outputs or replace the other transaction`,
        { details },
      ),
    };
  }
  return {
    kind: 'error',
    error: new MedanchorError(
      'TX_REJECTED',
      `${label} rejected the transaction (${reason}); fix what the reason names and rebuild it`,
      { details },
    ),
  };
}

import { fromHex, isMedanchorError, MedanchorError } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import {
  broadcastUnknown,
  isAlreadyKnownRejection,
  knownTxid,
} from '../../src/backend/broadcast-known.js';
import { classifyBroadcastError } from '../../src/backend/core-rpc-errors.js';
import { classifyElectrumBroadcastError } from '../../src/backend/electrum-protocol.js';
import { classifyEsploraRejection } from '../../src/backend/esplora-broadcast.js';
import { parseBlock, serializeTransaction, txidHex } from '../../src/bitcoin/index.js';
import { block80000 } from '../bitcoin/fixtures.js';

// The reasons real nodes give for a transaction they already hold (Core 0.21 to 28 and
// its forks), and policy reasons that must not be read as "known".
const KNOWN = [
  'txn-already-in-mempool',
  'txn-already-known',
  'Transaction already in block chain',
  'transaction already in blockchain',
  'Transaction outputs already in utxo set',
  'the transaction was rejected by network rules.\n\nalready have transaction\n[0100…]',
];
const NOT_KNOWN = [
  'min relay fee not met',
  'txn-mempool-conflict',
  'bad-txns-inputs-missingorspent',
  'insufficient fee, rejecting replacement',
  'TX decode failed',
];

describe('the one "already known" path of the backends', () => {
  it('recognizes every known-transaction reason, in any case, and the -27 code alone', () => {
    for (const r of KNOWN) {
      expect(isAlreadyKnownRejection(r), r).toBe(true);
      expect(isAlreadyKnownRejection(r.toUpperCase()), r).toBe(true);
    }
    expect(isAlreadyKnownRejection('', -27)).toBe(true);
    for (const r of NOT_KNOWN) expect(isAlreadyKnownRejection(r, -26), r).toBe(false);
  });

  it('Core RPC, Esplora and Electrum classify the same reasons the same way', () => {
    const rpcError = (rpcCode: number, rpcMessage: string) =>
      new MedanchorError('RPC_ERROR', 'rpc error', { details: { rpcCode, rpcMessage } });
    for (const r of KNOWN) {
      expect(classifyBroadcastError(rpcError(-26, r)).kind, r).toBe('success');
      expect(classifyEsploraRejection('esplora', 400, r).kind, r).toBe('known');
      expect(classifyElectrumBroadcastError(r).kind, r).toBe('success');
    }
    // Esplora passes the node's JSON on; the -27 code alone is enough there too.
    const body =
      'sendrawtransaction RPC error: {"code":-27,"message":"Transaction outputs already in utxo set"}';
    expect(classifyEsploraRejection('esplora', 400, body).kind).toBe('known');
    for (const r of NOT_KNOWN) {
      expect(classifyBroadcastError(rpcError(-26, r)).kind, r).toBe('error');
      expect(classifyEsploraRejection('esplora', 400, r).kind, r).toBe('error');
      expect(classifyElectrumBroadcastError(r).kind, r).toBe('error');
    }
  });

  it('answers a known transaction with the txid of the bytes sent', () => {
    const coinbase = parseBlock(fromHex(block80000.rawBlock)).transactions[0]!;
    const raw = serializeTransaction(coinbase);
    expect(knownTxid(raw, 'the node')).toBe(txidHex(raw));
    expect(knownTxid(raw, 'the node')).toBe(block80000.txids[0]);
  });

  it('bytes that do not decode are TX_DESERIALIZATION, not a crash', () => {
    let caught: unknown;
    try {
      knownTxid(Uint8Array.of(1, 2, 3), 'the server');
    } catch (e) {
      caught = e;
    }
    expect(isMedanchorError(caught, 'TX_DESERIALIZATION')).toBe(true);
    expect((caught as Error).message).toContain('the server reports the transaction as known');
  });

  it('an unknown fate is BROADCAST_UNKNOWN naming who may have it, with the cause kept', () => {
    const cause = new MedanchorError('RPC_TIMEOUT', 'timed out');
    const e = broadcastUnknown('the node', cause);
    expect(e.code).toBe('BROADCAST_UNKNOWN');
    expect(e.message).toContain('reached the node');
    expect(e.cause).toBe(cause);
  });
});

import { MedanchorError } from '@medanchor/core';
import { ByteReader } from './bytes-io.js';
import { sha256d } from './hash.js';
import { HEADER_SIZE } from './header.js';
import {
  type ParsedTransaction,
  readTransaction,
  serializeTransactionNoWitness,
} from './transaction.js';

/** A parsed block: its header bytes and its transactions with their txids. */
export interface ParsedBlock {
  /** The 80 header bytes. */
  header: Uint8Array;
  transactions: ParsedTransaction[];
  /** Txids in block order, internal byte order. */
  txids: Uint8Array[];
}

/**
 * Parses a serialized block (header, CompactSize count, transactions) and derives
 * every txid.
 * @throws MedanchorError `INVALID_BLOCK` for truncated data, trailing bytes or a bad transaction.
 */
export function parseBlock(raw: Uint8Array): ParsedBlock {
  const r = new ByteReader(raw, 'INVALID_BLOCK', 'block');
  try {
    const header = r.take(HEADER_SIZE).slice();
    const count = r.varint();
    if (count === 0)
      throw new MedanchorError('INVALID_BLOCK', 'a block has at least its coinbase transaction');
    const transactions: ParsedTransaction[] = [];
    const txids: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const tx = readTransaction(r);
      transactions.push(tx);
      txids.push(sha256d(serializeTransactionNoWitness(tx)));
    }
    if (r.remaining !== 0) throw new MedanchorError('INVALID_BLOCK', 'block has trailing bytes');
    return { header, transactions, txids };
  } catch (e) {
    if (e instanceof MedanchorError && e.code !== 'INVALID_BLOCK') {
      throw new MedanchorError(
        'INVALID_BLOCK',
        `block holds a malformed transaction: ${e.message}`,
        { cause: e },
      );
    }
    throw e;
  }
}

import { fromHex } from '@medanchor/core';
import type { LedgerWorkspace } from './workspace.js';

/** Where one sealed checkpoint's anchor stands. */
export interface AnchorStatusLine {
  /** Checkpoint digest (hex). */
  checkpoint: string;
  /** Receipts that wait on it. */
  receipts: number;
  /** `unanchored` (no transaction yet), `pending` (broadcast), `confirmed`, `final`. */
  status: 'unanchored' | 'pending' | 'confirmed' | 'final';
  /** The latest transaction. */
  txid?: string;
  /** Block height once confirmed. */
  height?: number;
  /** Confirmations (the block counts as one). */
  confirmations?: number;
  /** The last broadcast error, if any. */
  error?: string;
}

/** The anchor of every checkpoint that has receipts, oldest first. */
export async function anchorStatuses(ws: LedgerWorkspace): Promise<AnchorStatusLine[]> {
  const tip = await ws.backend.tip();
  const lines: AnchorStatusLine[] = [];
  for (const checkpoint of await ws.receipts.checkpoints()) {
    const receipts = ws.receipts.countFor(checkpoint);
    const record = ws.anchorer.get(fromHex(checkpoint));
    if (record === undefined) {
      lines.push({ checkpoint, receipts, status: 'unanchored' });
      continue;
    }
    const c = record.confirmation;
    lines.push({
      checkpoint,
      receipts,
      status: record.status,
      ...(c === undefined
        ? {}
        : { txid: c.txid, height: c.height, confirmations: tip.height - c.height + 1 }),
      ...(c === undefined && record.attempts.length > 0
        ? { txid: record.attempts.at(-1)!.txid }
        : {}),
      ...(record.lastError === undefined ? {} : { error: record.lastError }),
    });
  }
  return lines;
}

/** One line of text per anchor. */
export function describeStatus(s: AnchorStatusLine): string {
  const head = `checkpoint ${s.checkpoint.slice(0, 16)}... (${s.receipts} receipt(s)):`;
  if (s.status === 'unanchored') return `${head} not anchored${s.error ? ` (${s.error})` : ''}`;
  if (s.height === undefined)
    return `${head} ${s.status}, tx ${s.txid} in the mempool${s.error ? ` (${s.error})` : ''}`;
  return `${head} ${s.status}, tx ${s.txid} in block ${s.height} (${s.confirmations} confirmation(s))`;
}

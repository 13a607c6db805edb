import type { Workspace } from './workspace.js';

/** Where one sealed checkpoint's anchor stands. */
export interface AnchorStatusLine {
  /** Checkpoint digest (hex). */
  checkpoint: string;
  /** Receipts that wait on it (the records it sealed). */
  receipts: number;
  /**
   * `unanchored` (no transaction yet), `awaiting-signature` (built, waits for a PSBT
   * signed elsewhere), `waiting` (rolling: waits for the wallet's next transaction),
   * `pending` (broadcast), `confirmed`, `final`.
   */
  status: 'unanchored' | 'awaiting-signature' | 'waiting' | 'pending' | 'confirmed' | 'final';
  /** Rolling: the later checkpoint whose transaction replaced this one's and carries its receipts. */
  carriedBy?: string;
  /** The latest transaction. */
  txid?: string;
  /** Block height once confirmed. */
  height?: number;
  /** Confirmations (the block counts as one). */
  confirmations?: number;
  /** The last anchoring or broadcast error, if any. */
  error?: string;
}

/** The anchor of every sealed checkpoint, oldest first, from the store. */
export async function anchorStatuses(ws: Workspace): Promise<AnchorStatusLine[]> {
  const anchors = await ws.ledger.anchors({ all: true });
  if (anchors.length === 0) return [];
  const tip = ws.backend === undefined ? undefined : await ws.backend.tip();
  return anchors.map((a) => {
    const record = a.record;
    const receipts = a.checkpoint.size - a.firstIndex;
    if (record === undefined)
      return {
        checkpoint: a.digest,
        receipts,
        status: 'unanchored' as const,
        ...(a.lastError === undefined ? {} : { error: a.lastError }),
      };
    if (record.waiting === true)
      return {
        checkpoint: a.digest,
        receipts,
        status: 'waiting' as const,
        ...(record.lastError === undefined ? {} : { error: record.lastError }),
      };
    const c = record.confirmation;
    // A replaced (carried) checkpoint may have no transaction of its own: it follows its carrier.
    const txid = record.attempts.at(-1)?.txid ?? record.unsigned?.txid;
    return {
      checkpoint: a.digest,
      receipts,
      status:
        record.attempts.length === 0 && record.replacedBy === undefined
          ? ('awaiting-signature' as const)
          : record.status,
      ...(record.replacedBy === undefined ? {} : { carriedBy: record.replacedBy }),
      ...(c === undefined
        ? txid === undefined
          ? {}
          : { txid }
        : {
            txid: c.txid,
            height: c.height,
            ...(tip === undefined ? {} : { confirmations: tip.height - c.height + 1 }),
          }),
      ...(record.lastError === undefined ? {} : { error: record.lastError }),
    };
  });
}

/** One line of text per anchor. */
export function describeStatus(s: AnchorStatusLine): string {
  const head = `checkpoint ${s.checkpoint.slice(0, 16)}... (${s.receipts} receipt(s)):`;
  if (s.status === 'unanchored') return `${head} not anchored${s.error ? ` (${s.error})` : ''}`;
  if (s.status === 'waiting')
    return `${head} waits for the rolling anchor's next transaction${s.error ? ` (${s.error})` : ''}`;
  if (s.carriedBy !== undefined && s.txid === undefined)
    return `${head} ${s.status}, carried by checkpoint ${s.carriedBy.slice(0, 16)}...`;
  if (s.status === 'awaiting-signature')
    return `${head} tx ${s.txid} awaits its signature: export it with \`medanchor anchor --psbt <file>\``;
  if (s.height === undefined)
    return `${head} ${s.status}, tx ${s.txid} in the mempool${s.error ? ` (${s.error})` : ''}`;
  return `${head} ${s.status}, tx ${s.txid} in block ${s.height} (${s.confirmations} confirmation(s))`;
}

import { fromHex, isMedanchorError } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import type { NetworkParams } from '../network/params.js';
import { type AnchorView, type AttemptView, needsReorgCheck } from './decide.js';
import type { BitcoinAnchorEntry } from './entry.js';
import type { AnchorRecord } from './state.js';
import { checkReorg, fetchVerifiedAnchorEntry, provenHeightFrom } from './verify-entry.js';

/** What {@link observeAnchor} needs besides the record. */
export interface ObserveContext {
  readonly backend: Backend;
  readonly network: NetworkParams;
  readonly finalityDepth: number;
  readonly bumpAfterBlocks: number;
  /** Told every entry that verified, so the caller can hand it out without fetching it again. */
  readonly verified?: (digest: string, entry: BitcoinAnchorEntry) => void;
}

type TxState = { kind: 'confirmed' } | { kind: 'mempool' } | { kind: 'unknown' };

async function txState(backend: Backend, txid: string): Promise<TxState> {
  try {
    const st = await backend.txStatus(txid);
    return st.confirmed && st.blockHash !== undefined && st.blockHeight !== undefined
      ? { kind: 'confirmed' }
      : { kind: 'mempool' };
  } catch (e) {
    if (isMedanchorError(e, 'NOT_FOUND')) return { kind: 'unknown' };
    throw e;
  }
}

/**
 * What the chain shows about one anchor record, every claim checked: the input of
 * `decideAnchor`. A confirmation counts only with its verified entry and the
 * confirmations of validated headers (`fetchVerifiedAnchorEntry`); a proof that fails is
 * `refused`. The tip height is the backend's, except when it would trigger a fee bump:
 * then only blocks shown by valid headers count. A confirmed record that no attempt
 * confirms any more gets the verdict of `checkReorg`.
 * @throws the backend's errors (unreachable, timeouts), never on a lie it tells.
 */
export async function observeAnchor(
  ctx: ObserveContext,
  record: AnchorRecord,
  tipHeight: number,
): Promise<AnchorView> {
  const { backend, network, finalityDepth } = ctx;
  const states = await Promise.all(record.attempts.map((a) => txState(backend, a.txid)));
  const attempts: AttemptView[] = [];
  for (const [i, st] of states.entries()) {
    if (st.kind !== 'confirmed') {
      attempts.push(st);
      continue;
    }
    try {
      const { entry, confirmations } = await fetchVerifiedAnchorEntry({
        backend,
        network,
        txid: record.attempts[i]!.txid,
        digest: fromHex(record.digest),
        depth: finalityDepth,
        ...(record.tweak === undefined
          ? {}
          : {
              commitment: {
                kind: 'p2tr-tweak' as const,
                internalKey: fromHex(record.tweak.internalKey),
              },
            }),
      });
      ctx.verified?.(record.digest, entry);
      attempts.push({
        kind: 'confirmed',
        blockHash: entry.blockHash,
        height: entry.height,
        depth: confirmations,
        entry,
      });
    } catch (e) {
      if (!isMedanchorError(e, 'ANCHOR_PROOF_REFUSED') && !isMedanchorError(e, 'NOT_CONFIRMED'))
        throw e;
      attempts.push({ kind: 'refused', reason: `${e.code}: ${e.message}` });
    }
  }
  const tip = await provenTip(ctx, record, attempts, tipHeight);
  if (!needsReorgCheck(record, attempts)) return { tipHeight: tip, attempts };
  const reorg = await checkReorg(backend, network, record.confirmation!, finalityDepth, tipHeight);
  return { tipHeight: tip, attempts, reorg };
}

// A padded tip would otherwise spend the fee budget on bumps.
async function provenTip(
  ctx: ObserveContext,
  record: AnchorRecord,
  attempts: readonly AttemptView[],
  claimed: number,
): Promise<number> {
  const signedAt = record.attempts[record.attempts.length - 1]!.signedAtHeight;
  const settled = attempts.some((a) => a.kind === 'confirmed' || a.kind === 'refused');
  if (settled || claimed - signedAt < ctx.bumpAfterBlocks) return claimed;
  const proven = await provenHeightFrom(
    ctx.backend,
    ctx.network,
    signedAt,
    ctx.bumpAfterBlocks + 1,
  );
  return Math.min(claimed, Math.max(proven, signedAt));
}

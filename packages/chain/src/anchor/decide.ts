import type { BitcoinAnchorEntry } from './entry.js';
import type { AnchorConfirmation, AnchorRecord, AnchorStatus } from './state.js';

/**
 * What the network shows about one attempt (transaction) of an anchor, after the
 * anchorer checked it. `confirmed` only after the proof verified; `depth` counts the
 * block and the validated headers above it. `refused`: the backend claimed a
 * confirmation whose proof did not verify.
 */
export type AttemptView =
  | {
      readonly kind: 'confirmed';
      readonly blockHash: string;
      readonly height: number;
      readonly depth: number;
      /** The verified receipt entry: kept in the record once final, so it is never fetched again. */
      readonly entry?: BitcoinAnchorEntry;
    }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'mempool' }
  | { readonly kind: 'unknown' };

/** The chain as the anchorer saw it for one record: the input of {@link decideAnchor}. */
export interface AnchorView {
  /** Height of the backend's best block (only used to tell when an attempt is stuck). */
  readonly tipHeight: number;
  /** One view per attempt of the record, in the same order. */
  readonly attempts: readonly AttemptView[];
  /**
   * Whether the block of the record's confirmation provably left the best chain;
   * asked only when the record is confirmed and no attempt is confirmed now.
   */
  readonly reorg?: { readonly proven: boolean; readonly reason: string };
}

/** The anchorer's rules, from its options. */
export interface AnchorPolicy {
  /** Confirmations after which an anchor is final. */
  readonly finalityDepth: number;
  /** Blocks an attempt may wait unconfirmed before a fee bump. */
  readonly bumpAfterBlocks: number;
}

/**
 * One step for the anchorer's loop to perform, in order: `save` makes the record durable,
 * `emit` reports an event, `rebroadcast` sends the latest attempt again, `bump` signs and
 * sends a replacement with a higher fee, `hold` keeps the record as it is because the
 * backend's account did not verify (nothing is written).
 */
export type AnchorAction =
  | { readonly kind: 'save'; readonly record: AnchorRecord }
  | {
      readonly kind: 'emit';
      readonly event: {
        readonly kind: 'confirmed' | 'final' | 'reorged';
        readonly txid: string;
        readonly height?: number;
      };
    }
  | { readonly kind: 'rebroadcast' }
  | { readonly kind: 'bump' }
  | { readonly kind: 'hold'; readonly reason: string };

/**
 * Whether {@link decideAnchor} needs the `reorg` answer for this record: true when the
 * record is confirmed and no attempt is confirmed or refused now, so the loop must find
 * out whether the block left the chain.
 */
export function needsReorgCheck(record: AnchorRecord, attempts: readonly AttemptView[]): boolean {
  return (
    record.confirmation !== undefined &&
    record.status !== 'final' &&
    !attempts.some((a) => a.kind === 'confirmed' || a.kind === 'refused')
  );
}

/**
 * The anchorer's decisions as a pure function: from a record and what the chain shows,
 * the actions that bring the record up to date. Final records are left alone. A
 * verified confirmation is recorded (final at `finalityDepth`); a refused proof holds
 * the record as it is; a block that provably left the chain returns the anchor to
 * pending, and an unproven claim holds it; a pending anchor that neither chain nor
 * mempool knows is broadcast again, and one stuck for `bumpAfterBlocks` is bumped.
 *
 * @example
 * ```ts
 * const actions = decideAnchor(record, { tipHeight: 120, attempts: [{ kind: 'mempool' }] },
 *   { finalityDepth: 6, bumpAfterBlocks: 3 });
 * // [{ kind: 'bump' }] when the attempt was signed at height 117 or before
 * ```
 */
export function decideAnchor(
  record: AnchorRecord,
  view: AnchorView,
  policy: AnchorPolicy,
): AnchorAction[] {
  if (record.status === 'final') return [];
  const confirmedAt = view.attempts.findIndex((a) => a.kind === 'confirmed');
  if (confirmedAt >= 0) {
    const seen = view.attempts[confirmedAt] as Extract<AttemptView, { kind: 'confirmed' }>;
    return confirm(record, record.attempts[confirmedAt]!.txid, seen, policy);
  }
  const refused = view.attempts.find((a) => a.kind === 'refused');
  if (refused !== undefined) return [{ kind: 'hold', reason: refused.reason }];

  const actions: AnchorAction[] = [];
  let current = record;
  if (record.confirmation !== undefined) {
    if (view.reorg === undefined || !view.reorg.proven) {
      return [
        {
          kind: 'hold',
          reason: view.reorg?.reason ?? 'the block left the chain but no proof was checked',
        },
      ];
    }
    // Was in a block, no longer is: the block left the best chain.
    const { confirmation: _c, entry: _e, ...rest } = record;
    current = { ...rest, status: 'pending' };
    actions.push(
      { kind: 'save', record: current },
      { kind: 'emit', event: { kind: 'reorged', txid: record.confirmation.txid } },
    );
  }
  const latest = view.attempts[view.attempts.length - 1];
  if (latest === undefined || latest.kind === 'unknown') {
    // Dropped from chain and mempool, or saved but never sent (crash): send the saved bytes.
    actions.push({ kind: 'rebroadcast' });
    return actions;
  }
  const last = current.attempts[current.attempts.length - 1]!;
  if (view.tipHeight - last.signedAtHeight >= policy.bumpAfterBlocks)
    actions.push({ kind: 'bump' });
  return actions;
}

function confirm(
  record: AnchorRecord,
  txid: string,
  seen: { blockHash: string; height: number; depth: number; entry?: BitcoinAnchorEntry },
  policy: AnchorPolicy,
): AnchorAction[] {
  const status: AnchorStatus = seen.depth >= policy.finalityDepth ? 'final' : 'confirmed';
  const c = record.confirmation;
  const sameBlock = c !== undefined && c.txid === txid && c.blockHash === seen.blockHash;
  if (sameBlock && record.status === status) return [];
  // A replacement still waiting for its signature is moot once an attempt confirmed.
  const { lastError: _e, entry: _old, unsigned: _u, ...rest } = record;
  const confirmation: AnchorConfirmation = {
    txid,
    blockHash: seen.blockHash,
    height: seen.height,
  };
  const next: AnchorRecord =
    status === 'final' && seen.entry !== undefined
      ? { ...rest, status, confirmation, entry: seen.entry }
      : { ...rest, status, confirmation };
  const actions: AnchorAction[] = [{ kind: 'save', record: next }];
  if (!sameBlock)
    actions.push({ kind: 'emit', event: { kind: 'confirmed', txid, height: seen.height } });
  if (status === 'final')
    actions.push({ kind: 'emit', event: { kind: 'final', txid, height: seen.height } });
  return actions;
}

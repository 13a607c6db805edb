import { isMedanchorError } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import type { AnchorEvent } from './anchorer.js';
import { familyKey } from './fee-budget.js';
import { carrierOf, planRoll, rollingHead, strayFamilyMembers } from './rolling.js';
import type { AnchorRecord } from './state.js';

// The rolling anchor's steps against the backend and the state: what the pure plans of
// rolling.ts decide, performed in a crash-safe order (a transaction is recorded before
// anything is marked as carried by it).

/** What the rolling steps need from the anchorer. */
export interface RollingContext {
  /** The anchorer's records by digest (updated by `save`). */
  readonly records: ReadonlyMap<string, AnchorRecord>;
  readonly backend: Backend;
  /** Saves a record durably and keeps it in `records`. */
  save(record: AnchorRecord): Promise<AnchorRecord>;
  emit(event: AnchorEvent): Promise<void>;
  /** One round of tracking for a record (confirmations, reorgs, rebroadcasts, bumps). */
  track(record: AnchorRecord, tipHeight: number): Promise<AnchorRecord>;
  /** Signs, records and sends the first transaction of a waiting checkpoint (new coins). */
  fresh(target: AnchorRecord, tipHeight: number, urgent: boolean): Promise<AnchorRecord>;
  /** Signs, records and sends `target`'s replacement of `head`'s transaction (same coins). */
  replace(
    head: AnchorRecord,
    target: AnchorRecord,
    tipHeight: number,
    urgent: boolean,
  ): Promise<AnchorRecord>;
}

/**
 * The rolling anchor's step (see `planRoll`): carries waiting checkpoints along, gives
 * the newest one a transaction, or replaces the pending one. Errors building the
 * transaction are thrown when `raise` (an `anchor()` call), else reported as events;
 * the checkpoints keep waiting either way.
 */
export async function rollAnchors(
  ctx: RollingContext,
  urgent: boolean,
  raise: boolean,
): Promise<void> {
  const { records, backend, save, emit, track } = ctx;
  // A crash between saving a replacement and marking what it replaced: mark it now.
  for (const r of strayFamilyMembers(records.values()))
    await save({ ...r, replacedBy: rollingHead(records.values())!.digest });
  const tip = await backend.tip();
  let plan = planRoll(records.values(), tip.height, urgent);
  if (plan.kind === 'replace') {
    // Replacing a transaction that already confirmed would only fail: record it first.
    const last = plan.head.attempts[plan.head.attempts.length - 1]!;
    if ((await attemptKnown(backend, last.txid)) === 'confirmed') {
      await track(plan.head, tip.height);
      plan = planRoll(records.values(), tip.height, urgent);
    }
  }
  if (plan.kind === 'none') return;
  const ride = async (riders: readonly AnchorRecord[], to: string) => {
    for (const r of riders) {
      const { waiting: _w, ...rest } = records.get(r.digest)!;
      await save({ ...rest, replacedBy: to });
    }
  };
  if (plan.kind === 'ride') return ride(plan.riders, plan.head.digest);
  try {
    if (plan.kind === 'fresh') {
      await ctx.fresh(plan.target, tip.height, urgent);
    } else {
      await ctx.replace(plan.head, plan.target, tip.height, urgent);
    }
  } catch (e) {
    if (raise) throw e;
    const reason = isMedanchorError(e) ? `${e.code}: ${e.message}` : 'building the anchor failed';
    await emit({ kind: 'error', digest: plan.target.digest, reason });
    return;
  }
  // The target's transaction is durable (and sent): only now are the others carried to it.
  await ride(plan.riders, plan.target.digest);
}

/**
 * Rolling: when the pending transaction is neither in the chain nor in the mempool, an
 * earlier transaction of its family may have confirmed instead (a replacement that came
 * too late, or a crash): that checkpoint is anchored after all (its `replacedBy` goes),
 * and the later ones wait for a new transaction over other coins.
 */
export async function resolveFamily(ctx: RollingContext, tipHeight: number): Promise<void> {
  const { records, backend, save, track } = ctx;
  const head = rollingHead(records.values());
  if (head === undefined) return;
  const latest = head.attempts[head.attempts.length - 1]!;
  if ((await attemptKnown(backend, latest.txid)) !== 'unknown') return;
  const family = familyKey(head);
  const members = [...records.values()].filter(
    (r) =>
      // Marked as replaced, or not yet (a crash came before the mark).
      r !== head && r.attempts.length > 0 && r.status === 'pending' && familyKey(r) === family,
  );
  for (const m of members) {
    for (const a of m.attempts) {
      if ((await attemptKnown(backend, a.txid)) !== 'confirmed') continue;
      const { replacedBy: _r, ...won } = m;
      await track(await save(won), tipHeight);
      // Every later checkpoint of the family lost its transaction: it waits again.
      for (const r of records.values()) {
        const later = (r.logSize ?? -1) > (m.logSize ?? -1);
        if (!later || r.status !== 'pending' || r.attempts.length === 0) continue;
        if (familyKey(r) !== family) continue;
        await save({
          digest: r.digest,
          status: 'pending',
          coins: [],
          attempts: [],
          waiting: true,
          ...(r.logSize === undefined ? {} : { logSize: r.logSize }),
        });
      }
      return;
    }
  }
}

export async function attemptKnown(
  backend: Backend,
  txid: string,
): Promise<'confirmed' | 'mempool' | 'unknown'> {
  try {
    const st = await backend.txStatus(txid);
    return st.confirmed ? 'confirmed' : 'mempool';
  } catch (e) {
    if (isMedanchorError(e, 'NOT_FOUND')) return 'unknown';
    throw e;
  }
}

/** Carried checkpoints follow the status and confirmation of the one that anchors them. */
export async function followCarriers(ctx: RollingContext): Promise<AnchorRecord[]> {
  const { records, save } = ctx;
  const changed: AnchorRecord[] = [];
  for (const r of [...records.values()]) {
    if (r.replacedBy === undefined || r.status === 'final') continue;
    const c = carrierOf(records, r.digest);
    if (c === undefined) continue;
    const same =
      c.status === r.status &&
      c.confirmation?.txid === r.confirmation?.txid &&
      c.confirmation?.blockHash === r.confirmation?.blockHash;
    if (same) continue;
    const { confirmation: _c, ...rest } = r;
    changed.push(
      await save(
        c.confirmation === undefined
          ? { ...rest, status: 'pending' }
          : { ...rest, status: c.status, confirmation: c.confirmation },
      ),
    );
  }
  return changed;
}

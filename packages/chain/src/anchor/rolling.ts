import type { AnchorRecord } from './state.js';

// The rolling anchor's decisions, as pure functions of the records (no backend, no clock):
// which anchor of the wallet is pending, which checkpoints wait for it, and whether the
// next checkpoint replaces the pending transaction now. One unconfirmed transaction per
// wallet at most; earlier checkpoints ride along by consistency proof (`replacedBy`).

/** The wallet's pending anchor: signed, unconfirmed, not replaced. At most one with rolling. */
export function rollingHead(records: Iterable<AnchorRecord>): AnchorRecord | undefined {
  let head: AnchorRecord | undefined;
  for (const r of records) {
    if (
      r.status === 'pending' &&
      r.attempts.length > 0 &&
      r.replacedBy === undefined &&
      r.waiting !== true &&
      r.unsigned === undefined &&
      (head === undefined || orderOf(r) > orderOf(head))
    )
      head = r;
  }
  return head;
}

/** The order of a checkpoint among the wallet's: its log size when known. */
export function orderOf(r: AnchorRecord): number {
  return r.logSize ?? -1;
}

/** The checkpoints waiting for the next (replacement) transaction, oldest first. */
export function waitingRecords(records: Iterable<AnchorRecord>): AnchorRecord[] {
  return [...records].filter((r) => r.waiting === true).sort((a, b) => orderOf(a) - orderOf(b));
}

/**
 * The record whose transaction anchors `digest`: the record itself, or the end of its
 * `replacedBy` chain. `undefined` for an unknown digest or a broken (or looping) chain.
 */
export function carrierOf(
  records: ReadonlyMap<string, AnchorRecord>,
  digest: string,
): AnchorRecord | undefined {
  let r = records.get(digest);
  for (let steps = 0; r !== undefined && steps <= records.size; steps++) {
    if (r.replacedBy === undefined) return r;
    r = records.get(r.replacedBy);
  }
  return undefined;
}

/**
 * What to do with the waiting checkpoints. `none`: nothing waits, or the pending
 * transaction was signed at the current tip (replace at most once per block, unless
 * urgent: each replacement pays the relay fee of its own size again). `ride`: every
 * waiting checkpoint is older than the pending one and is carried to it as it is.
 * `fresh`: no transaction is pending; the newest waiting checkpoint gets one (new coins).
 * `replace`: the newest waiting checkpoint replaces the pending transaction (same coins).
 * `riders` are the records to mark `replacedBy` the target once the target is saved.
 */
export type RollPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'ride'; readonly head: AnchorRecord; readonly riders: AnchorRecord[] }
  | { readonly kind: 'fresh'; readonly target: AnchorRecord; readonly riders: AnchorRecord[] }
  | {
      readonly kind: 'replace';
      readonly head: AnchorRecord;
      readonly target: AnchorRecord;
      readonly riders: AnchorRecord[];
    };

/**
 * Plans the next step of the rolling anchor.
 *
 * @example
 * ```ts
 * const plan = planRoll(records.values(), tip.height, false);
 * if (plan.kind === 'replace') { ... } // sign plan.target over plan.head's coins
 * ```
 */
export function planRoll(
  records: Iterable<AnchorRecord>,
  tipHeight: number,
  urgent: boolean,
): RollPlan {
  const all = [...records];
  const waiting = waitingRecords(all);
  if (waiting.length === 0) return { kind: 'none' };
  const head = rollingHead(all);
  const target = waiting[waiting.length - 1]!;
  if (head === undefined) return { kind: 'fresh', target, riders: waiting.slice(0, -1) };
  if (orderOf(target) <= orderOf(head)) return { kind: 'ride', head, riders: waiting };
  const signedAt = head.attempts[head.attempts.length - 1]!.signedAtHeight;
  if (!urgent && tipHeight <= signedAt) return { kind: 'none' };
  return { kind: 'replace', head, target, riders: [...waiting.slice(0, -1), head] };
}

/**
 * Signed, unreplaced pending records that spend the coins of the newest pending one:
 * left by a crash after a replacement was saved and before what it replaced was marked.
 */
export function strayFamilyMembers(records: Iterable<AnchorRecord>): AnchorRecord[] {
  const all = [...records];
  const head = rollingHead(all);
  if (head === undefined) return [];
  const spent = new Set(head.coins.map((c) => `${c.txid}:${c.vout}`));
  return all.filter(
    (r) =>
      r !== head &&
      r.status === 'pending' &&
      r.replacedBy === undefined &&
      r.waiting !== true &&
      r.attempts.length > 0 &&
      r.coins.some((c) => spent.has(`${c.txid}:${c.vout}`)),
  );
}

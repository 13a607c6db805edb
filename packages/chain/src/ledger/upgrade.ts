import type { Receipt } from '@medanchor/core';
import { BITCOIN_ANCHOR_TYPE, type BitcoinAnchorEntry } from '../anchor/entry.js';

function sameEntry(a: unknown, b: BitcoinAnchorEntry): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The receipt with `entry` as its Bitcoin anchor on `entry.network`: an older entry
 * for the same network (a block that left the best chain) is replaced, anchors of
 * other types or networks are kept. Returns `receipt` itself when nothing changes.
 *
 * @example
 * ```ts
 * const upgraded = withBitcoinAnchor(receipt, await anchorer.entry(digest));
 * ```
 */
export function withBitcoinAnchor(receipt: Receipt, entry: BitcoinAnchorEntry): Receipt {
  const same = receipt.anchors.filter(
    (a) => a.type === BITCOIN_ANCHOR_TYPE && a['network'] === entry.network,
  );
  if (same.length === 1 && sameEntry(same[0], entry)) return receipt;
  const others = receipt.anchors.filter(
    (a) => !(a.type === BITCOIN_ANCHOR_TYPE && a['network'] === entry.network),
  );
  return { ...receipt, anchors: [...others, entry] };
}

/**
 * The receipt without its Bitcoin anchor on `network` (after a reorg took the block
 * away); `receipt` itself when it has none.
 */
export function withoutBitcoinAnchor(receipt: Receipt, network: string): Receipt {
  const kept = receipt.anchors.filter(
    (a) => !(a.type === BITCOIN_ANCHOR_TYPE && a['network'] === network),
  );
  return kept.length === receipt.anchors.length ? receipt : { ...receipt, anchors: kept };
}

import { fromHex, MedanchorError, type Receipt } from '@medanchor/core';
import {
  BITCOIN_ANCHOR_TYPE,
  type BitcoinAnchorEntry,
  decodeBitcoinAnchorEntry,
} from '../anchor/entry.js';
import { verifyProofForWriting } from '../anchor/verify-entry.js';
import { builtinNetworks } from '../network/networks.js';
import type { NetworkParams } from '../network/params.js';

function sameEntry(a: unknown, b: BitcoinAnchorEntry): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The digest the receipt's anchors must commit to (the carried checkpoint's, if carried). */
function anchoredDigest(receipt: Receipt): Uint8Array {
  return fromHex((receipt.carry?.checkpoint ?? receipt.checkpoint).digest);
}

// Level 2 of the entry against this receipt: a receipt is never given an entry that would
// make it fail verification.
function assertEntryFits(receipt: Receipt, entry: BitcoinAnchorEntry, network?: NetworkParams) {
  const params =
    network ??
    (Object.hasOwn(builtinNetworks, entry.network) ? builtinNetworks[entry.network] : undefined);
  let reason: { step: string; reason: string } | undefined;
  try {
    const proof = decodeBitcoinAnchorEntry(entry);
    if (proof.txCount === undefined) reason = { step: 'branch-length', reason: 'no txCount' };
    else if (params !== undefined) {
      const r = verifyProofForWriting(proof, params, anchoredDigest(receipt));
      if (!r.ok) reason = r;
    }
  } catch {
    reason = { step: 'format', reason: 'the entry is not a Bitcoin anchor entry' };
  }
  if (reason !== undefined)
    throw new MedanchorError(
      'ANCHOR_PROOF_REFUSED',
      `the Bitcoin entry does not verify for this receipt (${reason.step}: ${reason.reason}); the receipt was left as it was`,
      { details: { step: reason.step } },
    );
}

/**
 * The receipt with `entry` as its Bitcoin anchor on `entry.network`: an older entry
 * for the same network (a block that left the best chain) is replaced, anchors of
 * other types or networks are kept. Returns `receipt` itself when nothing changes. The
 * entry is checked first (level 2 against the receipt's anchored checkpoint digest, on
 * `network` or the built-in network the entry names), so a receipt never gains an entry
 * that fails.
 *
 * @example
 * ```ts
 * const upgraded = withBitcoinAnchor(receipt, await anchorer.entry(digest));
 * ```
 * @throws MedanchorError `ANCHOR_PROOF_REFUSED` when the entry does not verify for this receipt.
 */
export function withBitcoinAnchor(
  receipt: Receipt,
  entry: BitcoinAnchorEntry,
  network?: NetworkParams,
): Receipt {
  const same = receipt.anchors.filter(
    (a) => a.type === BITCOIN_ANCHOR_TYPE && a['network'] === entry.network,
  );
  if (same.length === 1 && sameEntry(same[0], entry)) return receipt;
  assertEntryFits(receipt, entry, network);
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

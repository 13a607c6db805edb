import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { entryOf, type LedgerAnchor } from '@medanchor/chain';
import { MedanchorError, type Receipt, sha256, toHex, utf8 } from '@medanchor/core';
import type { Output } from './output.js';
import { writeReceiptBeside } from './receipt-files.js';
import { type StampLine, stampKey } from './stamp-book.js';
import { dataPaths, type Workspace } from './workspace.js';

/**
 * Keeps the receipts beside stamped files in step with the store. `beside.json`
 * remembers, per checkpoint, which anchor state the files show; after any command that
 * can change one (seal, anchor, upgrade) every checkpoint whose state moved on is
 * written out again. So no order of commands, and no crash between the store and the
 * files, leaves a receipt behind. Writes go through `writeReceiptBeside`: atomic, and
 * never over a receipt that verifies higher.
 */

/** What {@link refreshReceiptsBeside} did. */
export interface BesideRefresh {
  /** Receipt files written. */
  written: number;
  /** Leaves whose receipts were brought up to date (written or already current). */
  leaves: number;
}

type Marker = Record<string, string>;

function tagOf(a: LedgerAnchor): string {
  // Calendar entries change on their own (stamped, then upgraded): a short hash of them
  // makes the receipts be written again when they do.
  const cal =
    a.calendars === undefined || a.calendars.length === 0
      ? ''
      : ` calendars:${toHex(sha256(utf8(JSON.stringify(a.calendars)))).slice(0, 16)}`;
  return `${ownTagOf(a)}${cal}`;
}

function ownTagOf(a: LedgerAnchor): string {
  const e = entryOf(a);
  if (e !== undefined) return `${e.txid}@${e.blockHash}`;
  // A checkpoint carried by a rolling anchor has no entry of its own; its receipts change
  // when the carrier's transaction confirms.
  const c = a.record?.replacedBy === undefined ? undefined : a.record.confirmation;
  return c === undefined ? 'unanchored' : `carried:${c.txid}@${c.blockHash}`;
}

function readMarker(path: string): Marker {
  if (!existsSync(path)) return {};
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as { checkpoints?: Marker };
    return typeof o.checkpoints === 'object' && o.checkpoints !== null ? o.checkpoints : {};
  } catch {
    return {}; // damaged: every receipt is written again, which is safe
  }
}

function writeMarker(path: string, marker: Marker): void {
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ version: 1, checkpoints: marker })}\n`);
  renameSync(temp, path);
}

/** A stamp the book lost (a crash between the store and the book), from the leaf's key. */
function stampFromKey(key: string | undefined, ws: Workspace): StampLine | undefined {
  const m = key === undefined ? null : /^stamp:(.*)@([0-9a-f]{64})$/.exec(key);
  if (m === null) return undefined;
  const [, path, digest] = m as unknown as [string, string, string];
  const known = ws.stamps.get(stampKey(path, digest));
  if (known !== undefined) return known;
  const first = ws.stamps.versionsOf(path) === 0;
  return {
    key: stampKey(path, digest),
    path,
    digest,
    receipt: first ? `${path}.receipt.json` : `${path}.${digest.slice(0, 16)}.receipt.json`,
  };
}

/**
 * Writes the receipts beside their files for every checkpoint whose anchor state the
 * files do not show yet (all of them with `all`).
 */
export async function refreshReceiptsBeside(
  ws: Workspace,
  dataDir: string,
  out: Output,
  options: { all?: boolean } = {},
): Promise<BesideRefresh> {
  const path = dataPaths(dataDir).beside;
  const marker = options.all === true ? {} : readMarker(path);
  const due = (await ws.ledger.anchors({ all: true })).filter((a) => marker[a.digest] !== tagOf(a));
  let written = 0;
  let leaves = 0;
  let missing = 0;
  let kept = 0;
  for (const a of due) {
    const receipts: Receipt[] = await ws.ledger.checkpointReceipts(a.digest);
    const found: StampLine[] = [];
    const byLeaf = ws.stamps.byLeaf();
    const bar = out.progress('receipts', receipts.length);
    for (const r of receipts) {
      bar.tick();
      let stamp = byLeaf.get(r.leafIndex);
      if (stamp === undefined) {
        const [leaf] = await ws.store.readLeaves(r.leafIndex, 1);
        const line = stampFromKey(leaf?.key, ws);
        if (line === undefined) continue;
        found.push({ ...line, leaf: r.leafIndex });
        stamp = {
          leaf: r.leafIndex,
          path: ws.stamps.absolute(line.path),
          digest: line.digest,
          receipt: ws.stamps.absolute(line.receipt),
        };
      }
      leaves++;
      if (!existsSync(dirname(stamp.receipt))) {
        missing++;
        continue;
      }
      try {
        const outcome = writeReceiptBeside(stamp.receipt, r, { replaceOtherRecord: false });
        if (outcome.written) written++;
        else if (outcome.reason === 'lower' || outcome.reason === 'other-record') kept++;
      } catch (e) {
        if (!(e instanceof MedanchorError && e.code === 'RECEIPT_REFUSED')) throw e;
        out.warn(`the receipt of leaf ${r.leafIndex} did not verify and was not written`);
      }
    }
    bar.done();
    ws.stamps.record(found);
    marker[a.digest] = tagOf(a);
  }
  if (due.length > 0) writeMarker(path, marker);
  if (missing > 0)
    out.warn(`${missing} stamped file(s) moved away; their receipts stay in the store`);
  if (kept > 0)
    out.warn(`${kept} receipt file(s) verify higher or belong to another record and were kept`);
  return { written, leaves };
}

import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeReceipt, type Receipt } from '@medanchor/core';
import type { Output } from './output.js';
import type { StampEntry } from './workspace.js';

/** The receipt file written beside a stamped file. */
export const receiptPathOf = (file: string) => `${file}.receipt.json`;

/**
 * Writes each receipt beside the file it was stamped from (`<file>.receipt.json`), so
 * the pair can be handed to anyone. Files that moved away are skipped with a warning;
 * their receipts stay in the data directory. Returns how many were written.
 */
export function writeReceiptsBeside(
  receipts: readonly Receipt[],
  stamps: ReadonlyMap<number, StampEntry>,
  out: Output,
): number {
  const bar = out.progress('receipts', receipts.length);
  let written = 0;
  let missing = 0;
  for (const r of receipts) {
    const stamp = stamps.get(r.leafIndex);
    bar.tick();
    if (stamp === undefined) continue;
    if (!existsSync(dirname(stamp.path))) {
      missing++;
      continue;
    }
    writeFileSync(receiptPathOf(stamp.path), encodeReceipt(r));
    written++;
  }
  bar.done();
  if (missing > 0)
    out.warn(
      `${missing} stamped file(s) moved away; their receipts are kept in the data directory`,
    );
  return written;
}

import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  BITCOIN_ANCHOR_TYPE,
  decodeBitcoinAnchorEntry,
  networkByName,
  verifyProofForWriting,
} from '@medanchor/chain';
import {
  encodeReceipt,
  fromHex,
  MedanchorError,
  type Receipt,
  verifyReceiptMerkle,
} from '@medanchor/core';
import type { Output } from './output.js';
import type { StampEntry } from './workspace.js';

/** The receipt file written beside a stamped file. */
export const receiptPathOf = (file: string) => `${file}.receipt.json`;

/**
 * The level a receipt verifies at offline: 0 when it does not verify (or does not parse),
 * 1 for the Merkle proof to its checkpoint, 2 when a Bitcoin anchor also verifies by SPV
 * against the anchored checkpoint digest. Any anchor that fails makes the receipt 0, as
 * `verify` would reject it. Synchronous and without network: the chain check (level 3)
 * is not a property of the file.
 */
export function offlineReceiptLevel(input: unknown): 0 | 1 | 2 {
  const base = verifyReceiptMerkle(input);
  if (!base.ok) return 0;
  const { receipt } = base;
  let level: 1 | 2 = 1;
  for (const anchor of receipt.anchors) {
    if (anchor.type !== BITCOIN_ANCHOR_TYPE) continue;
    try {
      const proof = decodeBitcoinAnchorEntry(anchor);
      if (proof.txCount === undefined) return 0;
      // Past the bundled difficulty schedule level 2 is judged on every other step.
      const r = verifyProofForWriting(
        proof,
        networkByName(proof.network),
        fromHex(base.anchoredDigest),
      );
      if (!r.ok) return 0;
      level = 2;
    } catch {
      return 0;
    }
  }
  return level;
}

/** What {@link writeReceiptBeside} did. */
export interface ReceiptBesideOutcome {
  /** True when the file now holds the new receipt's bytes (they were written). */
  readonly written: boolean;
  /**
   * `new`: no readable receipt was there; `higher`/`same-level`: it replaced one that
   * verified lower or as high; `unchanged`: the same bytes were there; `lower`: the one
   * there verifies higher and was kept; `other-record`: the one there is a valid receipt
   * of another record and `replaceOtherRecord` was false, so it was kept.
   */
  readonly reason: 'new' | 'higher' | 'same-level' | 'unchanged' | 'lower' | 'other-record';
  /** Offline level of the new receipt (1 or 2). */
  readonly level: number;
  /** Offline level of the receipt that was there (0 when none, unreadable or invalid). */
  readonly previousLevel: number;
}

/** Options of {@link writeReceiptBeside}. */
export interface WriteReceiptBesideOptions {
  /** Replace a valid receipt of another record at the same or a lower level (default true). */
  replaceOtherRecord?: boolean;
}

function readExisting(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

// Renaming is atomic on POSIX file systems: a reader, or a crash, sees the old or the new
// file, never part of one. The temporary name is fixed per target, so a file left by a
// killed writer is simply overwritten by the next one.
function replaceAtomically(path: string, text: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.medanchor-tmp`);
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } catch {
    // Some file systems cannot sync a directory; the rename itself stays atomic.
  } finally {
    closeSync(dirFd);
  }
}

/**
 * Writes `receipt` to `path`, replacing the file there atomically (temporary file,
 * fsync, rename, fsync of the directory) and only with a receipt that verifies, offline,
 * at least as high as the one it replaces: an upgrade through a lying backend, or a
 * re-stamp of an anchored file, never lowers or breaks the receipt a user holds.
 *
 * @example
 * ```ts
 * const { written, reason } = writeReceiptBeside('scan.dcm.receipt.json', receipt);
 * if (!written) console.log(`kept the receipt there (${reason})`);
 * ```
 * @throws MedanchorError `RECEIPT_REFUSED` when `receipt` itself does not verify (nothing
 * is written); the file system's errors.
 */
export function writeReceiptBeside(
  path: string,
  receipt: Receipt,
  options: WriteReceiptBesideOptions = {},
): ReceiptBesideOutcome {
  const text = encodeReceipt(receipt);
  const level = offlineReceiptLevel(receipt);
  if (level === 0) {
    throw new MedanchorError(
      'RECEIPT_REFUSED',
      `a receipt that does not verify was not written to ${basename(path)}; the one there, if any, is kept`,
    );
  }
  const existing = existsSync(path) ? readExisting(path) : undefined;
  const previousLevel = existing === undefined ? 0 : offlineReceiptLevel(existing);
  const outcome = (
    written: boolean,
    reason: ReceiptBesideOutcome['reason'],
  ): ReceiptBesideOutcome => ({ written, reason, level, previousLevel });
  if (previousLevel === 0) {
    replaceAtomically(path, text);
    return outcome(true, 'new');
  }
  if (readFileSync(path, 'utf8') === text) return outcome(false, 'unchanged');
  if (level < previousLevel) return outcome(false, 'lower');
  const old = existing as Receipt;
  if (options.replaceOtherRecord === false && old.record?.commitment !== receipt.record.commitment)
    return outcome(false, 'other-record');
  replaceAtomically(path, text);
  return outcome(true, level > previousLevel ? 'higher' : 'same-level');
}

/**
 * Writes each receipt beside the file it was stamped from (`<file>.receipt.json`), so
 * the pair can be handed to anyone, through {@link writeReceiptBeside}: atomically, and
 * never over a receipt that verifies higher. Files that moved away are skipped with a
 * warning (their receipts stay in the data directory), and so are receipts that do not
 * verify (nothing is written for them). Returns how many were written.
 */
export function writeReceiptsBeside(
  receipts: readonly Receipt[],
  stamps: ReadonlyMap<number, StampEntry>,
  out: Output,
): number {
  const bar = out.progress('receipts', receipts.length);
  let written = 0;
  let missing = 0;
  let kept = 0;
  let refused = 0;
  for (const r of receipts) {
    const stamp = stamps.get(r.leafIndex);
    bar.tick();
    if (stamp === undefined) continue;
    if (!existsSync(dirname(stamp.path))) {
      missing++;
      continue;
    }
    try {
      const outcome = writeReceiptBeside(receiptPathOf(stamp.path), r);
      if (outcome.written) written++;
      else if (outcome.reason === 'lower') kept++;
    } catch (e) {
      if (!(e instanceof MedanchorError && e.code === 'RECEIPT_REFUSED')) throw e;
      refused++;
    }
  }
  bar.done();
  if (missing > 0)
    out.warn(
      `${missing} stamped file(s) moved away; their receipts are kept in the data directory`,
    );
  if (kept > 0)
    out.warn(`${kept} receipt(s) beside their files verify higher than the new ones and were kept`);
  if (refused > 0)
    out.warn(
      `${refused} receipt(s) did not verify and were not written beside their files; the ones there are kept`,
    );
  return written;
}

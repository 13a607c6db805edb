import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { isUnderLegalHold, type LegalHold } from '@medanchor/chain';
import { MedanchorError, type Tombstone, tombstoneDocument } from '@medanchor/core';
import { shredEnvelope } from '@medanchor/crypto';
import { stringList } from '../args.js';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { recordOf, type StampLine } from '../stamp-book.js';
import { openWorkspace, type Workspace } from '../workspace.js';
import { ENVELOPE_EXTENSION } from './envelope.js';

/** The legal hold list in the data directory: `{"holds":[{"recordId"|"prefix": ..., "reason": ...}]}`. */
export const LEGAL_HOLDS_FILE = 'legal-holds.json';
// Forgets whose clean-up beside the files is not finished yet (a crash): finished first
// by the next `forget`. Holds record ids (file paths) and times only, never a salt.
const UNFINISHED_FILE = 'forget-unfinished.json';
const UPGRADE_BACKUP = 'pre-store-backup';

interface Hold {
  recordId?: string;
  prefix?: string;
  reason?: string;
}

/** Reads the hold list; a missing file holds nothing, a damaged one refuses every forget. */
export function readLegalHolds(dataDir: string): LegalHold {
  const path = join(dataDir, LEGAL_HOLDS_FILE);
  if (!existsSync(path)) return [];
  let holds: Hold[];
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { holds?: unknown };
    if (!Array.isArray(v.holds)) throw new Error('no "holds" array');
    holds = v.holds as Hold[];
    for (const h of holds)
      if (typeof h?.recordId !== 'string' && typeof h?.prefix !== 'string')
        throw new Error('an entry has neither "recordId" nor "prefix"');
  } catch (cause) {
    throw new MedanchorError(
      'CLI_LEGAL_HOLDS',
      `${path} cannot be read as a legal hold list (${(cause as Error).message}): fix it; nothing is forgotten while it is damaged`,
    );
  }
  return (id) =>
    holds.some((h) => h.recordId === id || (h.prefix !== undefined && id.startsWith(h.prefix)));
}

// Atomic replace: temporary file, fsync, rename, so a crash leaves the old or the new.
function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${path.split('/').pop()}.forget`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

async function shredFile(path: string): Promise<void> {
  const tmp = `${path}.shred`;
  const input = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
  try {
    const out = await shredEnvelope(input);
    await out.pipeTo(Writable.toWeb(createWriteStream(tmp, { mode: 0o600 })));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

interface Unfinished {
  recordId: string;
  at: number;
}

function readUnfinished(dataDir: string): Unfinished[] {
  const path = join(dataDir, UNFINISHED_FILE);
  if (!existsSync(path)) return [];
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Unfinished[];
    return Array.isArray(v) ? v.filter((u) => typeof u?.recordId === 'string') : [];
  } catch {
    return []; // torn by a crash before its rename: the stamp book still lists the files
  }
}

function writeUnfinished(dataDir: string, list: Unfinished[]): void {
  const path = join(dataDir, UNFINISHED_FILE);
  if (list.length === 0) rmSync(path, { force: true });
  else writeAtomic(path, JSON.stringify(list));
}

/** What one record's forget did beside the files. */
interface Cleaned {
  tombstones: Tombstone[];
  receipts: string[];
  envelopes: string[];
}

// The store first (atomic: the source of truth), then each receipt becomes its
// tombstone, then the envelopes are shredded, then the stamp lines go. Every step can
// run again, so a forget interrupted anywhere is finished by running it again.
async function forgetOne(
  ws: Workspace,
  recordId: string,
  at: number,
  hold: LegalHold,
  extraEnvelopes: readonly string[],
): Promise<Cleaned> {
  const { tombstones } = await ws.ledger.forget(recordId, { legalHold: hold, at });
  const lines: StampLine[] = ws.stamps.all().filter((l) => recordOf(l) === recordId);
  const receipts: string[] = [];
  const envelopes: string[] = [];
  const stones = [...tombstones];
  for (const line of lines) {
    const stone =
      line.leaf === undefined
        ? undefined
        : (tombstones.find((t) => t.index === line.leaf) ?? (await ws.store.tombstone(line.leaf)));
    const receipt = ws.stamps.absolute(line.receipt);
    if (stone !== undefined) {
      if (!stones.includes(stone)) stones.push(stone);
      if (existsSync(dirname(receipt))) {
        writeAtomic(
          receipt,
          `${JSON.stringify(tombstoneDocument(ws.ledger.origin, stone), null, 2)}\n`,
        );
        receipts.push(receipt);
      }
    } else {
      rmSync(receipt, { force: true });
    }
  }
  // The envelope beside the file only while the record is known here (a second forget
  // finds nothing to shred); envelopes named on the command line always.
  const file = ws.stamps.absolute(recordId);
  const known = tombstones.length > 0 || lines.length > 0;
  for (const env of [...(known ? [`${file}${ENVELOPE_EXTENSION}`] : []), ...extraEnvelopes]) {
    if (!existsSync(env)) continue;
    await shredFile(env);
    envelopes.push(env);
  }
  ws.stamps.remove(recordId);
  return { tombstones: stones.sort((a, b) => a.index - b.index), receipts, envelopes };
}

export const forgetCommand = defineCommand({
  path: ['forget'],
  summary: 'erase a record: its salts, digests and index entries, its receipts and envelope keys',
  usage: '<record-id>',
  description: `Erasure (GDPR Art. 17, a retention period's end): erases every version of the record from the store (salt, digest, idempotency key, record id, version and the index entries that lead to its leaves), replaces each receipt beside the file by a tombstone (leaf, commitment, time of erasure: no salt), shreds the envelope <file>${ENVELOPE_EXTENSION} and any --envelope (every key wrap destroyed: nobody can open it again) and drops its lines from the stamp list. The log, checkpoints and anchors do not change: every other receipt still verifies, and the leaf left behind reveals nothing without the salt. The record id of a stamped file is its path (relative to the project folder, as stamp recorded it, or any path to it). Refused for a record listed in <data-dir>/${LEGAL_HOLDS_FILE}. The file itself is yours: medanchor does not delete it. Interrupted, it finishes when run again. See docs/privacy.md.`,
  options: [
    {
      name: 'envelope',
      type: 'string',
      multiple: true,
      value: '<file>',
      description: `another envelope of this record to shred (besides <file>${ENVELOPE_EXTENSION})`,
    },
  ],
  examples: [
    ['medanchor forget records/obs-17.json', 'erase a stamped record'],
    [
      'medanchor forget --envelope out/obs-17.menv --json records/obs-17.json',
      'also shred an envelope kept elsewhere',
    ],
  ],
  arity: [1, 1],
  async run({ args, config, out, io }) {
    const given = args.positionals[0]!;
    const extra = stringList(args.values['envelope']).map((e) => resolve(io.cwd, e));
    const hold = readLegalHolds(config.dataDir);
    const ws = await openWorkspace(config, io.env, { anchoring: false });
    try {
      // A path to a stamped file names it by its stamped (relative) path; any other text
      // is a record id as the API added it.
      const asPath = ws.stamps.relative(resolve(io.cwd, given));
      const recordId = ws.stamps.all().some((l) => l.path === asPath) ? asPath : given;
      // A file stamped only as a version of another record (a consent revocation, under its
      // grant's record) is erased with that record, never alone.
      const owner = ws.stamps.all().find((l) => l.path === asPath && recordOf(l) !== asPath);
      if (owner !== undefined && !ws.stamps.all().some((l) => recordOf(l) === recordId))
        throw new MedanchorError(
          'CLI_FORGET_UNKNOWN',
          `${asPath} was stamped as a version of record ${recordOf(owner)}, not as a record of its own: \`medanchor forget ${recordOf(owner)}\` erases it with that record; nothing was erased`,
        );
      if (isUnderLegalHold(hold, recordId))
        throw new MedanchorError(
          'LEDGER_LEGAL_HOLD',
          `${recordId} is under legal hold (${LEGAL_HOLDS_FILE}): lift the hold first, with the approval your retention policy requires; nothing was erased`,
        );
      // Unfinished forgets first: a crash must not leave them half done for long.
      const unfinished = readUnfinished(config.dataDir).filter((u) => u.recordId !== recordId);
      for (const u of unfinished) await forgetOne(ws, u.recordId, u.at, hold, []);
      const at = Date.now();
      writeUnfinished(config.dataDir, [{ recordId, at }]);
      const done = await forgetOne(ws, recordId, at, hold, extra);
      writeUnfinished(config.dataDir, []);
      if (done.tombstones.length === 0 && done.envelopes.length === 0)
        throw new MedanchorError(
          'CLI_FORGET_UNKNOWN',
          `nothing to forget for ${recordId}: no record with this id is in the log, its stamp list or beside it (never stamped, or forgotten already: erasure keeps no trace of the id)`,
        );
      const backup = join(config.dataDir, UPGRADE_BACKUP);
      const warn = existsSync(backup)
        ? [
            `warning: ${backup} (the files of an earlier release, kept by an upgrade) still holds every salt stamped before it: delete it once the upgrade is verified`,
          ]
        : [];
      out.result(
        {
          ok: true,
          recordId,
          forgotten: done.tombstones.map((t) => ({
            leafIndex: t.index,
            forgottenAt: new Date(t.forgottenAt).toISOString(),
          })),
          tombstones: done.receipts,
          envelopesShredded: done.envelopes,
          ...(warn.length > 0 ? { upgradeBackup: backup } : {}),
        },
        [
          `forgot ${recordId}: ${done.tombstones.length} leaf(s) (${done.tombstones.map((t) => t.index).join(', ') || 'none left in the store'}) keep only their commitment; salts and digests erased`,
          ...done.receipts.map((r) => `receipt replaced by its tombstone: ${r}`),
          ...done.envelopes.map((e) => `envelope shredded (no key can open it): ${e}`),
          ...warn,
          'the file itself and copies outside this project (backups, mail, other systems) are not touched: erase them under your retention policy',
        ],
      );
      return EXIT_OK;
    } finally {
      await ws.close();
    }
  },
});

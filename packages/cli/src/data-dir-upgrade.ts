import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import {
  type AnchorRecord,
  BITCOIN_ANCHOR_TYPE,
  type BitcoinAnchorEntry,
  decodeAnchorState,
  encodeLedgerAnchorState,
  isFinalState,
  type LedgerAnchorState,
} from '@medanchor/chain';
import {
  type Checkpoint,
  checkpointDigest,
  decodeJournalEntry,
  equalBytes,
  type LedgerStore,
  MedanchorError,
  type PendingInput,
  prepareIntegration,
  toHex,
  treeRoot,
} from '@medanchor/core';
import { FileJournal } from '@medanchor/core/node';
import { type StampLine, stampKey } from './stamp-book.js';

/**
 * Upgrading a data directory written before the ledger store (release 0.0.0:
 * `journal.bin`, `log/`, `receipts/`, `anchors.json`, `stamps.jsonl` with absolute
 * paths) to the store layout, in place: the journal's records become the same leaves
 * under the same checkpoints (roots checked), unsealed records become pending (the next
 * `seal` seals them), anchor records and their verified entries move into the store,
 * and `stamps.jsonl` gets paths relative to the project folder. The old files are
 * moved, untouched, into `pre-store-backup/`.
 *
 * Crash-safe: the store is built in `store.migrating/` and renamed to `store/` in one
 * step (the commit point); a crash before it starts over, a crash after it finishes
 * moving the old files on the next open.
 */

/** What an upgrade did. */
export interface DataDirUpgrade {
  /** Where the old files are now. */
  readonly backup: string;
  /** Records in the old journal. */
  readonly records: number;
  /** Of which sealed into checkpoints (the rest are pending now). */
  readonly sealed: number;
  /** Checkpoints carried over. */
  readonly checkpoints: number;
  /** Stamped files whose path was found again after the project folder moved. */
  readonly relocated: number;
}

const OLD_FILES = ['journal.bin', 'log', 'receipts', 'anchors.json', 'stamps.jsonl'];
const BACKUP = 'pre-store-backup';

/** True when `dataDir` still holds (part of) the layout from before the store. */
export function needsDataDirUpgrade(dataDir: string): boolean {
  return (
    existsSync(join(dataDir, 'journal.bin')) || existsSync(join(dataDir, 'stamps.jsonl.migrating'))
  );
}

function upgradeError(message: string): MedanchorError {
  return new MedanchorError('CLI_UPGRADE', message);
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The stamped file's place now: where it was, if it is there; else the same trailing
 * path under the project folder with the same content (the folder was moved).
 */
function relocate(oldPath: string, digest: string, base: string): string | undefined {
  if (existsSync(oldPath)) return oldPath;
  const parts = oldPath.split(sep).filter((p) => p !== '');
  for (let k = 1; k < parts.length; k++) {
    const candidate = join(base, ...parts.slice(k));
    try {
      if (existsSync(candidate) && sha256File(candidate) === digest) return candidate;
    } catch {
      // unreadable: not this one
    }
  }
  return undefined;
}

/** The verified entry the old receipts of checkpoint `digest` carry for `record`'s block. */
function entryFromOldReceipts(
  receiptsDir: string,
  digest: string,
  record: AnchorRecord | undefined,
): BitcoinAnchorEntry | undefined {
  const c = record?.confirmation;
  if (c === undefined) return undefined;
  const dir = join(receiptsDir, digest);
  if (!existsSync(dir)) return undefined;
  for (const f of readdirSync(dir)) {
    if (!/^\d+\.json$/.test(f)) continue;
    try {
      const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { anchors?: unknown[] };
      for (const a of r.anchors ?? []) {
        const e = a as BitcoinAnchorEntry;
        if (e?.type === BITCOIN_ANCHOR_TYPE && e.txid === c.txid && e.blockHash === c.blockHash)
          return e;
      }
    } catch {
      // a damaged receipt: try the next one
    }
    return undefined; // all receipts of a checkpoint carry the same entry
  }
  return undefined;
}

/** Moves what is left of the old layout into the backup and puts the new stamps in place. */
function finishMove(dataDir: string): string {
  const backup = join(dataDir, BACKUP);
  mkdirSync(backup, { recursive: true });
  for (const name of OLD_FILES) {
    const from = join(dataDir, name);
    if (name === 'stamps.jsonl' && !existsSync(join(dataDir, 'stamps.jsonl.migrating'))) continue;
    if (existsSync(from)) renameSync(from, join(backup, name));
  }
  const stamps = join(dataDir, 'stamps.jsonl.migrating');
  if (existsSync(stamps)) renameSync(stamps, join(dataDir, 'stamps.jsonl'));
  return backup;
}

/**
 * Upgrades `dataDir` in place (see the module comment). `openStore(dir)` opens (creating)
 * the file store in `dir`. Returns `undefined` when there was nothing to upgrade.
 * @throws MedanchorError `CLI_UPGRADE` when the old journal is of another origin or its
 * log does not match it (nothing is changed then: the old files stay where they are),
 * the journal's and the store's errors.
 */
export async function upgradeDataDir(
  dataDir: string,
  origin: string,
  openStore: (dir: string) => Promise<LedgerStore>,
): Promise<DataDirUpgrade | undefined> {
  if (!needsDataDirUpgrade(dataDir)) return undefined;
  const storeDir = join(dataDir, 'store');
  if (existsSync(storeDir)) {
    // Past the commit point: only the move was left.
    return { backup: finishMove(dataDir), records: 0, sealed: 0, checkpoints: 0, relocated: 0 };
  }
  const temp = join(dataDir, 'store.migrating');
  rmSync(temp, { recursive: true, force: true });

  const journal = new FileJournal(join(dataDir, 'journal.bin'));
  const entries = (await journal.open()).map((b, i) => decodeJournalEntry(b, i));
  await journal.close();
  const head = entries[0];
  if (head?.kind !== 'origin')
    throw upgradeError('the old journal has no origin entry: restore journal.bin from a backup');
  if (head.origin !== origin)
    throw upgradeError(
      `the data directory holds log "${head.origin}" but the configuration says "${origin}": set "origin" to "${head.origin}"`,
    );
  const records = entries.flatMap((e) => (e.kind === 'record' ? [e] : []));
  const seals = entries.flatMap((e) => (e.kind === 'seal' ? [e] : []));

  // Old stamps: absolute paths, one per leaf.
  const base = dirname(dataDir);
  const oldStamps = new Map<number, { path: string; digest: string }>();
  const stampsFile = join(dataDir, 'stamps.jsonl');
  if (existsSync(stampsFile)) {
    for (const line of readFileSync(stampsFile, 'utf8').split('\n')) {
      try {
        const o = JSON.parse(line) as { leaf?: number; path?: string; digest?: string };
        if (
          Number.isSafeInteger(o.leaf) &&
          typeof o.path === 'string' &&
          typeof o.digest === 'string'
        )
          oldStamps.set(o.leaf!, { path: o.path, digest: o.digest });
      } catch {
        // a torn line: that stamp's path was lost by the old release already
      }
    }
  }
  const rel = (abs: string) => {
    const r = relative(base, abs);
    return r.startsWith('..') || isAbsolute(r) ? abs : r;
  };
  const lineOf = new Map<number, StampLine>();
  const lines: StampLine[] = [];
  const seen = new Set<string>();
  let relocated = 0;
  for (const [leaf, s] of [...oldStamps].sort(([a], [b]) => a - b)) {
    const found = relocate(s.path, s.digest, base);
    if (found !== undefined && found !== s.path) relocated++;
    const path = rel(found ?? s.path);
    const key = stampKey(path, s.digest);
    if (seen.has(key)) continue; // the same content stamped again: one leaf keeps the key
    seen.add(key);
    const line: StampLine = { key, path, digest: s.digest, receipt: `${path}.receipt.json` };
    lineOf.set(leaf, line);
    lines.push(line);
  }

  let oldAnchors: AnchorRecord[] = [];
  const anchorsFile = join(dataDir, 'anchors.json');
  if (existsSync(anchorsFile)) oldAnchors = decodeAnchorState(readFileSync(anchorsFile, 'utf8'));
  const anchorOf = new Map(oldAnchors.map((r) => [r.digest, r]));

  const store = await openStore(temp);
  try {
    const inputs: PendingInput[] = records.map((r, i) => ({
      salt: r.salt,
      digest: r.digest,
      ...(lineOf.has(i) ? { key: lineOf.get(i)!.key, recordId: lineOf.get(i)!.path } : {}),
    }));
    for (let i = 0; i < inputs.length; i += 10_000)
      await store.addPending(inputs.slice(i, i + 10_000));
    const lease = await store.acquireLease('medanchor-upgrade', 600_000);
    if (lease === undefined) throw upgradeError('the new store is busy: try again');
    let size = 0;
    for (const seal of seals) {
      if (seal.size <= size) continue;
      const pending = await store.readPending(seal.size - size);
      if (pending.length !== seal.size - size)
        throw upgradeError('the old journal seals records it does not hold');
      await store.integrate(lease, await prepareIntegration(store, size, pending));
      const root = await treeRoot((l, i, w) => store.readTile(l, i, w), seal.size);
      if (!equalBytes(root, seal.root))
        throw upgradeError(
          `the old log's root at size ${seal.size} does not match its journal: restore the data directory from a backup`,
        );
      const checkpoint: Checkpoint = { origin, size: seal.size, root };
      const digest = toHex(checkpointDigest(checkpoint));
      const record = anchorOf.get(digest);
      const entry = entryFromOldReceipts(join(dataDir, 'receipts'), digest, record);
      const state: LedgerAnchorState = {
        checkpoint,
        firstIndex: size,
        ...(record === undefined ? {} : { record }),
        ...(entry === undefined || record?.entry !== undefined ? {} : { entry }),
      };
      await store.saveAnchor(lease, digest, encodeLedgerAnchorState(state), isFinalState(state));
      await store.putCheckpoint(lease, checkpoint);
      size = seal.size;
    }
    await store.releaseLease(lease);
    for (const [leaf, l] of lineOf) if (leaf < size) l.leaf = leaf;
  } finally {
    await store.close();
  }
  const fd = openSync(join(dataDir, 'stamps.jsonl.migrating'), 'w');
  try {
    writeSync(fd, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, storeDir); // the commit point
  return {
    backup: finishMove(dataDir),
    records: records.length,
    sealed: seals.at(-1)?.size ?? 0,
    checkpoints: seals.length,
    relocated,
  };
}

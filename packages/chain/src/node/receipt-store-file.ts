import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeReceipt, MedanchorError, parseReceipt, type Receipt } from '@medanchor/core';
import { anchoredDigestOf, type ReceiptStore } from '../ledger/receipt-store.js';

/** A receipt store on files, from {@link fileReceiptStore}. */
export interface FileReceiptStore extends ReceiptStore {
  /** The store's directory. */
  readonly dir: string;
  /** The file that holds (or would hold) a leaf's receipt. */
  pathOf(leafIndex: number): string | undefined;
  /** How many receipts a checkpoint (digest, hex) has, from the index: no file is read. */
  countFor(digest: string): number;
}

const DIGEST_DIR = /^[0-9a-f]{64}$/;
const LEAF_FILE = /^(0|[1-9][0-9]{0,15})\.json$/;
// Files written at once; enough to keep the disk busy without exhausting descriptors.
const WRITE_PARALLELISM = 32;

async function writeDurably(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A ledger receipt store in a directory, for servers and command-line tools whose
 * receipts must outlive the process: one JSON file per receipt (the bytes of
 * `encodeReceipt`), at `<dir>/<anchored checkpoint digest>/<leaf index>.json`. Every
 * file is written to a temporary name, synced and renamed, so a crash leaves either the
 * old or the new receipt; `save` resolves once all of its files and directories are
 * synced. Opening lists the directories (it reads no receipt), so it stays fast with
 * many receipts.
 *
 * @example
 * ```ts
 * const receipts = fileReceiptStore('/var/lib/medanchor/receipts');
 * const ledger = await openLedger({ origin, journal, anchorer, network, receipts });
 * ```
 * @throws MedanchorError `RECEIPT_STORE_UNREADABLE` when the directory cannot be listed.
 */
export function fileReceiptStore(dir: string): FileReceiptStore {
  const digestOf = new Map<number, string>();
  const leavesOf = new Map<string, Set<number>>();
  try {
    mkdirSync(dir, { recursive: true });
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (!d.isDirectory() || !DIGEST_DIR.test(d.name)) continue;
      const leaves = new Set<number>();
      for (const f of readdirSync(join(dir, d.name))) {
        const m = LEAF_FILE.exec(f);
        if (m === null) {
          // A temporary file left by a crash before its rename: its save never completed.
          if (f.endsWith('.json.tmp')) rmSync(join(dir, d.name, f), { force: true });
          continue;
        }
        const leaf = Number(m[1]);
        leaves.add(leaf);
        digestOf.set(leaf, d.name);
      }
      leavesOf.set(d.name, leaves);
    }
  } catch (cause) {
    throw new MedanchorError(
      'RECEIPT_STORE_UNREADABLE',
      'the receipt directory cannot be created or listed: check the path and its permissions',
      { cause },
    );
  }

  const fileOf = (digest: string, leaf: number) => join(dir, digest, `${leaf}.json`);
  let lane: Promise<void> = Promise.resolve();

  async function saveAll(receipts: readonly Receipt[]): Promise<void> {
    const touched = new Set<string>();
    const moved: string[] = [];
    const queue = [...receipts];
    for (const r of queue) {
      const d = anchoredDigestOf(r);
      if (!leavesOf.has(d)) {
        mkdirSync(join(dir, d), { recursive: true });
        leavesOf.set(d, new Set());
      }
    }
    const worker = async () => {
      for (let r = queue.shift(); r !== undefined; r = queue.shift()) {
        const d = anchoredDigestOf(r);
        await writeDurably(fileOf(d, r.leafIndex), encodeReceipt(r));
        touched.add(d);
        const old = digestOf.get(r.leafIndex);
        if (old !== undefined && old !== d) moved.push(fileOf(old, r.leafIndex));
        leavesOf.get(old ?? d)?.delete(r.leafIndex);
        leavesOf.get(d)?.add(r.leafIndex);
        digestOf.set(r.leafIndex, d);
      }
    };
    await Promise.all(Array.from({ length: WRITE_PARALLELISM }, worker));
    await Promise.all([...touched].map((d) => syncDir(join(dir, d))));
    // A receipt carried to a new checkpoint: its old file goes only once the new one is durable.
    await Promise.all(moved.map((p) => rm(p, { force: true })));
    if (touched.size > 0) await syncDir(dir);
  }

  async function load(digest: string, leaf: number): Promise<Receipt> {
    try {
      return parseReceipt(JSON.parse(await readFile(fileOf(digest, leaf), 'utf8')));
    } catch (cause) {
      throw new MedanchorError(
        'RECEIPT_STORE_UNREADABLE',
        `the stored receipt of leaf ${leaf} cannot be read or is damaged`,
        { cause, details: { leafIndex: leaf } },
      );
    }
  }

  return {
    dir,
    pathOf(leafIndex) {
      const d = digestOf.get(leafIndex);
      return d === undefined ? undefined : fileOf(d, leafIndex);
    },
    countFor(digest) {
      return leavesOf.get(digest)?.size ?? 0;
    },
    save(receipts) {
      const run = lane.then(() => saveAll(receipts));
      lane = run.catch(() => {});
      return run;
    },
    async get(leafIndex) {
      const d = digestOf.get(leafIndex);
      return d === undefined ? undefined : load(d, leafIndex);
    },
    async forCheckpoint(digest) {
      const leaves = [...(leavesOf.get(digest) ?? [])].sort((a, b) => a - b);
      return Promise.all(leaves.map((leaf) => load(digest, leaf)));
    },
    async checkpoints() {
      // Checkpoints are sealed in leaf order: the oldest holds the smallest leaf.
      const first = (s: Set<number>) => {
        let min = Number.POSITIVE_INFINITY;
        for (const leaf of s) if (leaf < min) min = leaf;
        return min;
      };
      return [...leavesOf.entries()]
        .filter(([, s]) => s.size > 0)
        .sort(([, a], [, b]) => first(a) - first(b))
        .map(([d]) => d);
    },
  };
}

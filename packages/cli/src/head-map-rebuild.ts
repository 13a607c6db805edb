// `head-map rebuild`: the map is replayed from the ledger's leaves by the seal path's own
// update (replayHeadMap, @medanchor/chain) under the map's existing secret, and the live
// map changes only once every signed root came out equal. File store: the replay writes a
// new folder beside the map, read back whole, then renamed into place. PostgreSQL: the
// replay runs in memory and the entries are then added (they are content-addressed and
// never changed, so an entry present already stays as it is). A refused rebuild writes
// nothing to the map.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointMapRoot, replayHeadMap } from '@medanchor/chain';
import {
  fromHex,
  type HeadMapStore,
  type LedgerStore,
  MedanchorError,
  sha256,
  toHex,
} from '@medanchor/core';
import { openFileHeadMapStore } from '@medanchor/core/node';
import { complete, walkHeadMap } from './head-map-walk.js';
import type { Workspace } from './workspace.js';

// Entries per put when writing the rebuilt map out.
const WRITE_BATCH = 16_384;

/** What a rebuild did. */
export interface HeadMapRebuilt {
  /** Signed checkpoints whose map roots were rebuilt. */
  checkpoints: number;
  /** The latest checkpoint's size. */
  size: number;
  /** Entries (nodes and values) the rebuilt map holds. */
  entries: number;
  /** The latest signed map root (hex), or null. */
  root: string | null;
}

function refused(message: string, details?: Record<string, number>): MedanchorError {
  return new MedanchorError('CLI_HEAD_MAP_REBUILD', `${message}; nothing was changed`, {
    ...(details === undefined ? {} : { details }),
  });
}

function mismatch(size: number): MedanchorError {
  return refused(
    `the map rebuilt from the ledger differs from the one signed at size ${size}: the secret is not this map's, or a record was forgotten after its seal`,
    { size },
  );
}

/** The map secret of a file store's map folder, read without creating anything. */
function fileSecret(dir: string): Uint8Array {
  const path = join(dir, 'secret');
  const secret = existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
  if (secret?.length !== 32)
    throw refused(
      `the head map's secret (${path}) is ${secret === undefined ? 'missing' : 'damaged'}: no map under the signed roots can be built without it; restore it from a backup`,
    );
  return secret;
}

async function readsBackWhole(map: HeadMapStore, root: Uint8Array): Promise<void> {
  if (!complete(await walkHeadMap(map, root)))
    throw new MedanchorError('STORE_CORRUPT', 'the rebuilt head map does not read back whole');
}

/**
 * Rebuilds the workspace's head map (see the module comment).
 * @throws MedanchorError `CLI_HEAD_MAP_REBUILD` when the replay does not give the signed
 * roots or the secret is gone (nothing is written), the stores' errors.
 */
export async function rebuildHeadMap(ws: Workspace): Promise<HeadMapRebuilt> {
  const latest = await ws.store.latestCheckpoint();
  const root = latest === undefined ? undefined : checkpointMapRoot(latest);
  if (root === undefined)
    return { checkpoints: 0, size: latest?.size ?? 0, entries: 0, root: null };
  return ws.headMapDir === undefined
    ? rebuildShared(ws, root)
    : rebuildFiles(ws.store, ws.headMapDir, root);
}

async function rebuildFiles(
  store: LedgerStore,
  dir: string,
  root: Uint8Array,
): Promise<HeadMapRebuilt> {
  const fresh = `${dir}.rebuild`;
  const old = `${dir}.old`;
  // A swap cut short between its two renames left the old map aside: put it back first.
  if (!existsSync(dir) && existsSync(join(old, 'secret'))) renameSync(old, dir);
  const secret = fileSecret(dir);
  rmSync(fresh, { recursive: true, force: true });
  let result: HeadMapRebuilt;
  try {
    await mkdir(fresh, { recursive: true });
    await writeFile(join(fresh, 'secret'), secret, { mode: 0o600 });
    const map = await openFileHeadMapStore(fresh);
    try {
      const replay = await replayHeadMap(store, map);
      if (!replay.ok) throw mismatch(replay.size);
      await readsBackWhole(map, root);
      result = {
        checkpoints: replay.checkpoints,
        size: replay.size,
        entries: map.size,
        root: toHex(root),
      };
    } finally {
      await map.close?.();
    }
  } catch (e) {
    rmSync(fresh, { recursive: true, force: true });
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(fresh, dir);
  rmSync(old, { recursive: true, force: true });
  return result;
}

async function rebuildShared(ws: Workspace, root: Uint8Array): Promise<HeadMapRebuilt> {
  const shared = await ws.openHeadMap();
  try {
    // The replay's entries, by hex hash, until every root is known to match.
    const entries = new Map<string, Uint8Array>();
    const memory: HeadMapStore = {
      secret: shared.secret,
      get: async (hash) => entries.get(toHex(hash)),
      getMany: async (hashes) => hashes.map((h) => entries.get(toHex(h))),
      put: async (list, hashes) => {
        list.forEach((bytes, i) => {
          entries.set(toHex(hashes?.[i] ?? sha256(bytes)), bytes.slice());
        });
      },
    };
    const replay = await replayHeadMap(ws.store, memory);
    if (!replay.ok) throw mismatch(replay.size);
    const list = [...entries];
    for (let i = 0; i < list.length; i += WRITE_BATCH) {
      const part = list.slice(i, i + WRITE_BATCH);
      await shared.put(
        part.map(([, bytes]) => bytes),
        part.map(([hash]) => fromHex(hash)),
      );
    }
    await readsBackWhole(shared, root);
    return {
      checkpoints: replay.checkpoints,
      size: replay.size,
      entries: list.length,
      root: toHex(root),
    };
  } finally {
    await shared.close?.().catch(() => {});
  }
}

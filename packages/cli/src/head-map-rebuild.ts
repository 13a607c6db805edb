// `head-map rebuild`: the map is replayed from the ledger's leaves by the seal path's own
// update (replayHeadMap, @medanchor/chain) into memory, under the map's existing secret,
// and is written out only once every signed root came out equal: into a new folder
// renamed into place (file store), or as the entries the database lacks (PostgreSQL,
// whose entries are content-addressed and never changed). A refused rebuild writes nothing.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointMapRoot, replayHeadMap } from '@medanchor/chain';
import { type HeadMapStore, MedanchorError, sha256, toHex } from '@medanchor/core';
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
  /** Entries (nodes and values) written. */
  entries: number;
  /** The latest signed map root (hex), or null. */
  root: string | null;
}

/** A map in memory that keeps every entry put, to be written out after the replay. */
function recordingMap(secret: Uint8Array) {
  const entries = new Map<string, { hash: Uint8Array; bytes: Uint8Array }>();
  const store: HeadMapStore = {
    secret,
    async get(hash) {
      return entries.get(toHex(hash))?.bytes;
    },
    async getMany(hashes) {
      return hashes.map((h) => entries.get(toHex(h))?.bytes);
    },
    async put(list, hashes) {
      list.forEach((bytes, i) => {
        const hash = hashes?.[i] ?? sha256(bytes);
        entries.set(toHex(hash), { hash: hash.slice(), bytes: bytes.slice() });
      });
    },
  };
  return { store, entries };
}

function refused(message: string, details?: Record<string, number>): MedanchorError {
  return new MedanchorError('CLI_HEAD_MAP_REBUILD', `${message}; nothing was changed`, {
    ...(details === undefined ? {} : { details }),
  });
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

async function putAll(map: HeadMapStore, list: { hash: Uint8Array; bytes: Uint8Array }[]) {
  for (let i = 0; i < list.length; i += WRITE_BATCH) {
    const part = list.slice(i, i + WRITE_BATCH);
    await map.put(
      part.map((e) => e.bytes),
      part.map((e) => e.hash),
    );
  }
}

/**
 * Rebuilds the workspace's head map (see the module comment).
 * @throws MedanchorError `CLI_HEAD_MAP_REBUILD` when the replay does not give the signed
 * roots (nothing is written), the stores' errors.
 */
export async function rebuildHeadMap(ws: Workspace): Promise<HeadMapRebuilt> {
  const latest = await ws.store.latestCheckpoint();
  const root = latest === undefined ? undefined : checkpointMapRoot(latest);
  const dir = ws.headMapDir;
  if (root === undefined)
    return { checkpoints: 0, size: latest?.size ?? 0, entries: 0, root: null };
  let secret: Uint8Array;
  let shared: HeadMapStore | undefined;
  if (dir !== undefined) secret = fileSecret(dir);
  else {
    shared = await ws.openHeadMap();
    secret = shared.secret;
  }
  try {
    const rec = recordingMap(secret);
    const replay = await replayHeadMap(ws.store, rec.store);
    if (!replay.ok)
      throw refused(
        `the map rebuilt from the ledger differs from the one signed at size ${replay.size}: the secret is not this map's, or a record was forgotten after its seal`,
        { size: replay.size },
      );
    const list = [...rec.entries.values()];
    const result = {
      checkpoints: replay.checkpoints,
      size: replay.size,
      entries: list.length,
      root: toHex(root),
    };
    if (shared !== undefined) {
      await putAll(shared, list);
      if (!complete(await walkHeadMap(shared, root)))
        throw new MedanchorError('STORE_CORRUPT', 'the rebuilt head map does not read back whole');
      return result;
    }
    await swapIn(dir!, secret, list, root);
    return result;
  } finally {
    await shared?.close?.().catch(() => {});
  }
}

/** Writes the map into `<dir>.rebuild`, checks it reads back whole, then renames it into place. */
async function swapIn(
  dir: string,
  secret: Uint8Array,
  list: { hash: Uint8Array; bytes: Uint8Array }[],
  root: Uint8Array,
): Promise<void> {
  const fresh = `${dir}.rebuild`;
  const old = `${dir}.old`;
  rmSync(fresh, { recursive: true, force: true });
  try {
    await mkdir(fresh, { recursive: true });
    await writeFile(join(fresh, 'secret'), secret, { mode: 0o600 });
    await chmod(join(fresh, 'secret'), 0o600);
    const map = await openFileHeadMapStore(fresh);
    try {
      await putAll(map, list);
      if (!complete(await walkHeadMap(map, root)))
        throw new MedanchorError('STORE_CORRUPT', 'the rebuilt head map does not read back whole');
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
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointMapRoot } from '@medanchor/chain';
import {
  HEAD_MAP_EMPTY,
  headMapKey,
  headMapKeySalt,
  type LedgerStore,
  type StoredCheckpoint,
  toHex,
} from '@medanchor/core';
import { defineCommand } from '../command.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { rebuildHeadMap } from '../head-map-rebuild.js';
import { complete, walkHeadMap } from '../head-map-walk.js';
import { logKeyPath, readLogKey } from '../log-key.js';
import { openWorkspace, type Workspace } from '../workspace.js';
import { noHeadMap } from './history.js';

/** What `head-map check` found. */
export type HeadMapVerdict = 'ok' | 'behind' | 'diverged' | 'missing';

// Leaves read back from the latest checkpoint to find a record to check the secret with.
const SECRET_PROBE_LEAVES = 4096;

/** Every checkpoint of the log that signs a map root, oldest first. */
async function mappedCheckpoints(store: LedgerStore): Promise<StoredCheckpoint[]> {
  const out: StoredCheckpoint[] = [];
  for (let cp = await store.checkpointCovering(0); cp !== undefined; ) {
    if (checkpointMapRoot(cp) !== undefined) out.push(cp);
    cp = await store.checkpointCovering(cp.size);
  }
  return out;
}

/**
 * The newest sealed record below `size` that can be keyed (not forgotten), to check the
 * map's secret with: its key under the secret, and its newest leaf (what the map must say).
 */
async function secretProbe(
  store: LedgerStore,
  secret: Uint8Array,
  size: number,
): Promise<{ key: Uint8Array; leaf: number } | undefined> {
  const from = Math.max(0, size - SECRET_PROBE_LEAVES);
  const leaves = size === 0 ? [] : await store.readLeaves(from, size - from);
  for (let i = leaves.length - 1; i >= 0; i--) {
    const leaf = leaves[i]!;
    if (leaf.recordId === undefined || leaf.forgottenAt !== undefined) continue;
    const first = (await store.versions(leaf.recordId))[0];
    if (first === undefined) continue;
    const [firstLeaf] = await store.readLeaves(first, 1);
    if (firstLeaf?.salt.length !== 32) continue;
    const salt = headMapKeySalt(secret, firstLeaf.salt, leaf.recordId);
    return { key: headMapKey(salt, leaf.recordId), leaf: leaf.index };
  }
  return undefined;
}

function requireMap(config: { headMap: boolean }, signed: boolean): void {
  if (!signed || !config.headMap) throw noHeadMap(config.headMap);
}

/** True when the file store's map files are absent (a secret or the node file). */
function filesMissing(ws: Workspace): boolean {
  const dir = ws.headMapDir;
  return (
    dir !== undefined && (!existsSync(join(dir, 'secret')) || !existsSync(join(dir, 'nodes.bin')))
  );
}

interface CheckReport {
  verdict: HeadMapVerdict;
  /** Size of the latest checkpoint that signs a map (0: none). */
  logSize: number;
  /** Size of the newest signed checkpoint whose whole map is held (0: none). */
  mapSize: number;
  signedRoot: string | null;
  entries: { records: number; versions: number; missing: number; damaged: number };
  secret: 'matches' | 'differs' | 'unchecked';
}

async function checkMap(ws: Workspace): Promise<CheckReport> {
  const cps = await mappedCheckpoints(ws.store);
  const latest = cps.at(-1);
  const base: CheckReport = {
    verdict: 'ok',
    logSize: latest?.size ?? 0,
    mapSize: 0,
    signedRoot: latest === undefined ? null : toHex(checkpointMapRoot(latest)!),
    entries: { records: 0, versions: 0, missing: 0, damaged: 0 },
    secret: 'unchecked',
  };
  // Nothing signs a map yet: the next seal builds it from leaf 0, whatever is there.
  if (latest === undefined) return base;
  if (filesMissing(ws)) return { ...base, verdict: 'missing' };
  const map = await ws.openHeadMap();
  try {
    const root = checkpointMapRoot(latest)!;
    const probe = await secretProbe(ws.store, map.secret, latest.size);
    const walk = await walkHeadMap(map, root, probe?.key);
    const entries = {
      records: walk.records,
      versions: walk.versions,
      missing: walk.missing,
      damaged: walk.damaged,
    };
    if (complete(walk)) {
      const same = probe === undefined ? undefined : walk.probed === probe.leaf;
      const secret = same === undefined ? 'unchecked' : same ? 'matches' : 'differs';
      return {
        ...base,
        verdict: same === false ? 'diverged' : 'ok',
        mapSize: latest.size,
        entries,
        secret,
      };
    }
    // Not whole at the latest root: the newest older checkpoint whose map it holds whole.
    for (let i = cps.length - 2; i >= 0; i--) {
      const older = checkpointMapRoot(cps[i]!)!;
      if (
        !equalRoot(older, HEAD_MAP_EMPTY) &&
        (await map.get(older).catch(() => undefined)) === undefined
      )
        continue;
      if (complete(await walkHeadMap(map, older)))
        return { ...base, verdict: 'behind', mapSize: cps[i]!.size, entries };
    }
    // The latest root's own entry absent: the map's content is gone, not damaged.
    const rootThere = await map.get(root).then(
      (e) => e !== undefined,
      () => true,
    );
    return { ...base, verdict: rootThere ? 'diverged' : 'missing', entries };
  } finally {
    await map.close?.().catch(() => {});
  }
}

function equalRoot(a: Uint8Array, b: Uint8Array): boolean {
  return a.every((x, i) => x === b[i]);
}

const VERDICT_ADVICE: Record<HeadMapVerdict, string> = {
  ok: 'the map is the one the latest checkpoint signs',
  behind: 'the map is older than the log: run `medanchor head-map rebuild`',
  diverged: 'damaged, or another secret: run `medanchor head-map rebuild`',
  missing: 'restore the map (at least its secret), then `medanchor head-map rebuild`',
};

export const headMapCheckCommand = defineCommand({
  path: ['head-map', 'check'],
  summary: "check the head map against the latest signed checkpoint's map root",
  usage: '',
  description:
    "Walks the head map at the latest signed checkpoint's map root, checking each entry's hash, and the map's secret on the newest record. ok (exit 0); behind: whole only at an older checkpoint; diverged: damaged entries or another secret; missing: files or root gone (exit 1).",
  options: [],
  examples: [
    ['medanchor head-map check', 'ok, behind, diverged or missing'],
    ['medanchor head-map check --json', 'the verdict with sizes and entry counts'],
  ],
  arity: [0, 0],
  async run({ config, out, io }) {
    const ws = await openWorkspace(config, io.env, { anchoring: false });
    let report: CheckReport;
    try {
      requireMap(config, readLogKey(logKeyPath(config)) !== undefined);
      report = await checkMap(ws);
    } finally {
      await ws.close();
    }
    out.result({ ok: report.verdict === 'ok', ...report }, [
      `head map: ${report.verdict} (log ${report.logSize}, map ${report.mapSize}, ${report.entries.records} records)`,
      report.logSize === 0 ? 'no checkpoint signs a map yet' : VERDICT_ADVICE[report.verdict],
    ]);
    return report.verdict === 'ok' ? EXIT_OK : EXIT_INVALID;
  },
});

export const headMapRebuildCommand = defineCommand({
  path: ['head-map', 'rebuild'],
  summary: "rebuild the head map from the ledger's records, checked against the signed roots",
  usage: '',
  description:
    "Replays each signed checkpoint's map through the seal's update under the map's secret and swaps it in only when every root equals the signed one; else CLI_HEAD_MAP_REBUILD, nothing changed (a lost secret, or a record forgotten after its seal, cannot be replayed).",
  options: [],
  examples: [
    ['medanchor head-map rebuild', 'after `head-map check` said behind, diverged or missing'],
  ],
  arity: [0, 0],
  async run({ config, out, io }) {
    const ws = await openWorkspace(config, io.env, { anchoring: false });
    let done: Awaited<ReturnType<typeof rebuildHeadMap>>;
    try {
      requireMap(config, readLogKey(logKeyPath(config)) !== undefined);
      done = await rebuildHeadMap(ws);
    } finally {
      await ws.close();
    }
    out.result({ ok: true, ...done }, [
      done.checkpoints === 0
        ? 'no checkpoint signs a map yet'
        : `head map rebuilt: ${done.checkpoints} signed root(s) matched up to size ${done.size}`,
    ]);
    return EXIT_OK;
  },
});

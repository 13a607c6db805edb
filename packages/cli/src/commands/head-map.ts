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
  ok: 'the head map holds the map the latest checkpoint signs',
  behind:
    'the head map is older than the ledger (a restored backup?): run `medanchor head-map rebuild`',
  diverged:
    'the head map is damaged or under another secret: run `medanchor head-map rebuild`, or restore it from a backup',
  missing:
    'the head map is missing: restore its folder (at least the secret) from a backup, then `medanchor head-map rebuild`',
};

export const headMapCheckCommand = defineCommand({
  path: ['head-map', 'check'],
  summary: "check the head map against the latest signed checkpoint's map root",
  usage: '',
  description:
    "Walks the head map (docs/spec/head-map.md) at the map root of the latest signed checkpoint, checking every node against its hash, and checks the map's secret with the newest sealed record. Verdicts: ok (exit 0); behind, the map holds an older checkpoint's map only; diverged, entries are damaged or the secret is another; missing, the map's files or nodes are gone (exit 1 for all three). Changes no entry of the map.",
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
      `head map: ${report.verdict} (log signed up to size ${report.logSize}, map whole up to size ${report.mapSize}; ${report.entries.records} record(s))`,
      report.logSize === 0
        ? 'no checkpoint signs a head map yet: the next seal builds it from leaf 0'
        : VERDICT_ADVICE[report.verdict],
    ]);
    return report.verdict === 'ok' ? EXIT_OK : EXIT_INVALID;
  },
});

export const headMapRebuildCommand = defineCommand({
  path: ['head-map', 'rebuild'],
  summary: "rebuild the head map from the ledger's records, checked against the signed roots",
  usage: '',
  description:
    "Replays every signed checkpoint's map through the seal's own update, under the map's secret, into a new map; swaps it in only when each root equals the one its checkpoint signs (file store: a new folder renamed into place; PostgreSQL: replayed in memory, then the missing entries added). Otherwise refuses with CLI_HEAD_MAP_REBUILD and changes nothing: a lost secret, or a record forgotten after its seal, cannot be replayed; restore the map from a backup then.",
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
        ? 'no checkpoint signs a head map yet: nothing to rebuild'
        : `head map rebuilt: ${done.checkpoints} signed root(s) matched up to size ${done.size}, ${done.entries} entries written`,
    ]);
    return EXIT_OK;
  },
});

/**
 * Generates the difficulty schedules bundled with @medanchor/chain
 * (packages/chain/src/schedule/data/<network>.ts) from schedule files in the format of
 * the shared vectors (`bitcoin/schedule/<network>.json`), optionally extended by newer
 * contiguous headers. Refresh (see docs/spec/anchor.md):
 *
 *   npx tsx scripts/make-schedule.ts [--network mainnet] [--from schedule.json]
 *     [--headers headers.json ...] [--floor <height>] [--check]
 *
 * `--headers` takes files of `{ startHeight, headers: [80-byte hex, ...] }` (height order,
 * linked): each epoch they reach gets its first time and bits and its last block's hash.
 * `--check` writes nothing and exits 1 when a bundled module differs from what it would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromHex } from '@medanchor/core';
import { hashToDisplayHex, sha256d } from '../packages/chain/src/bitcoin/hash.js';
import { parseHeader } from '../packages/chain/src/bitcoin/header.js';
import { builtinNetworks } from '../packages/chain/src/network/networks.js';
import { encodeSchedule } from '../packages/chain/src/schedule/codec.js';
import type { DifficultySchedule, ScheduleEpoch } from '../packages/chain/src/schedule/types.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The networks with a bundled schedule. */
export const SCHEDULED_NETWORKS = ['mainnet', 'testnet4', 'signet'] as const;

/** The default input: the shared vectors' schedule of `network`. */
export function defaultSchedulePath(network: string): string {
  const vectors = process.env['MEDANCHOR_VECTORS'] ?? join(ROOT, '..', 'shared', 'vectors');
  return join(vectors, 'bitcoin', 'schedule', `${network}.json`);
}

interface JsonEpoch {
  epoch: number;
  bits?: string;
  lastHash?: string;
  first?: { height: number; header: string; time: number; bits: string };
}

/** A contiguous header chain (the shared vectors' `bitcoin/headers` format). */
export interface HeaderRun {
  startHeight: number;
  headers: string[];
}

const hashPrefix = (displayHex: string) => fromHex(displayHex).reverse().slice(0, 16);

/**
 * The schedule of `network` from a schedule file's JSON, newer header runs and an anchor floor
 * (default: the first height of the last epoch the data reaches).
 */
export function buildSchedule(
  network: string,
  json: { interval: number; epochs: JsonEpoch[] },
  runs: HeaderRun[] = [],
  floor?: number,
): DifficultySchedule {
  const params = builtinNetworks[network];
  if (params === undefined) throw new Error(`no built-in network ${network}`);
  const interval = json.interval;
  const epochs: ScheduleEpoch[] = [];
  const set = (k: number, patch: ScheduleEpoch) => {
    while (epochs.length <= k) epochs.push({});
    epochs[k] = { ...epochs[k], ...patch };
  };
  for (const e of json.epochs) {
    set(e.epoch, {
      ...(e.bits === undefined ? {} : { bits: Number.parseInt(e.bits, 16) }),
      ...(e.first === undefined ? {} : { firstTime: e.first.time }),
      ...(e.lastHash === undefined ? {} : { lastHashPrefix: hashPrefix(e.lastHash) }),
    });
    if (e.first !== undefined && e.bits === undefined)
      set(e.epoch, { bits: Number.parseInt(e.first.bits, 16) });
  }
  // The genesis block is the first of epoch 0; the schedule files leave it out.
  const genesis = parseHeader(fromHex(params.genesisHeader));
  set(0, { firstTime: genesis.time, ...(epochs[0]?.bits ? {} : { bits: genesis.bits }) });
  for (const run of runs) addHeaders(run, interval, params.retarget.allowMinDifficulty, set);
  return {
    network,
    interval,
    epochs,
    anchorFloor: floor ?? (epochs.length - 1) * interval,
  };
}

function addHeaders(
  run: HeaderRun,
  interval: number,
  minDifficultyBlocks: boolean,
  set: (k: number, patch: ScheduleEpoch) => void,
): void {
  let prev: Uint8Array | undefined;
  run.headers.forEach((hex, i) => {
    const bytes = fromHex(hex);
    const h = parseHeader(bytes);
    const height = run.startHeight + i;
    if (prev !== undefined && hashToDisplayHex(prev) !== hashToDisplayHex(h.prevHash))
      throw new Error(`header at ${height} does not link to the one before it`);
    prev = sha256d(bytes);
    const k = Math.floor(height / interval);
    // On testnets a block may use the minimum difficulty: only an epoch's first block tells its bits.
    if (height % interval === 0) set(k, { firstTime: h.time, bits: h.bits });
    else if (!minDifficultyBlocks) set(k, { bits: h.bits });
    if (height % interval === interval - 1) set(k, { lastHashPrefix: prev.slice(0, 16) });
  });
}

const CONST_NAME = (network: string) => `${network.toUpperCase()}_SCHEDULE`;

/** The TypeScript module that bundles `schedule`. */
export function renderModule(schedule: DifficultySchedule): string {
  const end = schedule.epochs.length * schedule.interval - 1;
  return `// Generated by scripts/make-schedule.ts: do not edit; refresh as docs/spec/anchor.md says.

/** The packed difficulty schedule of Bitcoin ${schedule.network}: ${schedule.epochs.length} epochs, to height ${end}, anchor floor ${schedule.anchorFloor}. */
export const ${CONST_NAME(schedule.network)} =
  '${encodeSchedule(schedule)}';
`;
}

/** Where the bundled module of `network` lives. */
export function modulePath(network: string): string {
  return join(ROOT, 'packages', 'chain', 'src', 'schedule', 'data', `${network}.ts`);
}

function main(): number {
  const { values } = parseArgs({
    options: {
      network: { type: 'string', multiple: true },
      from: { type: 'string' },
      headers: { type: 'string', multiple: true },
      floor: { type: 'string' },
      check: { type: 'boolean' },
    },
  });
  const networks = values.network ?? [...SCHEDULED_NETWORKS];
  if (values.from !== undefined && networks.length !== 1) {
    console.error('--from needs exactly one --network');
    return 2;
  }
  let differs = 0;
  for (const network of networks) {
    const from = values.from ?? defaultSchedulePath(network);
    const json = JSON.parse(readFileSync(from, 'utf8'));
    const runs = (values.headers ?? []).map(
      (p) => JSON.parse(readFileSync(p, 'utf8')) as HeaderRun,
    );
    const floor = values.floor === undefined ? undefined : Number(values.floor);
    const text = renderModule(buildSchedule(network, json, runs, floor));
    const target = modulePath(network);
    if (values.check === true) {
      const same = readFileSync(target, 'utf8') === text;
      if (!same) differs++;
      console.log(`${network}: ${same ? 'up to date' : 'DIFFERS'} (${target})`);
    } else {
      writeFileSync(target, text);
      console.log(`${network}: wrote ${target} (${text.length} bytes) from ${from}`);
    }
  }
  return differs === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main();

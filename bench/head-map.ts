// The head map at ledger speed (issue 20): seals of N new records with and without the map
// (memory and file stores), the map's pure update, verifyHeadProof with and without the
// checkpoint cache, and the file map store's open at 200k and 1M records. Called by the
// ledger section; `npx tsx bench/head-map.ts` runs it alone (MEDANCHOR_BENCH_HEAD_MAP_OPEN_N
// sets the open sizes, comma-separated; 0 skips them).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '@medanchor/chain';
import {
  fromHex,
  generateNoteKey,
  HEAD_MAP_EMPTY,
  type HeadMapStore,
  type HeadMapUpdate,
  type HeadProof,
  headMapKey,
  memoryHeadMapStore,
  memoryLedgerStore,
  proveHeadMap,
  sha256,
  toHex,
  updateHeadMap,
  utf8,
  verifyHeadProof,
} from '@medanchor/core';
import { openHeadMapFiles } from '@medanchor/core/internal';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';
import { add, fmt, median } from './head-map-fill.js';

const ORIGIN = 'bench.example/head-map';
const logKey = generateNoteKey(ORIGIN);

interface SealTimes {
  first: number;
  next: number;
  firstCpu: number;
  nextCpu: number;
}

// CPU milliseconds of this process since `from` (the machine is shared: wall time under
// load says more about the neighbours than about the code).
const cpuMs = (from: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1000;
};

// One ledger: a seal of `n` new records, then a seal of n/10 new versions of old records.
async function sealRun(kind: 'memory' | 'file', withMap: boolean, n: number): Promise<SealTimes> {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-head-map-bench-'));
  try {
    const store =
      kind === 'memory'
        ? memoryLedgerStore({ origin: ORIGIN })
        : await openFileLedgerStore(join(dir, 'store'), { origin: ORIGIN });
    let map: HeadMapStore | undefined;
    if (withMap)
      map = kind === 'memory' ? memoryHeadMapStore() : await openFileHeadMapStore(join(dir, 'map'));
    const ledger = await openLedger({
      store,
      pollMs: 0,
      signer: logKey,
      batchSize: 1_000_000,
      ...(map === undefined ? {} : { headMap: { store: map } }),
    });
    await add(store, 0, n, (i) => `Observation/o-${i}`);
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    await ledger.seal();
    const first = performance.now() - t0;
    const firstCpu = cpuMs(c0);
    const m = Math.floor(n / 10);
    await add(store, n, m, (i) => `Observation/o-${(i * 7) % n}`);
    c0 = process.cpuUsage();
    t0 = performance.now();
    await ledger.seal();
    const next = performance.now() - t0;
    const nextCpu = cpuMs(c0);
    await ledger.close();
    await map?.close?.();
    await store.close();
    return { first, next, firstCpu, nextCpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const keyOf = (i: number) => headMapKey(sha256(utf8(`salt ${i}`)), `Observation/o-${i}`);
const updatesFor = (from: number, n: number, leaf: number): HeadMapUpdate[] =>
  Array.from({ length: n }, (_, j) => ({
    key: keyOf(from + j),
    value: { leafIndex: leaf + j, count: 1, commitment: sha256(utf8(`c ${leaf + j}`)) },
  }));

/** Prints the head map rows. */
export async function headMapRows(): Promise<void> {
  const n = Number(process.env.MEDANCHOR_BENCH_HEAD_MAP_N ?? 10_000);
  const runs = 3;
  console.log(
    `\nhead map: a ledger seals ${fmt(n)} new records, then ${fmt(n / 10)} new versions of them (median of ${runs} fresh ledgers each; signed checkpoints)`,
  );
  for (const kind of ['memory', 'file'] as const) {
    const plain: SealTimes[] = [];
    const mapped: SealTimes[] = [];
    for (let r = 0; r < runs; r++) {
      plain.push(await sealRun(kind, false, n));
      mapped.push(await sealRun(kind, true, n));
    }
    const med = (xs: SealTimes[], k: keyof SealTimes) => median(xs.map((t) => t[k]));
    const rate = (count: number, k: keyof SealTimes) =>
      fmt((count * 1000) / Math.max(1, med(mapped, k) - med(plain, k)));
    console.log(
      `ledger head map ${kind}: seal of ${fmt(n)} new records ${med(mapped, 'first').toFixed(0)} ms with the map (${med(mapped, 'firstCpu').toFixed(0)} ms CPU), ${med(plain, 'first').toFixed(0)} ms without (${med(plain, 'firstCpu').toFixed(0)} ms CPU): map update ${rate(n, 'firstCpu')} records per CPU second (${rate(n, 'first')}/s wall)`,
    );
    console.log(
      `ledger head map ${kind}: seal of ${fmt(n / 10)} new versions ${med(mapped, 'next').toFixed(0)} ms with the map (${med(mapped, 'nextCpu').toFixed(0)} ms CPU), ${med(plain, 'next').toFixed(0)} ms without (${med(plain, 'nextCpu').toFixed(0)} ms CPU): map update ${rate(n / 10, 'nextCpu')} records per CPU second (${rate(n / 10, 'next')}/s wall)`,
    );
  }

  // The map alone: N keys into an empty map, then N/10 changes on it.
  for (const kind of ['memory', 'file'] as const) {
    const times: number[] = [];
    const changes: number[] = [];
    for (let r = 0; r < runs; r++) {
      const dir = mkdtempSync(join(tmpdir(), 'medanchor-head-map-bench-'));
      const store = kind === 'memory' ? memoryHeadMapStore() : await openFileHeadMapStore(dir);
      const ups = updatesFor(0, n, 0);
      let c0 = process.cpuUsage();
      const root = await updateHeadMap(store, HEAD_MAP_EMPTY, ups);
      times.push(cpuMs(c0));
      const more = updatesFor(0, n / 10, n).map((u, j) => ({
        key: ups[j * 10]!.key,
        value: { ...u.value, count: 2 },
      }));
      c0 = process.cpuUsage();
      await updateHeadMap(store, root, more);
      changes.push(cpuMs(c0));
      await store.close?.();
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      `ledger head map update ${kind}: ${fmt(n)} records into an empty map ${median(times).toFixed(0)} ms CPU (${fmt((n * 1000) / median(times))} records per CPU second); ${fmt(n / 10)} changes on it ${median(changes).toFixed(0)} ms CPU (${fmt(((n / 10) * 1000) / median(changes))} records per CPU second)`,
    );
  }

  // The file store's open at large sizes (MEDANCHOR_BENCH_HEAD_MAP_OPEN_N: record counts,
  // comma-separated; 0 skips), each measured in a fresh process (so its RSS growth is the
  // open's, not this process's garbage): the open, 1,000 head-map proofs right after it (an
  // empty cache: every node through nodes.idx), and the one-time index build of a
  // directory written before nodes.idx existed.
  const openSizes = (process.env.MEDANCHOR_BENCH_HEAD_MAP_OPEN_N ?? '200000,1000000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  for (const openN of openSizes) {
    const dir = mkdtempSync(join(tmpdir(), 'medanchor-head-map-bench-'));
    try {
      const store = await openFileHeadMapStore(dir);
      let root = HEAD_MAP_EMPTY;
      const t0 = performance.now();
      for (let at = 0; at < openN; at += 50_000)
        root = await updateHeadMap(store, root, updatesFor(at, Math.min(50_000, openN - at), at));
      const fill = (performance.now() - t0) / 1000;
      const entries = store.size;
      await store.close!();
      const files = `nodes.bin ${mib(statSync(join(dir, 'nodes.bin')).size)} MiB, nodes.idx ${mib(statSync(join(dir, 'nodes.idx')).size)} MiB`;
      const open = openInChild(dir, root, openN);
      rmSync(join(dir, 'nodes.idx'));
      const build = openInChild(dir, root, openN);
      console.log(
        `ledger head map file open ${fmt(openN)} records (${fmt(entries)} entries; ${files}; filled in ${fill.toFixed(0)} s): ${open.ms.toFixed(1)} ms, RSS +${open.mib.toFixed(1)} MiB, ${fmt(open.bytes)} bytes read; 1,000 proofs after it ${open.proofMs.toFixed(0)} ms; one-time index build (no nodes.idx) ${(build.ms / 1000).toFixed(1)} s, RSS +${build.mib.toFixed(0)} MiB`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // verifyHeadProof: many records against one checkpoint.
  {
    const store = memoryLedgerStore({ origin: ORIGIN });
    const ledger = await openLedger({
      store,
      pollMs: 0,
      signer: logKey,
      headMap: { store: memoryHeadMapStore() },
    });
    await add(store, 0, 2_000, (i) => `Observation/o-${i}`);
    await ledger.seal();
    const proofs: HeadProof[] = [];
    for (let i = 0; i < 500; i++) proofs.push(await ledger.headProof(`Observation/o-${i}`));
    const rate = (cache: boolean) => {
      const t0 = performance.now();
      let ok = 0;
      let rounds = 0;
      while (performance.now() - t0 < 1_000 || rounds < 2) {
        for (const p of proofs)
          if (verifyHeadProof(p, { keys: [logKey], ...(cache ? {} : { cache: false }) }).ok) ok++;
        rounds++;
      }
      if (ok !== proofs.length * rounds) throw new Error('a head proof failed in the bench');
      return (ok * 1000) / (performance.now() - t0);
    };
    const cold = rate(false);
    const warm = rate(true);
    console.log(
      `ledger verifyHeadProof (500 records, one checkpoint): ${fmt(warm)}/s with the checkpoint cache, ${fmt(cold)}/s without (one Ed25519 verify each)`,
    );
    await ledger.close();
  }
}

interface OpenFigures {
  ms: number;
  mib: number;
  bytes: number;
  proofMs: number;
}

// This file again in a fresh process (`--open <dir> <root> <n>`): opens the map, then
// proves 1,000 records, and prints the figures as JSON.
function openInChild(dir: string, root: Uint8Array, n: number): OpenFigures {
  const self = join(process.cwd(), 'bench', 'head-map.ts');
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', self, '--open', dir, toHex(root), String(n)],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`the open child failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as OpenFigures;
}

async function openChild(dir: string, rootHex: string, n: number): Promise<void> {
  const root = fromHex(rootHex);
  const keys = Array.from({ length: 1_000 }, (_, i) => (i * 7_919) % n);
  const stats = { bytesRead: 0, entriesHashed: 0, rebuilds: 0 };
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const store = await openHeadMapFiles(dir, { stats });
  const ms = performance.now() - t0;
  const mib = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const bytes = stats.bytesRead;
  const t1 = performance.now();
  for (const k of keys)
    if ((await proveHeadMap(store, root, keyOf(k))).value?.leafIndex !== k)
      throw new Error('a head-map proof read back wrong in the bench');
  const proofMs = performance.now() - t1;
  await store.close!();
  console.log(JSON.stringify({ ms, mib, bytes, proofMs } satisfies OpenFigures));
}

// Run alone (`npx tsx bench/head-map.ts`), not when bundled into the ledger section's children.
if (process.argv[2] === '--open')
  await openChild(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
else if (process.argv[1]?.endsWith('head-map.ts')) await headMapRows();

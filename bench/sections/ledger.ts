// `pnpm bench ledger`: the head map (bench/head-map.ts, bench/head-map-seal.ts), then the
// shared ledger on PostgreSQL and the file store.
// - ingest: 1, 2, 4, 8 writer processes (plus one sequencer process integrating) on one
//   local PostgreSQL with fsync on: acknowledged records/s and ack latency p50/p99;
// - open: a fresh process opens a store holding N records (size, latest checkpoint and one
//   receipt read): wall time and RSS growth, for both stores;
// - receipt builds/s from tiles + checkpoint on the N-record stores.
// The N-record stores are written through the stores' own write path (addPending, then
// integrate and seal by the sequencer's helpers): exactly what a real run writes.
// Children are this file bundled once and run with MEDANCHOR_LEDGER_BENCH_CHILD set.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLedger } from '@medanchor/chain';
import {
  type LedgerStore,
  type PendingInput,
  StoreReceiptBuilder,
  sealCheckpoint,
  sequencePending,
  sha256,
  utf8,
} from '@medanchor/core';
import { openFileLedgerStore } from '@medanchor/core/node';
import { openPostgresLedgerStore } from '@medanchor/postgres';
import {
  postgresSkipReason,
  startPgServer,
} from '../../packages/postgres/test/helpers/pg-server.js';
import { headMapRows } from '../head-map.js';
import { headMapSealRows } from '../head-map-seal.js';

const ORIGIN = 'bench.example/ledger';
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const INGEST_MS = Number(process.env.MEDANCHOR_BENCH_INGEST_MS ?? 8_000);
// MEDANCHOR_BENCH_WRITERS=4 (or 1,4) runs only those writer counts.
const WRITERS = (process.env.MEDANCHOR_BENCH_WRITERS ?? '1,2,4,8').split(',').map(Number);
const LANES = 64; // adds in flight per writer process (an app server with many requests)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const mib = (bytes: number) => bytes / 2 ** 20;

function record(n: number): PendingInput {
  return { salt: sha256(utf8(`bench salt ${n}`)), digest: sha256(utf8(`bench record ${n}`)) };
}

// CPU seconds of a process and of its reaped children (/proc/<pid>/stat fields 14-17, in
// clock ticks of 1/100 s on Linux), or 0 when it is gone.
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
}

// The postmaster of a data directory and its live backends: their CPU seconds together
// (exited backends are counted in the postmaster's reaped-children time).
function postgresCpuSeconds(dataDir: string): number {
  let total = 0;
  let postmaster: number | undefined;
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (postmaster === undefined) {
        const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
        if (cmd.includes(dataDir) && cmd.split('\0')[0]!.endsWith('postgres'))
          postmaster = Number(name);
      }
    } catch {
      // the process left meanwhile
    }
  }
  if (postmaster === undefined) return 0;
  total += cpuSeconds(postmaster);
  for (const [pid, ppid] of parents) if (ppid === postmaster) total += cpuSeconds(pid);
  return total;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

// ---- children ------------------------------------------------------------------------

// A child's one result line; resolves once written, so exiting after it loses nothing.
function emit(result: unknown): Promise<void> {
  return new Promise((resolve) =>
    process.stdout.write(`${JSON.stringify(result)}\n`, () => resolve()),
  );
}

async function writerChild(url: string, durationMs: number, name: string): Promise<void> {
  const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
  const ledger = await openLedger({ store, pollMs: 0 });
  const latencies: number[] = [];
  let n = 0;
  const end = Date.now() + durationMs;
  const cpu0 = process.cpuUsage(); // the ingest only, not start-up and open
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (Date.now() < end) {
        const i = n++;
        const t0 = performance.now();
        await ledger.addDigest(sha256(utf8(`${name} ${i}`)));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  await ledger.close();
  await store.close();
  await emit({
    cpu: (cpu.user + cpu.system) / 1e6,
    acks: latencies.length,
    latencies: latencies.map((l) => Math.round(l * 100) / 100),
  });
}

async function sequencerChild(url: string): Promise<void> {
  const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
  await openLedger({
    store,
    owner: 'bench-sequencer',
    pollMs: 200,
    leaseTtlMs: 5_000,
    policy: { maxRecords: 50_000, maxAgeMs: 1_000 },
  });
  // Stopped by the parent: a clean exit, so a --cpu-prof profile is written.
  process.once('SIGTERM', () => process.exit(0));
  process.stdout.write('ready\n');
  await new Promise(() => {});
}

async function openChild(kind: string, where: string): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const store: LedgerStore =
    kind === 'postgres'
      ? await openPostgresLedgerStore({ url: where, origin: ORIGIN })
      : await openFileLedgerStore(where, { origin: ORIGIN });
  const size = await store.size();
  const cp = await store.latestCheckpoint();
  // Ready means answering: the receipt of the newest leaf.
  await new StoreReceiptBuilder(store).build(size - 1, cp);
  const ms = performance.now() - t0;
  const grown = process.memoryUsage().rss - rss0;
  await store.close();
  await emit({ ms, mib: mib(grown), rss: mib(process.memoryUsage().rss) });
}

// ---- parent --------------------------------------------------------------------------

function bundle(work: string): string {
  const out = join(work, 'ledger-bench-child.mjs');
  const r = spawnSync(
    join(repo, 'node_modules', '.bin', 'esbuild'),
    [
      fileURLToPath(import.meta.url),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--tsconfig=${process.env.TSX_TSCONFIG_PATH ?? join(repo, 'tsconfig.json')}`,
      '--external:pg-native',
      `--outfile=${out}`,
      '--log-level=error',
      "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr}`);
  return out;
}

function child(
  js: string,
  env: Record<string, string>,
): { proc: ChildProcess; out: Promise<string> } {
  // e.g. MEDANCHOR_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the children.
  const nodeArgs = (process.env.MEDANCHOR_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const proc = spawn(process.execPath, [...nodeArgs, js], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    text += d;
  });
  const out = new Promise<string>((resolve, reject) =>
    proc.once('exit', (code, signal) =>
      code === 0 || signal === 'SIGTERM'
        ? resolve(text)
        : reject(
            new Error(`bench child ${env.MEDANCHOR_LEDGER_BENCH_CHILD} exited ${code} ${signal}`),
          ),
    ),
  );
  return { proc, out };
}

async function waitFor(text: () => string, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!text().includes(what)) {
    if (Date.now() > end) throw new Error(`bench child never said ${what}`);
    await sleep(50);
  }
}

// Writes `n` records through the store's write path: addPending in groups, then the
// sequencer's integrate (tiles) and seal, as a ledger would.
async function fill(store: LedgerStore, n: number): Promise<void> {
  const lease = (await store.acquireLease('bench-fill', 600_000))!;
  const group = 5_000;
  for (let at = 0; at < n; at += group) {
    const items = Array.from({ length: Math.min(group, n - at) }, (_, i) => record(at + i));
    await store.addPending(items);
    if ((at + group) % 50_000 === 0 || at + group >= n) {
      while ((await sequencePending(store, lease, 50_000)).count > 0) {}
      await sealCheckpoint(store, lease);
    }
  }
  await store.releaseLease(lease);
}

async function receiptRate(
  store: LedgerStore,
  n: number,
  count: number,
  spread: boolean,
): Promise<number> {
  const builder = new StoreReceiptBuilder(store);
  const cp = await store.latestCheckpoint();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        // Spread over the whole log (golden-ratio stride), or one seal's run of leaves.
        const k = next++;
        const i = spread ? Math.floor(((k * 0.6180339887) % 1) * n) : n - count + k;
        await builder.build(i, cp);
      }
    }),
  );
  return (count * 1000) / (performance.now() - t0);
}

export async function run(): Promise<void> {
  // The head map rows need no PostgreSQL; the seal rows start their own when they can
  // (MEDANCHOR_BENCH_HEAD_MAP=0 skips them all).
  if (process.env.MEDANCHOR_BENCH_HEAD_MAP !== '0') {
    await headMapRows();
    await headMapSealRows();
  }
  const skip = postgresSkipReason();
  if (skip !== undefined) {
    console.log(`ledger: skipped (${skip})`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'medanchor-ledger-bench-'));
  const js = bundle(work);
  // fsync on: an acknowledgement here means the record survives a power cut.
  const server = await startPgServer({ fsync: true });
  try {
    console.log(
      `PostgreSQL ${server.dataDir} (fsync on, synchronous_commit on); each writer process keeps ${LANES} adds in flight (ledger.addDigest, one record each, group-committed by the store); one more process sequences (integrates every 200 ms); ${INGEST_MS / 1000} s per run`,
    );
    const rows: string[] = [];
    // MEDANCHOR_BENCH_INGEST_MS=0 skips the ingest runs (e.g. to measure only a large open).
    const cpuRows: string[] = [];
    for (const writers of INGEST_MS > 0 ? WRITERS : []) {
      const url = await server.createDatabase();
      await (await openPostgresLedgerStore({ url, origin: ORIGIN })).close();
      const seq = child(js, { MEDANCHOR_LEDGER_BENCH_CHILD: 'sequencer', BENCH_URL: url });
      let seqText = '';
      seq.proc.stdout!.on('data', (d: string) => {
        seqText += d;
      });
      await waitFor(() => seqText, 'ready');
      const seqCpu0 = cpuSeconds(seq.proc.pid);
      const pgCpu0 = postgresCpuSeconds(server.dataDir);
      const kids = Array.from({ length: writers }, (_, w) =>
        child(js, {
          MEDANCHOR_LEDGER_BENCH_CHILD: 'writer',
          BENCH_URL: url,
          BENCH_MS: String(INGEST_MS),
          BENCH_NAME: `w${w}`,
        }),
      );
      const results = (await Promise.all(kids.map((k) => k.out))).map(
        (t) =>
          JSON.parse(t.trim().split('\n').pop()!) as {
            acks: number;
            latencies: number[];
            cpu: number;
          },
      );
      const seqCpu = cpuSeconds(seq.proc.pid) - seqCpu0;
      const pgCpu = postgresCpuSeconds(server.dataDir) - pgCpu0;
      seq.proc.kill('SIGTERM');
      await seq.out.catch(() => {});
      const acks = results.reduce((s, r) => s + r.acks, 0);
      const lat = Float64Array.from(results.flatMap((r) => r.latencies)).sort();
      const rate = (acks * 1000) / INGEST_MS;
      const writerCpu = results.reduce((s, r) => s + r.cpu, 0);
      const perK = (sec: number) => ((sec * 1e6) / acks).toFixed(0);
      cpuRows.push(
        `| ${writers} | ${writerCpu.toFixed(1)} (${perK(writerCpu)}) | ${seqCpu.toFixed(1)} (${perK(seqCpu)}) | ${pgCpu.toFixed(1)} (${perK(pgCpu)}) |`,
      );
      rows.push(
        `| ${writers} | ${Math.round(rate).toLocaleString('en-US')} | ${percentile(lat, 0.5).toFixed(1)} | ${percentile(lat, 0.99).toFixed(1)} |`,
      );
      if (writers === 4)
        rows.push(
          `ledger ingest 4 writers: ${Math.round(rate)} records/s, p99 ${percentile(lat, 0.99).toFixed(1)} ms`,
        );
    }
    if (rows.length > 0)
      console.log(
        '\n| writers | acknowledged records/s | ack p50 ms | ack p99 ms |\n| --- | --- | --- | --- |',
      );
    for (const r of rows.filter((r) => r.startsWith('|'))) console.log(r);
    if (cpuRows.length > 0)
      console.log(
        `\nCPU seconds over each run (in parentheses: µs per acknowledged record; the machine has 2 cores, so ${(2 * INGEST_MS) / 1000} s is all of it):\n\n| writers | writer processes | sequencer | PostgreSQL |\n| --- | --- | --- | --- |\n${cpuRows.join('\n')}\n`,
      );
    for (const r of rows.filter((r) => !r.startsWith('|'))) console.log(r);

    const sizes = [Number(process.env.MEDANCHOR_BENCH_OPEN_N ?? 1_000_000)];
    if (process.env.MEDANCHOR_BENCH_10M === '1') sizes.push(10_000_000);
    console.log(
      `\nopen: stores filled through addPending + integrate + seal (what a real run writes); a fresh process opens the store, reads size and latest checkpoint and builds the newest leaf's receipt${sizes.includes(10_000_000) ? '' : '; 10M not measured in this run (MEDANCHOR_BENCH_10M=1 measures it; the fill takes about 10x the 1M fill shown below)'}`,
    );
    for (const n of sizes) {
      const label = `${n / 1_000_000}M`;
      const url = await server.createDatabase();
      const pgStore = await openPostgresLedgerStore({ url, origin: ORIGIN });
      let t0 = performance.now();
      await fill(pgStore, n);
      const pgFill = (performance.now() - t0) / 1000;
      const dir = join(work, `file-${label}`);
      const fileStore = await openFileLedgerStore(dir, { origin: ORIGIN });
      t0 = performance.now();
      await fill(fileStore, n);
      const fileFill = (performance.now() - t0) / 1000;
      await fileStore.close();
      console.log(
        `filled ${label}: postgres in ${pgFill.toFixed(0)} s, file in ${fileFill.toFixed(0)} s`,
      );
      for (const [kind, where] of [
        ['file', dir],
        ['postgres', url],
      ] as const) {
        const o = child(js, { MEDANCHOR_LEDGER_BENCH_CHILD: `open-${kind}`, BENCH_WHERE: where });
        const r = JSON.parse((await o.out).trim().split('\n').pop()!) as {
          ms: number;
          mib: number;
        };
        console.log(`ledger open ${label} ${kind}: ${r.ms.toFixed(0)} ms, ${r.mib.toFixed(1)} MiB`);
      }
      const reopened = await openFileLedgerStore(dir, { origin: ORIGIN });
      const count = Math.min(20_000, n);
      for (const spread of [false, true]) {
        const pgRate = await receiptRate(pgStore, n, count, spread);
        const fileRate = await receiptRate(reopened, n, count, spread);
        console.log(
          `receipt builds ${label} (${count.toLocaleString('en-US')} ${spread ? 'leaves spread over the log' : 'consecutive leaves, as after a seal'}, 32 in flight): postgres ${Math.round(pgRate).toLocaleString('en-US')}/s, file ${Math.round(fileRate).toLocaleString('en-US')}/s`,
        );
      }
      // Through the ledger: the checkpoint of each leaf found by the ledger (remembered per
      // checkpoint range) and its anchor state read (these seals are not anchored).
      const viaLedger: string[] = [];
      for (const [kind, store] of [
        ['postgres', pgStore],
        ['file', reopened],
      ] as const) {
        const ledger = await openLedger({ store, pollMs: 0 });
        let next = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (next < count) await ledger.receipt(n - count + next++);
          }),
        );
        const rate = (count * 1000) / (performance.now() - t0);
        viaLedger.push(`${kind} ${Math.round(rate).toLocaleString('en-US')}/s`);
        await ledger.close();
      }
      console.log(
        `ledger.receipt ${label} (${count.toLocaleString('en-US')} consecutive leaves, 32 in flight, a fresh ledger with a cold tile cache): ${viaLedger.join(', ')}`,
      );
      await reopened.close();
      await pgStore.close();
    }
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const mode = process.env.MEDANCHOR_LEDGER_BENCH_CHILD;
if (mode !== undefined) {
  const env = process.env;
  const done =
    mode === 'writer'
      ? writerChild(env.BENCH_URL!, Number(env.BENCH_MS), env.BENCH_NAME!)
      : mode === 'sequencer'
        ? sequencerChild(env.BENCH_URL!)
        : openChild(mode.replace('open-', ''), env.BENCH_WHERE!);
  done.then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

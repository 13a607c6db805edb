// A seal with the head map beside the same seal without it (the peer), on the memory, file
// and PostgreSQL stores: (a) a seal of N new records (MEDANCHOR_BENCH_HEAD_MAP_SEAL_N,
// default 10,000) on a fresh ledger; (b) a seal of 1,000 new versions of records in a log of
// MEDANCHOR_BENCH_HEAD_MAP_LOG_N (default 100,000), by a ledger just opened (its key memory
// empty: every first leaf is looked up and every key derived); (c) a seal of N new records
// by the ledger that sealed that log (its key memory full). Figures are CPU time of this
// process (the machine is shared); PostgreSQL rows add wall time, since the server's CPU is
// not counted. The PostgreSQL rows need a local server (they say why they are skipped;
// MEDANCHOR_BENCH_HEAD_MAP_SEAL_PG=0 leaves them out).
// Called by the ledger section; `npx tsx bench/head-map-seal.ts` runs it alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, type StoreLedger } from '@medanchor/chain';
import {
  generateNoteKey,
  type HeadMapStore,
  type LedgerStore,
  memoryHeadMapStore,
  memoryLedgerStore,
} from '@medanchor/core';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';
import { openPostgresHeadMapStore, openPostgresLedgerStore } from '@medanchor/postgres';
import {
  type PgServer,
  postgresSkipReason,
  startPgServer,
} from '../packages/postgres/test/helpers/pg-server.js';
import { add, fmt, median } from './head-map-fill.js';

type Kind = 'memory' | 'file' | 'postgres';
const ORIGIN = 'bench.example/head-map-seal';
const logKey = generateNoteKey(ORIGIN);
const RUNS = 3;
const VERSIONS = 1_000;

// CPU milliseconds of this process since `from`.
const cpuMs = (from: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1000;
};

interface Timed {
  cpu: number;
  wall: number;
}

async function timed(fn: () => Promise<unknown>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  return { cpu: cpuMs(c0), wall: performance.now() - t0 };
}

/** A ledger's stores of one kind, fresh. */
interface Stores {
  store: LedgerStore;
  map?: HeadMapStore;
  close(): Promise<void>;
}

async function fresh(kind: Kind, withMap: boolean, pg: PgServer | undefined): Promise<Stores> {
  if (kind === 'memory') {
    const store = memoryLedgerStore({ origin: ORIGIN });
    return {
      store,
      ...(withMap ? { map: memoryHeadMapStore() } : {}),
      close: () => store.close(),
    };
  }
  if (kind === 'file') {
    const dir = mkdtempSync(join(tmpdir(), 'medanchor-head-map-seal-bench-'));
    const store = await openFileLedgerStore(join(dir, 'store'), { origin: ORIGIN });
    const map = withMap ? await openFileHeadMapStore(join(dir, 'map')) : undefined;
    return {
      store,
      ...(map === undefined ? {} : { map }),
      async close() {
        await map?.close?.();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await pg!.createDatabase();
  const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
  const map = withMap ? await openPostgresHeadMapStore({ url, origin: ORIGIN }) : undefined;
  return {
    store,
    ...(map === undefined ? {} : { map }),
    async close() {
      await map?.close?.();
      await store.close();
    },
  };
}

const ledgerOn = (s: Stores): Promise<StoreLedger> =>
  openLedger({
    store: s.store,
    pollMs: 0,
    signer: logKey,
    batchSize: 1_000_000,
    // Sealed only when the bench says so.
    policy: { maxRecords: Number.MAX_SAFE_INTEGER },
    ...(s.map === undefined ? {} : { headMap: { store: s.map } }),
  });

// (a): N new records into a fresh ledger, one seal.
async function sealNew(kind: Kind, withMap: boolean, n: number, pg?: PgServer): Promise<Timed> {
  const s = await fresh(kind, withMap, pg);
  try {
    const ledger = await ledgerOn(s);
    await add(s.store, 0, n, (i) => `Observation/o-${i}`);
    const t = await timed(() => ledger.seal());
    await ledger.close();
    return t;
  } finally {
    await s.close();
  }
}

// (c) then (b): on a log of `logN` records sealed by one ledger, that ledger seals `n` more
// new records (its key memory full: each new key pushes an old one out); then RUNS seals
// of 1,000 new versions of spread records, each by a ledger opened just before (its key
// memory empty).
async function sealVersions(
  kind: Kind,
  withMap: boolean,
  logN: number,
  n: number,
  pg?: PgServer,
): Promise<{ versions: Timed[]; more: Timed }> {
  const s = await fresh(kind, withMap, pg);
  try {
    let ledger = await ledgerOn(s);
    await add(s.store, 0, logN, (i) => `Observation/o-${i}`);
    await ledger.seal();
    await add(s.store, logN, n, (i) => `Observation/o-${i}`);
    const more = await timed(() => ledger.seal());
    logN += n;
    const out: Timed[] = [];
    for (let r = 0; r < RUNS; r++) {
      await ledger.close();
      ledger = await ledgerOn(s);
      const from = logN + r * VERSIONS;
      // 7919 is prime: the versions land on records spread over the whole log.
      await add(s.store, from, VERSIONS, (i) => `Observation/o-${(i * 7919) % logN}`);
      out.push(await timed(() => ledger.seal()));
    }
    await ledger.close();
    return { versions: out, more };
  } finally {
    await s.close();
  }
}

function row(label: string, n: number, mapped: Timed[], plain: Timed[], wall: boolean): string {
  const m = median(mapped.map((t) => t.cpu));
  const p = median(plain.map((t) => t.cpu));
  const mw = median(mapped.map((t) => t.wall));
  const pw = median(plain.map((t) => t.wall));
  const extra = Math.max(0.001, m - p);
  const walls = wall
    ? `; wall ${mw.toFixed(0)} ms with the map (${fmt((n * 1000) / mw)} records/s), ${pw.toFixed(0)} ms without`
    : '';
  return `${label}: with the map ${m.toFixed(0)} ms CPU (${fmt((n * 1000) / m)} records per CPU second), without ${p.toFixed(0)} ms CPU (${fmt((n * 1000) / Math.max(0.001, p))}/s); the map adds ${extra.toFixed(0)} ms (${fmt((n * 1000) / extra)} records per CPU second)${walls}`;
}

/** Prints the rows. */
export async function headMapSealRows(): Promise<void> {
  const n = Number(process.env.MEDANCHOR_BENCH_HEAD_MAP_SEAL_N ?? 10_000);
  const logN = Number(process.env.MEDANCHOR_BENCH_HEAD_MAP_LOG_N ?? 100_000);
  console.log(
    `\nseal with the head map beside the same seal without it (median of ${RUNS}; a seal integrates the pending records, signs the checkpoint and, with the map, updates it; CPU of this process)`,
  );
  // MEDANCHOR_BENCH_HEAD_MAP_SEAL_PG=0 leaves PostgreSQL out.
  const skip =
    process.env.MEDANCHOR_BENCH_HEAD_MAP_SEAL_PG === '0'
      ? 'MEDANCHOR_BENCH_HEAD_MAP_SEAL_PG=0'
      : postgresSkipReason();
  let pg: PgServer | undefined;
  const kinds: Kind[] = ['memory', 'file'];
  if (skip === undefined) {
    pg = await startPgServer();
    kinds.push('postgres');
  }
  try {
    for (const kind of kinds) {
      const plain: Timed[] = [];
      const mapped: Timed[] = [];
      // Interleaved, so load that comes and goes hits both alike.
      for (let r = 0; r < RUNS; r++) {
        plain.push(await sealNew(kind, false, n, pg));
        mapped.push(await sealNew(kind, true, n, pg));
      }
      console.log(
        row(`seal ${kind} (a) ${fmt(n)} new records`, n, mapped, plain, kind === 'postgres'),
      );
      const vPlain = await sealVersions(kind, false, logN, n, pg);
      const vMapped = await sealVersions(kind, true, logN, n, pg);
      console.log(
        row(
          `seal ${kind} (b) ${fmt(VERSIONS)} new versions in a ${fmt(logN + n)}-record log, key memory empty`,
          VERSIONS,
          vMapped.versions,
          vPlain.versions,
          kind === 'postgres',
        ),
      );
      console.log(
        row(
          `seal ${kind} (c) ${fmt(n)} new records after ${fmt(logN)} by the same ledger (key memory full; one run)`,
          n,
          [vMapped.more],
          [vPlain.more],
          kind === 'postgres',
        ),
      );
    }
    if (skip !== undefined) console.log(`seal postgres: skipped (${skip})`);
  } finally {
    await pg?.stop();
  }
}

// Run alone (`npx tsx bench/head-map-seal.ts`), not when bundled into the ledger section.
if (process.argv[1]?.endsWith('head-map-seal.ts')) await headMapSealRows();

import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../../../../test/helpers/bundle-child.js';
import { seededRandom } from '../../../../test/helpers/seeded-random.js';
import {
  decodeJournalEntry,
  encodeJournalEntry,
  MerkleLog,
  openBatcher,
  sha256,
  toHex,
  utf8,
  verifyReceiptMerkle,
} from '../../src/index.js';
import { FileJournal, FileLogStore } from '../../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = 50;

let work: string;
let childJs: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'medanchor-crash-'));
  childJs = bundleChild(join(here, 'crash-child.ts'), work);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface RunResult {
  acked: string[];
  exit: { code: number | null; signal: NodeJS.Signals | null };
  stderr: string;
}

/** Starts the child, kills it with SIGKILL after a random delay, collects its acks. */
function runAndKill(dir: string, run: number, rand: () => number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const maxRecords = 1 + Math.floor(rand() * 200);
    const logMode = rand() < 0.6 ? 'file' : 'memory';
    const child: ChildProcess = spawn(
      process.execPath,
      [childJs, dir, String(run), String(maxRecords), logMode],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let stderr = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const kill = (ms: number) => {
      timer = setTimeout(() => child.kill('SIGKILL'), ms);
    };
    // One run in five dies at a random moment of start-up and recovery. The others die
    // at a random moment after their first acknowledgement, while adds and seals run:
    // waiting for an ack (not a fixed time) keeps the test meaningful on a slow machine.
    const early = rand() < 0.2;
    const delay = Math.floor(rand() * 60);
    if (early) kill(delay);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (!early && timer === undefined && /\n\d+-\d+\n/.test(out)) kill(delay);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      // Only complete lines count: a line cut by the kill was not fully reported.
      const lines = out.split('\n').slice(0, -1);
      resolve({ acked: lines.filter((l) => l !== 'ready'), exit: { code, signal }, stderr });
    });
  });
}

/** The bytes of one real journal frame holding a few record entries. */
async function realFrame(): Promise<Uint8Array> {
  const path = join(work, 'frame.journal');
  const j = new FileJournal(path);
  await j.open();
  const record = (i: number) =>
    encodeJournalEntry({
      kind: 'record',
      salt: new Uint8Array(32).fill(i),
      digest: sha256(Uint8Array.of(i)),
    });
  await j.append([record(1), record(2), record(3)]);
  await j.close();
  return readFileSync(path).subarray(8);
}

const digestOf = (id: string) => toHex(sha256(utf8(`crash-test record ${id}`)));

describe('crash safety (real child processes killed with SIGKILL)', () => {
  it(`keeps every acknowledged record exactly once across ${RUNS} kill -9 runs, cutting torn tails`, async () => {
    const seed = Number(process.env['MEDANCHOR_CRASH_SEED'] ?? Date.now() % 1_000_000);
    const rand = seededRandom(seed);
    const dir = join(work, 'ledger');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const frame = await realFrame();
    const acked = new Set<string>();
    let repairedTails = 0;
    let injectedTails = 0;
    let acksTotal = 0;
    for (let run = 0; run < RUNS; run++) {
      const r = await runAndKill(dir, run, rand);
      expect(r.stderr, `seed ${seed} run ${run}: the child failed by itself`).toBe('');
      expect(r.exit.signal, `seed ${seed} run ${run}`).toBe('SIGKILL');
      for (const id of r.acked) acked.add(digestOf(id));
      acksTotal += r.acked.length;

      // A kill rarely interrupts write() itself, so in some runs the tail a power cut
      // would leave is added on top of the kill: a strict prefix of a real frame.
      // Only an existing journal has a tail: a kill before the child created it leaves none.
      let torn = 0;
      if (rand() < 0.3 && existsSync(join(dir, 'journal'))) {
        torn = 1 + Math.floor(rand() * (frame.length - 1));
        appendFileSync(join(dir, 'journal'), frame.subarray(0, torn));
        injectedTails++;
      }

      // Reopen the journal as the next process would: torn tail cut, entries intact.
      const journal = new FileJournal(join(dir, 'journal'));
      const entries = await journal.open();
      await journal.close();
      const cut = journal.recovery?.truncatedBytes ?? 0;
      if (cut > torn) repairedTails++;
      expect(cut, `seed ${seed} run ${run}: torn tail not cut`).toBeGreaterThanOrEqual(torn);
      const seen = new Map<string, number>();
      entries.forEach((bytes, i) => {
        const e = decodeJournalEntry(bytes, i);
        if (e.kind === 'record') {
          const d = toHex(e.digest);
          seen.set(d, (seen.get(d) ?? 0) + 1);
        }
      });
      const twice = [...seen.values()].filter((n) => n !== 1).length;
      expect(twice, `seed ${seed} run ${run}: records journaled more than once`).toBe(0);
      const lost = [...acked].filter((d) => !seen.has(d));
      expect(lost, `seed ${seed} run ${run}: acknowledged records lost`).toEqual([]);
    }
    console.log(
      `crash test: seed ${seed}, ${RUNS} runs, ${acksTotal} acknowledged records, ${repairedTails} torn tails left by kills and ${injectedTails} injected ones repaired`,
    );
    expect(acksTotal).toBeGreaterThan(0);

    // Finally a batcher reopens it: log rebuilt and checked against the last seal, and
    // sealing everything pending yields receipts that verify.
    const store = FileLogStore.open(join(dir, 'log'));
    const batcher = await openBatcher({
      origin: 'crash.test/log',
      journal: new FileJournal(join(dir, 'journal')),
      log: new MerkleLog(store),
      policy: { maxRecords: 1_000_000 },
    });
    const before = batcher.log.size;
    const sealed = await batcher.seal();
    await batcher.close();
    store.close();
    const total = before + (sealed?.receipts.length ?? 0);
    expect(total).toBeGreaterThanOrEqual(acked.size);
    if (sealed !== undefined) {
      const last = sealed.receipts[sealed.receipts.length - 1]!;
      expect(verifyReceiptMerkle(last).ok).toBe(true);
    }
  }, 600_000); // 50 process starts: generous for a loaded CI machine, not a speed check
});

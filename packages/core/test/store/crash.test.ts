import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../../../../test/helpers/bundle-child.js';
import {
  buildReceiptFromStore,
  leafHash,
  MerkleLog,
  sealCheckpoint,
  sequencePending,
  TileTree,
  toHex,
  verifyReceiptMerkle,
} from '../../src/index.js';
import { openFileLedgerStore } from '../../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const KILLS = 24;
const origin = 'crash.test/ledger';

let work: string;
let childJs: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'medanchor-store-crash-'));
  childJs = bundleChild(join(here, 'crash-child.ts'), work);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

// Seeded so a failure can be replayed (xorshift32).
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Runs the child and SIGKILLs it: early (during open/recovery) or after its first ack. */
function runAndKill(dir: string, run: number, rand: () => number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [childJs, dir, String(run)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    let armed = false;
    const kill = (ms: number) => setTimeout(() => child.kill('SIGKILL'), ms);
    const early = rand() < 0.2;
    const delay = Math.floor(rand() * 150);
    if (early) kill(Math.floor(delay / 3));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (!early && !armed && out.includes('\n', out.indexOf('open\n') + 5)) {
        armed = true;
        kill(delay);
      }
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`child ended by itself (code ${code}): ${stderr}`));
        return;
      }
      // Only complete lines: the kill may cut the last one.
      const lines = out.split('\n').slice(0, -1);
      resolve(lines.filter((l) => l !== 'open'));
    });
  });
}

describe('file ledger store under SIGKILL', () => {
  it(`keeps every acknowledged record in exactly one leaf across ${KILLS} kills`, async () => {
    const dir = join(work, 'store');
    const rand = rng(0x5eed21);
    const acked = new Set<string>();
    for (let run = 0; run < KILLS; run++) {
      for (const k of await runAndKill(dir, run, rand)) acked.add(k);
      // After each kill the store opens and every ack so far is pending or sequenced.
      const store = await openFileLedgerStore(dir, { origin });
      const pending = new Set((await store.readPending(1e9)).map((p) => p.key));
      for (const k of acked) {
        if (!pending.has(k)) {
          expect((await store.leafByKey(k))?.key, `acked key ${k} after run ${run}`).toBe(k);
        }
      }
      await store.close();
    }
    expect(acked.size).toBeGreaterThan(KILLS);
    const store = await openFileLedgerStore(dir, { origin });
    const lease = (await store.acquireLease('final', 60_000))!;
    while ((await store.pendingCount()) > 0) await sequencePending(store, lease, 10_000);
    await sealCheckpoint(store, lease);
    const size = await store.size();
    const leaves = await store.readLeaves(0, size);
    const keys = leaves.map((l) => l.key);
    expect(new Set(keys).size).toBe(size); // no key in two leaves
    const inLog = new Set(keys);
    for (const k of acked) expect(inLog.has(k), k).toBe(true);
    const log = new MerkleLog();
    log.append(leaves.map((l) => leafHash(l.commitment)));
    const tree = new TileTree((a, b, c) => store.readTile(a, b, c), size);
    expect(toHex(await tree.root())).toBe(toHex(log.root()));
    for (const i of [0, Math.floor(size / 2), size - 1]) {
      expect(verifyReceiptMerkle(await buildReceiptFromStore(store, i)).ok).toBe(true);
    }
    console.log(
      `store crash test: ${KILLS} kills, ${acked.size} acknowledged keys, ${size} leaves, ${(await store.loadAnchors()).length} anchors`,
    );
    await store.close();
  }, 600_000);
});

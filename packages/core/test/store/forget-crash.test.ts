// kill -9 in the middle of forgets on the file store, then recover by opening it again:
// a leaf is never marked forgotten while a copy of its salt or digest survives, unless
// the intent file is still there to finish the job, and opening always finishes it.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../../../../test/helpers/bundle-child.js';
import {
  buildReceiptFromStore,
  sealCheckpoint,
  sequencePending,
  sha256,
  toHex,
  utf8,
  verifyReceiptMerkle,
} from '../../src/index.js';
import { openFileLedgerStore } from '../../src/node.js';
import { findInTree, type Secret } from './find-bytes.js';

const here = dirname(fileURLToPath(import.meta.url));
const origin = 'forget-crash.test/ledger';
const RECORDS = 30;
const KILLS = 12;
let work: string;
let childJs: string;
let seeded: string;

const salt = (i: number) => sha256(utf8(`forget crash salt ${i}`));
const digest = (i: number) => sha256(utf8(`forget crash record ${i}`));
const secretsOf = (i: number): Secret[] => [
  { name: `salt r${i}`, bytes: salt(i) },
  { name: `salt r${i} hex`, bytes: utf8(toHex(salt(i))) },
  { name: `digest r${i}`, bytes: digest(i) },
  { name: `digest r${i} hex`, bytes: utf8(toHex(digest(i))) },
];

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

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'medanchor-forget-crash-'));
  childJs = bundleChild(join(here, 'forget-crash-child.ts'), work);
  // A store whose journal still holds every record (the last one stays pending, so the
  // segment is not compacted away): the forget must rewrite it.
  seeded = join(work, 'seed');
  const store = await openFileLedgerStore(seeded, { origin });
  await store.addPending(
    Array.from({ length: RECORDS + 1 }, (_, i) => ({
      salt: salt(i),
      digest: digest(i),
      key: `stamp:r${i}@${toHex(digest(i))}`,
      recordId: `r${i}`,
      version: 1,
    })),
  );
  const lease = (await store.acquireLease('seed', 60_000))!;
  await sequencePending(store, lease, RECORDS);
  await sealCheckpoint(store, lease);
  await store.close();
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs the child on `dir` and SIGKILLs it `ms` after it opened the store. */
function runAndKill(dir: string, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs, dir, String(RECORDS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (out === '' && d.startsWith('open')) setTimeout(() => child.kill('SIGKILL'), ms);
      out += d;
    });
    child.stderr.on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(out.split('\n').filter((l) => l.startsWith('forgot ')));
    });
  });
}

// Leaf records marked forgotten in leaves.bin, read raw (docs/spec/tombstone.md §2).
function markedLeaves(dir: string): Set<number> {
  const bytes = readFileSync(join(dir, 'leaves.bin'));
  const out = new Set<number>();
  for (let i = 0; i < RECORDS; i++) {
    if (bytes.readUInt32BE(i * 84 + 80) === 0xffffffff) out.add(i);
  }
  return out;
}

describe('forget on the file store under kill -9', () => {
  it(`never marks a leaf forgotten while its salt survives, across ${KILLS} kills`, async () => {
    const rand = rng(20261206);
    const dir = join(work, 'victim');
    cpSync(seeded, dir, { recursive: true });
    const reported = new Set<string>();
    let sawIntent = 0;
    for (let k = 0; k < KILLS; k++) {
      const lines = await runAndKill(dir, Math.floor(rand() * 60));
      for (const l of lines) reported.add(l.slice('forgot '.length));
      // Before any recovery: a marked leaf whose secrets survive needs the intent file.
      const marked = markedLeaves(dir);
      const intent = existsSync(join(dir, 'forget.intent'));
      if (intent) sawIntent++;
      for (const i of marked) {
        const left = findInTree(dir, secretsOf(i), (p) => p.endsWith('forget.intent')).hits;
        if (!intent) expect(left, `r${i} marked, no intent`).toEqual([]);
      }
      // Recovery: opening finishes an interrupted forget.
      const store = await openFileLedgerStore(dir, { origin });
      expect(existsSync(join(dir, 'forget.intent'))).toBe(false);
      for (let i = 0; i < RECORDS; i++) {
        const [leaf] = await store.readLeaves(i, 1);
        const hits = findInTree(dir, secretsOf(i)).hits;
        if (leaf!.forgottenAt !== undefined) {
          expect(hits, `r${i} forgotten but found`).toEqual([]);
          expect(await store.versions(`r${i}`)).toEqual([]);
        } else {
          expect(reported.has(`r${i}`), `r${i} reported forgotten`).toBe(false);
          expect(toHex(leaf!.salt)).toBe(toHex(salt(i)));
          expect(await store.versions(`r${i}`)).toEqual([i]);
          expect(hits.length).toBeGreaterThan(0); // the search does see a live record
        }
      }
      // The pending record and every receipt of a live leaf are untouched.
      const [pending] = await store.readPending(1);
      expect(toHex(pending!.salt)).toBe(toHex(salt(RECORDS)));
      await store.close();
    }
    // A last run without a kill forgets the rest.
    await runAndKill(dir, 60_000);
    const store = await openFileLedgerStore(dir, { origin });
    for (let i = 0; i < RECORDS; i++) {
      expect((await store.tombstone(i))?.forgottenAt).toBe(1_000 + i);
      expect(findInTree(dir, secretsOf(i)).hits).toEqual([]);
    }
    expect(await store.pendingCount()).toBe(1);
    const lease = (await store.acquireLease('after', 60_000))!;
    await sequencePending(store, lease, 10);
    await sealCheckpoint(store, lease);
    expect(verifyReceiptMerkle(await buildReceiptFromStore(store, RECORDS))).toMatchObject({
      ok: true,
    });
    await store.close();
    // Not asserted (timing): how many kills landed inside a forget. Printed for the log.
    console.log(
      `forget crash: ${reported.size} forgotten before the last run, ${sawIntent} kills left an intent`,
    );
  }, 180_000);
});

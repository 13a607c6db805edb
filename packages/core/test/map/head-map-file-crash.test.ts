// kill -9 of a child process at every crash point of the file head map store (appending to
// nodes.bin, writing slots, rewriting the index header, growing the table, replaying and
// cutting on open, rebuilding), cycled through in order, never drawn at random; then a
// reopen: every root whose update had returned reads exactly as the same map built in
// memory, torn tails of nodes.bin and nodes.idx are repaired, and the scenario finishes.
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../../../../test/helpers/bundle-child.js';
import {
  HEAD_MAP_EMPTY,
  type HeadMapStore,
  memoryHeadMapStore,
  proveHeadMap,
  toHex,
  updateHeadMap,
} from '../../src/index.js';
import { openHeadMapFiles } from '../../src/node/head-map-file-store.js';
import {
  keysAfter,
  pathText,
  SEALS,
  scenarioKey,
  sealUpdates,
  TUNING,
} from './head-map-file-scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
let work: string;
let childJs: string;
const mem = memoryHeadMapStore();
const roots: string[] = []; // the scenario's root after each seal, built in memory

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'medanchor-head-map-file-crash-'));
  childJs = bundleChild(join(here, 'head-map-file-crash-child.ts'), work);
  let root = HEAD_MAP_EMPTY;
  for (let i = 0; i < SEALS; i++) {
    root = await updateHeadMap(mem, root, sealUpdates(i));
    roots.push(toHex(root));
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  points: string[]; // crash point names passed, in order
  roots: Map<number, string>; // seal -> root printed (its update returned)
  done: boolean;
  killed: boolean;
}

function run(dir: string, from: number, root: string, killAt: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs, dir, String(from), root, String(killAt)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const r: Run = { points: [], roots: new Map(), done: false, killed: signal === 'SIGKILL' };
      for (const line of out.split('\n')) {
        const [word, a, b] = line.split(' ');
        if (word === 'POINT') r.points.push(b!);
        if (word === 'ROOT') r.roots.set(Number(a), b!);
        if (word === 'DONE') r.done = true;
      }
      if (!r.killed && code !== 0) reject(new Error(`child failed (${code}): ${err.slice(-2000)}`));
      else resolve(r);
    });
  });
}

/** The latest seal whose root is known and the root to continue from. */
function latest(committed: Map<number, string>): [number, string] {
  const last = Math.max(-1, ...committed.keys());
  return [last + 1, last < 0 ? toHex(HEAD_MAP_EMPTY) : committed.get(last)!];
}

/** Every key's proof at `root` (seal `seal`) reads the same from the files as from memory. */
async function readsAsInMemory(store: HeadMapStore, seal: number, root: string): Promise<void> {
  expect(root).toBe(roots[seal]);
  const r = Uint8Array.from(Buffer.from(root, 'hex'));
  for (let k = 0; k < keysAfter(seal) + 3; k++)
    expect(pathText(await proveHeadMap(store, r, scenarioKey(k)))).toBe(
      pathText(await proveHeadMap(mem, r, scenarioKey(k))),
    );
}

// nodes.bin parses to its last byte: no torn tail left.
function wholeEntries(dir: string): boolean {
  const bin = readFileSync(join(dir, 'nodes.bin'));
  let at = 0;
  while (at < bin.length && (bin[at] === 48 || bin[at] === 65)) at += 1 + bin[at]!;
  return at === bin.length;
}

describe('file head map crash safety (real SIGKILL at every crash point)', () => {
  it('every committed root reads as in memory after a kill at any point, and the work finishes', async () => {
    const dry = await run(join(work, 'dry'), 0, toHex(HEAD_MAP_EMPTY), 0);
    expect(dry.done).toBe(true);
    expect([...dry.roots.values()]).toEqual(roots);
    // The scenario passes every crash point of a put, a header rewrite and a growth.
    for (const p of [
      'put:append',
      'put:appended',
      'put:synced',
      'put:slots-half',
      'put:slots',
      'index:synced',
      'index:header',
      'build:written',
      'build:renamed',
    ])
      expect(dry.points, p).toContain(p);
    const reached = new Set<string>();
    for (let k = 1; k <= dry.points.length; k++) {
      const dir = join(work, `kill-${k}`);
      const a = await run(dir, 0, toHex(HEAD_MAP_EMPTY), k);
      expect(a.killed, `kill point ${k}`).toBe(true);
      expect(a.points.at(-1)).toBe(dry.points[k - 1]);
      const committed = new Map(a.roots);
      // Torn tails as a crash in the middle of a write leaves them, by turns.
      if (k % 3 === 1) appendFileSync(join(dir, 'nodes.bin'), Uint8Array.of(65, k & 255, 7));
      const idxPath = join(dir, 'nodes.idx');
      if (k % 3 === 2 && existsSync(idxPath)) truncateSync(idxPath, statSync(idxPath).size - 5);
      // Killed again early in the next run: inside the open's replay, cut or rebuild.
      let [from, root] = latest(committed);
      const b = await run(dir, from, root, 1 + (k % 3));
      for (const p of b.points) reached.add(p);
      for (const [i, r] of b.roots) committed.set(i, r);
      // Every root whose update returned reads exactly as in memory.
      const store = await openHeadMapFiles(dir, TUNING);
      for (const [i, r] of committed) await readsAsInMemory(store, i, r);
      await store.close!();
      expect(wholeEntries(dir), `kill point ${k}`).toBe(true);
      [from, root] = latest(committed);
      const c = await run(dir, from, root, 0);
      expect(c.done).toBe(true);
      for (const [i, r] of c.roots) expect(r).toBe(roots[i]);
      const end = await openHeadMapFiles(dir, TUNING);
      await readsAsInMemory(end, SEALS - 1, roots[SEALS - 1]!);
      await end.close!();
    }
    // The second runs were killed inside an open's replay and rebuild too.
    for (const p of ['open:replay', 'scan:written']) expect([...reached], p).toContain(p);
  }, 600_000);
});

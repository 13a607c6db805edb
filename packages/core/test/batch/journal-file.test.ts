import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMedanchorError, openBatcher, utf8 } from '../../src/index.js';
import { FileJournal } from '../../src/node.js';

const root = mkdtempSync(join(tmpdir(), 'medanchor-journal-'));
let n = 0;
const fresh = () => join(root, `j${n++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const entry = (s: string) => utf8(s);
const texts = (entries: Uint8Array[]) => entries.map((e) => new TextDecoder().decode(e));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isMedanchorError(e) ? e.code : `not a MedanchorError: ${String(e)}`;
  }
}

/** Writes three groups and returns the file size after each (header first). */
async function threeGroups(path: string): Promise<number[]> {
  const j = new FileJournal(path);
  await j.open();
  const sizes = [statSync(path).size];
  await j.append([entry('a1'), entry('a2')]);
  sizes.push(statSync(path).size);
  await j.append([entry('b1')]);
  sizes.push(statSync(path).size);
  await j.append([entry('c1'), entry('c2'), entry('c3')]);
  sizes.push(statSync(path).size);
  await j.close();
  return sizes;
}

describe('FileJournal', () => {
  it('creates the file, appends groups with one fdatasync each and reads them back in order', async () => {
    const path = fresh();
    const j = new FileJournal(path);
    expect(await j.open()).toEqual([]);
    expect(j.recovery).toEqual({ entries: 0, truncatedBytes: 0, created: true });
    await j.append([entry('one'), entry('two')]);
    await j.append([entry('three')]);
    expect(j.syncs).toBe(2);
    await j.close();
    const again = new FileJournal(path);
    expect(texts(await again.open())).toEqual(['one', 'two', 'three']);
    expect(again.recovery?.created).toBe(false);
    await again.close();
  });

  it('cuts a torn last frame back to the last complete group, at every possible cut point', async () => {
    const base = fresh();
    const sizes = await threeGroups(base);
    const full = readFileSync(base);
    const [, , afterB, afterC] = sizes as [number, number, number, number];
    for (let cut = afterB + 1; cut < afterC; cut++) {
      const path = fresh();
      writeFileSync(path, full.subarray(0, cut));
      const j = new FileJournal(path);
      expect(texts(await j.open())).toEqual(['a1', 'a2', 'b1']);
      expect(j.recovery?.truncatedBytes).toBe(cut - afterB);
      expect(statSync(path).size).toBe(afterB);
      // Appending after the repair lands on a clean boundary.
      await j.append([entry('d1')]);
      await j.close();
      const k = new FileJournal(path);
      expect(texts(await k.open())).toEqual(['a1', 'a2', 'b1', 'd1']);
      await k.close();
    }
  });

  it('cuts garbage after the last frame (a frame whose checksum fails)', async () => {
    const path = fresh();
    const sizes = await threeGroups(path);
    appendFileSync(path, Uint8Array.from([0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
    const j = new FileJournal(path);
    expect(texts(await j.open())).toEqual(['a1', 'a2', 'b1', 'c1', 'c2', 'c3']);
    expect(statSync(path).size).toBe(sizes[3]);
    await j.close();
  });

  it('reports damage followed by valid frames as JOURNAL_CORRUPT instead of dropping acknowledged data', async () => {
    const path = fresh();
    const sizes = await threeGroups(path);
    const bytes = readFileSync(path);
    bytes[sizes[1]! + 9]! ^= 0x01; // inside group b, which group c follows
    writeFileSync(path, bytes);
    expect(await codeOf(new FileJournal(path).open())).toBe('JOURNAL_CORRUPT');
    expect(statSync(path).size).toBe(sizes[3]); // nothing was cut
  });

  it('refuses a file that is not a journal (JOURNAL_CORRUPT) and redoes an interrupted creation', async () => {
    const notJournal = fresh();
    writeFileSync(notJournal, 'hello world, not a journal');
    expect(await codeOf(new FileJournal(notJournal).open())).toBe('JOURNAL_CORRUPT');
    const halfCreated = fresh();
    writeFileSync(halfCreated, 'MDAJ');
    const j = new FileJournal(halfCreated);
    expect(await j.open()).toEqual([]);
    await j.append([entry('x')]);
    await j.close();
    expect(readFileSync(halfCreated).subarray(0, 8).toString()).toBe('MDAJRNL1');
  });

  it('refuses appends beyond maxBytes with JOURNAL_FULL and stays usable', async () => {
    const path = fresh();
    const j = new FileJournal(path, { maxBytes: 64 });
    await j.open();
    await j.append([entry('small')]);
    expect(await codeOf(j.append([new Uint8Array(100)]))).toBe('JOURNAL_FULL');
    await j.append([entry('fits')]);
    await j.close();
    const k = new FileJournal(path);
    expect(texts(await k.open())).toEqual(['small', 'fits']);
    await k.close();
  });

  it('rejects empty entries and appends before open with typed errors', async () => {
    const j = new FileJournal(fresh());
    expect(await codeOf(j.append([entry('x')]))).toBe('JOURNAL_NOT_OPEN');
    await j.open();
    expect(await codeOf(j.append([new Uint8Array(0)]))).toBe('INVALID_TYPE');
    expect(await codeOf(j.open())).toBe('JOURNAL_OPEN');
    await j.close();
  });

  it('group-commits 10 000 concurrent adds of a batcher into a handful of fdatasyncs', async () => {
    const journal = new FileJournal(fresh());
    const batcher = await openBatcher({
      origin: 'group.test/log',
      journal,
      policy: { maxRecords: 100_000 },
    });
    const before = journal.syncs;
    const accepted = await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => batcher.add(utf8(`record ${i}`))),
    );
    const syncs = journal.syncs - before;
    console.log(`10 000 concurrent adds: ${syncs} fdatasync calls`);
    expect(syncs).toBeLessThanOrEqual(5);
    expect(new Set(accepted.map((a) => a.leafIndex)).size).toBe(10_000);
    expect(Math.max(...accepted.map((a) => a.leafIndex))).toBe(9_999);
    await batcher.close();
  });

  it('a full journal rejects the add (JOURNAL_FULL) and keeps every acknowledged record', async () => {
    const path = fresh();
    const batcher = await openBatcher({
      origin: 'full.test/log',
      journal: new FileJournal(path, { maxBytes: 400 }),
    });
    const ok: number[] = [];
    let full = 0;
    for (let i = 0; i < 10; i++) {
      try {
        ok.push((await batcher.add(utf8(`r${i}`))).leafIndex);
      } catch (e) {
        expect(isMedanchorError(e, 'JOURNAL_FULL')).toBe(true);
        full++;
      }
    }
    expect(full).toBeGreaterThan(0);
    await batcher.close();
    const again = await openBatcher({ origin: 'full.test/log', journal: new FileJournal(path) });
    expect(again.pendingCount).toBe(ok.length);
    await again.close();
  });

  it('keeps working when the file was truncated exactly at a frame boundary', async () => {
    const path = fresh();
    const sizes = await threeGroups(path);
    truncateSync(path, sizes[2]);
    const j = new FileJournal(path);
    expect(texts(await j.open())).toEqual(['a1', 'a2', 'b1']);
    expect(j.recovery?.truncatedBytes).toBe(0);
    await j.close();
  });
});

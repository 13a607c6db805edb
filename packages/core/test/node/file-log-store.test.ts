import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LogStore, leafHash, MerkleLog, toHex, verifyInclusion } from '../../src/index.js';
import { FileLogStore } from '../../src/node.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'medanchor-log-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const leaves = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) =>
    leafHash(new TextEncoder().encode(`record ${from + i}`)),
  );

/** Wraps a store and counts the nodes read. */
function counting(store: LogStore): LogStore & { reads: number } {
  const c = {
    reads: 0,
    get size() {
      return store.size;
    },
    nodes(level: number, start: number, count: number) {
      c.reads += count;
      return store.nodes(level, start, count);
    },
    append: (n: number, l: Uint8Array[]) => store.append(n, l),
    truncate: (n: number) => store.truncate(n),
  };
  return c;
}

describe('FileLogStore', () => {
  it('persists across reopen with the same roots and proofs as the memory store', () => {
    const dir = tempDir();
    const mem = new MerkleLog();
    const file = new MerkleLog(FileLogStore.open(dir));
    for (const [a, b] of [
      [0, 1],
      [1, 7],
      [7, 300],
      [300, 1025],
    ] as const) {
      mem.append(leaves(a, b));
      file.append(leaves(a, b));
    }
    (file.store as FileLogStore).close();
    const reopened = new MerkleLog(FileLogStore.open(dir));
    expect(reopened.size).toBe(1025);
    for (const size of [1, 2, 3, 300, 512, 1024, 1025]) {
      expect(toHex(reopened.root(size))).toBe(toHex(mem.root(size)));
    }
    expect(reopened.inclusionProof(777).map(toHex)).toEqual(mem.inclusionProof(777).map(toHex));
    expect(reopened.consistencyProof(300).map(toHex)).toEqual(mem.consistencyProof(300).map(toHex));
    (reopened.store as FileLogStore).close();
  });

  it('reopening reads stored subtrees and does not rehash the log', () => {
    const dir = tempDir();
    const log = new MerkleLog(FileLogStore.open(dir));
    log.append(leaves(0, 64));
    const root = toHex(log.root());
    (log.store as FileLogStore).close();
    // Corrupt one stored level-6 node (the root of the 64 leaves): a store that rehashed
    // on open would not notice; ours must serve the stored bytes as they are.
    const top = join(dir, 'level-06.hashes');
    const bytes = readFileSync(top);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(top, bytes);
    const reopened = new MerkleLog(FileLogStore.open(dir));
    expect(toHex(reopened.root())).not.toBe(root);
    (reopened.store as FileLogStore).close();
  });

  it('repairs a torn tail: partial hashes cut, missing upper nodes recomputed', () => {
    const dir = tempDir();
    const mem = new MerkleLog();
    mem.append(leaves(0, 100));
    const log = new MerkleLog(FileLogStore.open(dir));
    log.append(leaves(0, 100));
    (log.store as FileLogStore).close();
    // A crash mid-append: 5 bytes of a 101st leaf, and level 2 lost its last node and a half.
    const fd0 = openSync(join(dir, 'level-00.hashes'), 'r+');
    ftruncateSync(fd0, 100 * 32 + 5);
    closeSync(fd0);
    const fd2 = openSync(join(dir, 'level-02.hashes'), 'r+');
    ftruncateSync(fd2, 23 * 32 + 16);
    closeSync(fd2);
    const reopened = new MerkleLog(FileLogStore.open(dir));
    expect(reopened.size).toBe(100);
    expect(statSync(join(dir, 'level-00.hashes')).size).toBe(3200);
    expect(statSync(join(dir, 'level-02.hashes')).size).toBe(25 * 32);
    expect(toHex(reopened.root())).toBe(toHex(mem.root()));
    (reopened.store as FileLogStore).close();
  });

  it('truncate survives reopen, and upper levels longer than the leaves are cut', () => {
    const dir = tempDir();
    const log = new MerkleLog(FileLogStore.open(dir));
    log.append(leaves(0, 40));
    log.truncate(33);
    (log.store as FileLogStore).close();
    const mem = new MerkleLog();
    mem.append(leaves(0, 33));
    const reopened = new MerkleLog(FileLogStore.open(dir));
    expect(reopened.size).toBe(33);
    expect(toHex(reopened.root())).toBe(toHex(mem.root()));
    (reopened.store as FileLogStore).close();
  });

  it('a proof on a 100k-leaf file log reads O(log n) nodes', () => {
    const dir = tempDir();
    const n = 100_000;
    const file = FileLogStore.open(dir);
    const batch = new MerkleLog(file);
    for (let i = 0; i < n; i += 25_000) batch.append(leaves(i, i + 25_000));
    const store = counting(file);
    const log = new MerkleLog(store);
    const root = log.root();
    const rootReads = store.reads;
    store.reads = 0;
    const proof = log.inclusionProof(54_321);
    expect(verifyInclusion(leaves(54_321, 54_322)[0]!, 54_321, n, proof, root)).toBe(true);
    // 17 levels: at most a few reads per level, never a rebuild of 100k leaves.
    expect(rootReads).toBeLessThanOrEqual(2 * 17);
    expect(store.reads).toBeLessThanOrEqual(4 * 17);
    file.close();
  });

  it('refuses use after close with a typed error', () => {
    const store = FileLogStore.open(tempDir());
    store.close();
    expect(() => store.nodes(0, 0, 0)).toThrowError(/closed/);
  });
});

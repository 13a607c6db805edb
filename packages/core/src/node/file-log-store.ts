import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { MedanchorError } from '../errors.js';
import { HASH_SIZE, parentHashes } from '../merkle/hash.js';
import { checkNodeRange, completeNodes, type LogStore } from '../merkle/store.js';

const levelFile = (dir: string, level: number) =>
  join(dir, `level-${String(level).padStart(2, '0')}.hashes`);

/**
 * A {@link LogStore} in a folder: one append-only file per tree level, `level-00.hashes`
 * holding the leaf hashes and `level-NN.hashes` the complete subtrees of level NN, 32
 * bytes each, in order. A proof reads one node per level with a positioned read; opening
 * the log reads file sizes only and never rehashes it.
 *
 * The leaf file is the authority on the size. Every append writes all levels and
 * flushes them (`fdatasync`) before it returns. On open, a torn tail (a crash in the
 * middle of an append) is repaired: partial hashes are cut, upper levels longer than the
 * leaves justify are cut, and missing upper nodes are recomputed from the level below.
 *
 * @example
 * ```ts
 * const log = new MerkleLog(FileLogStore.open('/var/lib/medanchor/log'));
 * ```
 */
export class FileLogStore implements LogStore {
  private readonly fds: number[] = [];
  private n: number;
  private closed = false;

  private constructor(
    /** The folder holding the level files. */
    readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.n = 0;
  }

  /** Opens (creating if needed) the log store in `dir`, repairing a torn tail. */
  static open(dir: string): FileLogStore {
    const store = new FileLogStore(dir);
    try {
      store.recover();
    } catch (e) {
      store.close();
      throw e;
    }
    return store;
  }

  get size(): number {
    return this.n;
  }

  nodes(level: number, start: number, count: number): Uint8Array {
    this.checkOpen();
    checkNodeRange(this.n, level, start, count);
    const out = new Uint8Array(count * HASH_SIZE);
    if (count === 0) return out;
    const fd = this.fd(level);
    let done = 0;
    while (done < out.length) {
      const got = readSync(fd, out, done, out.length - done, start * HASH_SIZE + done);
      if (got === 0) {
        throw new MedanchorError(
          'STORE_CORRUPT',
          `log file of level ${level} in ${this.dir} is shorter than expected`,
        );
      }
      done += got;
    }
    return out;
  }

  append(newSize: number, levels: Uint8Array[]): void {
    this.checkOpen();
    levels.forEach((data, l) => {
      if (data.length > 0) writeAll(this.fd(l), data, completeNodes(this.n, l) * HASH_SIZE);
    });
    levels.forEach((data, l) => {
      if (data.length > 0) fdatasyncSync(this.fd(l));
    });
    this.n = newSize;
  }

  truncate(size: number): void {
    this.checkOpen();
    if (size > this.n) {
      throw new MedanchorError(
        'STORE_RANGE',
        `cannot truncate a log of ${this.n} leaves to ${size}`,
      );
    }
    // Upper levels first: a crash in between leaves extra upper nodes, which open() cuts.
    for (let l = this.levelCount() - 1; l >= 0; l--) {
      const fd = this.fd(l);
      ftruncateSync(fd, completeNodes(size, l) * HASH_SIZE);
      fdatasyncSync(fd);
    }
    this.n = size;
  }

  /** Closes the files. The store cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of this.fds) if (fd !== undefined) closeSync(fd);
  }

  private recover(): void {
    const leafBytes = fstatSync(this.fd(0)).size;
    this.n = Math.floor(leafBytes / HASH_SIZE);
    if (leafBytes % HASH_SIZE !== 0) ftruncateSync(this.fd(0), this.n * HASH_SIZE);
    for (let l = 1; existsSync(levelFile(this.dir, l)) || completeNodes(this.n, l) > 0; l++) {
      const fd = this.fd(l);
      const want = completeNodes(this.n, l);
      const have = Math.floor(fstatSync(fd).size / HASH_SIZE);
      if (have * HASH_SIZE !== fstatSync(fd).size || have > want) {
        ftruncateSync(fd, Math.min(have, want) * HASH_SIZE);
      }
      if (have < want) {
        // Finish what a crash interrupted: parents of nodes the level below already has.
        const children = this.nodes(l - 1, 2 * have, 2 * (want - have));
        writeAll(fd, parentHashes(children, want - have), have * HASH_SIZE);
        fdatasyncSync(fd);
      }
    }
  }

  private levelCount(): number {
    let l = 0;
    while (existsSync(levelFile(this.dir, l))) l++;
    return l;
  }

  private fd(level: number): number {
    let fd = this.fds[level];
    if (fd === undefined) {
      const path = levelFile(this.dir, level);
      fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
      this.fds[level] = fd;
    }
    return fd;
  }

  private checkOpen(): void {
    if (this.closed)
      throw new MedanchorError('STORE_CLOSED', `the log store in ${this.dir} is closed`);
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

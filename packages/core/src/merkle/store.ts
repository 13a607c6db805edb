import { MedanchorError } from '../errors.js';
import { HASH_SIZE } from './hash.js';
import { pow2 } from './math.js';
import { PackedHashes } from './packed.js';

/**
 * Where a {@link MerkleLog} keeps its hashes. A store holds the leaf hashes (level 0)
 * and the hash of every complete subtree: at level `l`, node `i` is the root of leaves
 * `[i * 2^l, (i + 1) * 2^l)`. Complete subtrees never change as the log grows, so any
 * root or proof is a handful of reads, never a rebuild.
 *
 * The log computes the hashes; the store only keeps them. Writes go through
 * {@link LogStore.append}, which must make the new size durable before it returns
 * (for stores that persist).
 */
export interface LogStore {
  /** Number of leaves. */
  readonly size: number;
  /**
   * `count` complete-subtree hashes of `level` from `start`, packed (`count * 32` bytes).
   * The result may be a view into the store's memory: copy it to keep it.
   */
  nodes(level: number, start: number, count: number): Uint8Array;
  /**
   * Appends hashes and sets the size: `levels[l]` holds the new complete nodes of
   * level `l`, packed, continuing where that level ended.
   */
  append(newSize: number, levels: Uint8Array[]): void;
  /** Shrinks the log to `size` leaves (recovery after a crash during a batch). */
  truncate(size: number): void;
}

/** Number of complete nodes at `level` in a log of `size` leaves. */
export function completeNodes(size: number, level: number): number {
  return Math.floor(size / pow2(level));
}

/** Throws `STORE_RANGE` unless `[start, start + count)` is complete at `level`. */
export function checkNodeRange(size: number, level: number, start: number, count: number): void {
  if (start < 0 || count < 0 || start + count > completeNodes(size, level)) {
    throw new MedanchorError(
      'STORE_RANGE',
      `nodes [${start}, ${start + count}) at level ${level} are not complete in a log of ${size} leaves`,
    );
  }
}

/** A {@link LogStore} in memory: one packed buffer per level. Works everywhere. */
export class MemoryLogStore implements LogStore {
  private readonly levels: PackedHashes[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  nodes(level: number, start: number, count: number): Uint8Array {
    checkNodeRange(this.n, level, start, count);
    if (count === 0) return new Uint8Array(0);
    return this.levels[level]!.view(start, count);
  }

  append(newSize: number, levels: Uint8Array[]): void {
    levels.forEach((data, l) => {
      if (data.length === 0) return;
      let level = this.levels[l];
      if (level === undefined) {
        level = new PackedHashes(data.length / HASH_SIZE);
        this.levels[l] = level;
      }
      level.push(data);
    });
    this.n = newSize;
  }

  truncate(size: number): void {
    if (size > this.n) {
      throw new MedanchorError(
        'STORE_RANGE',
        `cannot truncate a log of ${this.n} leaves to ${size}`,
      );
    }
    this.levels.forEach((level, l) => {
      level.truncate(completeNodes(size, l));
    });
    this.n = size;
  }
}

import { HASH_SIZE } from './hash.js';

/**
 * A growable array of 32-byte hashes stored back to back in one buffer, so a level of
 * a million nodes is one allocation, not a million.
 */
export class PackedHashes {
  private buf: Uint8Array;
  private n = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(Math.max(1, initialCapacity) * HASH_SIZE);
  }

  /** Number of hashes held. */
  get length(): number {
    return this.n;
  }

  /** Appends `count` packed hashes from `data`. */
  push(data: Uint8Array, count = data.length / HASH_SIZE): void {
    const need = (this.n + count) * HASH_SIZE;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.n * HASH_SIZE));
      this.buf = next;
    }
    this.buf.set(data.subarray(0, count * HASH_SIZE), this.n * HASH_SIZE);
    this.n += count;
  }

  /** A view of hashes [start, start + count): valid until the next push. */
  view(start: number, count: number): Uint8Array {
    return this.buf.subarray(start * HASH_SIZE, (start + count) * HASH_SIZE);
  }

  /** Drops every hash from index `length` on. */
  truncate(length: number): void {
    if (length < this.n) this.n = length;
  }
}

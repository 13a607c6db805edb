// A table of content-addressed entries for the stores that keep them in memory (the memory
// store, and the file store's loaded entries).
// Entries by hash, packed into large chunks (a typed array per entry would cost the garbage
// collector more than the map's hashing), found through an open-addressing table indexed by
// the hash's first bytes (hashes are uniform, so they need no further mixing). Each slot
// also keeps the hash's next four bytes: a probe past another entry's slot then rarely
// reads that entry's hash, a cache miss in a table of a million entries.
const CHUNK = 4096;

// Four bytes of a hash from `at` as an int32.
const word = (h: Uint8Array, at: number): number =>
  (h[at]! << 24) | (h[at + 1]! << 16) | (h[at + 2]! << 8) | h[at + 3]!;

/** Head-map entries (48 or 65 bytes) by their 32-byte hash. */
export class HashKeyedMap {
  // Pairs: entry number + 1 (0: free), then the hash's bytes 4..8 as an int32.
  private slots = new Int32Array(2 << 12);
  private readonly hashes: Uint8Array[] = [];
  private readonly bytes: Uint8Array[] = [];
  private readonly lengths: Uint8Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  private sameHash(id: number, h: Uint8Array, hAt: number): boolean {
    const c = this.hashes[id >>> 12]!;
    const at = 32 * (id & (CHUNK - 1));
    for (let i = 0; i < 32; i++) if (c[at + i] !== h[hAt + i]) return false;
    return true;
  }

  // The slot holding the hash at `h[hAt ..]`, or the free slot where it would go.
  private slotOf(h: Uint8Array, hAt: number): number {
    const mask = (this.slots.length >> 1) - 1;
    const tag = word(h, hAt + 4);
    let i = word(h, hAt) & mask;
    for (;;) {
      const s = this.slots[2 * i]!;
      if (s === 0 || (this.slots[2 * i + 1] === tag && this.sameHash(s - 1, h, hAt))) return 2 * i;
      i = (i + 1) & mask;
    }
  }

  has(h: Uint8Array, hAt: number): boolean {
    return this.slots[this.slotOf(h, hAt)] !== 0;
  }

  get(h: Uint8Array): Uint8Array | undefined {
    const s = this.slots[this.slotOf(h, 0)]!;
    if (s === 0) return undefined;
    const id = s - 1;
    const slot = id & (CHUNK - 1);
    return this.bytes[id >>> 12]!.subarray(65 * slot, 65 * slot + this.lengths[id >>> 12]![slot]!);
  }

  /** Adds the `len` bytes at `e[at ..]` under the hash at `h[hAt ..]` (no views to make). */
  setAt(h: Uint8Array, hAt: number, e: Uint8Array, at: number, len: number): void {
    let slotAt = this.slotOf(h, hAt);
    if (this.slots[slotAt] !== 0) return;
    if (4 * (this.count + 1) > this.slots.length) {
      this.grow();
      slotAt = this.slotOf(h, hAt);
    }
    const n = this.count++;
    const slot = n & (CHUNK - 1);
    if (slot === 0) {
      this.hashes.push(new Uint8Array(32 * CHUNK));
      this.bytes.push(new Uint8Array(65 * CHUNK));
      this.lengths.push(new Uint8Array(CHUNK));
    }
    const hs = this.hashes[n >>> 12]!;
    const bs = this.bytes[n >>> 12]!;
    for (let i = 0; i < 32; i++) hs[32 * slot + i] = h[hAt + i]!;
    for (let i = 0; i < len; i++) bs[65 * slot + i] = e[at + i]!;
    this.lengths[n >>> 12]![slot] = len;
    this.slots[slotAt] = n + 1;
    this.slots[slotAt + 1] = word(h, hAt + 4);
  }

  /** Makes room for `n` more entries at once (one rehash, not one per doubling). */
  reserve(n: number): void {
    if (4 * (this.count + n) > this.slots.length) this.grow(this.count + n);
  }

  // Twice the slots (or more, for `need` entries at half load), every entry placed again.
  private grow(need = this.count + 1): void {
    let size = 2 * this.slots.length;
    while (4 * need > size) size *= 2;
    this.slots = new Int32Array(size);
    for (let id = 0; id < this.count; id++) {
      const c = this.hashes[id >>> 12]!;
      const at = 32 * (id & (CHUNK - 1));
      const s = this.slotOf(c, at);
      this.slots[s] = id + 1;
      this.slots[s + 1] = word(c, at + 4);
    }
  }
}

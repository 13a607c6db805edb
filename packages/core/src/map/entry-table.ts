// A table of content-addressed entries for the stores that keep them in memory (the memory
// store, and the file store's loaded entries).
// Entries by hash, packed into large chunks (a typed array per entry would cost the garbage
// collector more than the map's hashing), found through an open-addressing table indexed by
// the hash's first bytes (hashes are uniform, so they need no further mixing).
const CHUNK = 4096;

/** Head-map entries (48 or 65 bytes) by their 32-byte hash. */
export class HashKeyedMap {
  private slots = new Int32Array(1 << 12); // entry number + 1; 0 is free
  private readonly hashes: Uint8Array[] = [];
  private readonly bytes: Uint8Array[] = [];
  private readonly lengths: Uint8Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  private sameHash(id: number, h: Uint8Array): boolean {
    const c = this.hashes[id >>> 12]!;
    const at = 32 * (id & (CHUNK - 1));
    for (let i = 0; i < 32; i++) if (c[at + i] !== h[i]) return false;
    return true;
  }

  // The slot holding `h`, or the free slot where it would go.
  private slotOf(h: Uint8Array): number {
    const mask = this.slots.length - 1;
    let i = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) & mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === 0 || this.sameHash(s - 1, h)) return i;
      i = (i + 1) & mask;
    }
  }

  get(h: Uint8Array): Uint8Array | undefined {
    const s = this.slots[this.slotOf(h)]!;
    if (s === 0) return undefined;
    const id = s - 1;
    const slot = id & (CHUNK - 1);
    return this.bytes[id >>> 12]!.subarray(65 * slot, 65 * slot + this.lengths[id >>> 12]![slot]!);
  }

  set(h: Uint8Array, e: Uint8Array): void {
    let at = this.slotOf(h);
    if (this.slots[at] !== 0) return;
    if (2 * (this.count + 1) > this.slots.length) {
      this.grow();
      at = this.slotOf(h);
    }
    const n = this.count++;
    const slot = n & (CHUNK - 1);
    if (slot === 0) {
      this.hashes.push(new Uint8Array(32 * CHUNK));
      this.bytes.push(new Uint8Array(65 * CHUNK));
      this.lengths.push(new Uint8Array(CHUNK));
    }
    this.hashes[n >>> 12]!.set(h.subarray(0, 32), 32 * slot);
    this.bytes[n >>> 12]!.set(e, 65 * slot);
    this.lengths[n >>> 12]![slot] = e.length;
    this.slots[at] = n + 1;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let id = 0; id < this.count; id++) {
      const c = this.hashes[id >>> 12]!;
      const at = 32 * (id & (CHUNK - 1));
      this.slots[this.slotOf(c.subarray(at, at + 32))] = id + 1;
    }
  }
}

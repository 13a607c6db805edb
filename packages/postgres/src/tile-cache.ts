/**
 * Full tiles never change, so a process may keep them: a small least-recently-used map
 * of full tiles (8 KiB each) saves a database round trip per proof step when many
 * receipts are built. Partial tiles are never cached (they grow).
 */
export class FullTileCache {
  private readonly map = new Map<string, Uint8Array>();

  constructor(private readonly capacity: number) {}

  get(level: number, index: number): Uint8Array | undefined {
    const key = `${level}/${index}`;
    const v = this.map.get(key);
    if (v !== undefined) {
      // Re-insert: Map iteration order is insertion order, so the oldest is first.
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(level: number, index: number, hashes: Uint8Array): void {
    if (this.capacity <= 0) return;
    const key = `${level}/${index}`;
    this.map.delete(key);
    this.map.set(key, hashes);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }
}

import { MedanchorError } from '../errors.js';
import { buildReceipt, type Receipt } from '../receipt/receipt.js';
import { recordForgotten } from './forget.js';
import { TileCache, TileTree } from './tree.js';
import type { LeafRecord, LedgerStore, StoredCheckpoint } from './types.js';

/**
 * Builds receipts on demand from a store (leaf, tiles, checkpoint): the same v1
 * receipt a seal's `buildReceipts` makes, without anchors (the caller adds them).
 * Reuses one tile reader per checkpoint, and one tile cache for all of them, so the
 * receipts of one seal, and of every seal, share tile reads and hashing.
 */
export class StoreReceiptBuilder {
  private readonly store: LedgerStore;
  private readonly trees = new Map<number, TileTree>();
  // Tiles do not change as the log grows: the trees of every checkpoint share them.
  private readonly tiles = new TileCache();
  // Checkpoints found by leaf: the one covering leaf `lo` covers every leaf in
  // [lo, size) too (it is the first with a larger size), so later builds skip the lookup.
  private covers: { lo: number; cp: StoredCheckpoint }[] = [];

  /** @param store the store to read. */
  constructor(store: LedgerStore) {
    this.store = store;
  }

  /**
   * The receipt of leaf `leafIndex` at the checkpoint that sealed it (or at
   * `checkpoint` when given: any stored checkpoint whose size passes the leaf).
   * @throws {@link MedanchorError} `STORE_NOT_SEALED` when no checkpoint covers the
   * leaf yet, `STORE_RANGE` when there is no such leaf.
   */
  async build(leafIndex: number, checkpoint?: StoredCheckpoint): Promise<Receipt> {
    const [leaf] = await this.store.readLeaves(leafIndex, 1);
    const cp = checkpoint ?? (await this.covering(leafIndex));
    if (leaf === undefined || cp === undefined || cp.size <= leafIndex) {
      throw new MedanchorError(
        'STORE_NOT_SEALED',
        `leaf ${leafIndex} is not sealed in a checkpoint yet: seal, then ask again`,
        { details: { leafIndex } },
      );
    }
    return this.assemble(leaf, cp);
  }

  /**
   * The receipts of leaves `[start, start + count)`, each at the checkpoint that
   * sealed it: one read of the leaves, one checkpoint lookup per seal crossed.
   * @throws {@link MedanchorError} `STORE_NOT_SEALED` when a leaf is not sealed yet,
   * `STORE_RANGE` when the range passes the log.
   */
  async buildRange(start: number, count: number): Promise<Receipt[]> {
    const leaves = await this.store.readLeaves(start, count);
    const out: Receipt[] = [];
    for (const leaf of leaves) {
      const cp = await this.covering(leaf.index);
      if (cp === undefined) {
        throw new MedanchorError(
          'STORE_NOT_SEALED',
          `leaf ${leaf.index} is not sealed in a checkpoint yet: seal, then ask again`,
          { details: { leafIndex: leaf.index } },
        );
      }
      out.push(await this.assemble(leaf, cp));
    }
    return out;
  }

  private async covering(leafIndex: number): Promise<StoredCheckpoint | undefined> {
    for (const c of this.covers) {
      if (c.lo <= leafIndex && leafIndex < c.cp.size) return c.cp;
    }
    const cp = await this.store.checkpointCovering(leafIndex);
    if (cp !== undefined) {
      if (this.covers.length >= 8) this.covers.shift();
      this.covers.push({ lo: leafIndex, cp });
    }
    return cp;
  }

  private async assemble(leaf: LeafRecord, cp: StoredCheckpoint): Promise<Receipt> {
    const leafIndex = leaf.index;
    if (leaf.forgottenAt !== undefined) throw recordForgotten(leaf);
    let tree = this.trees.get(cp.size);
    if (tree === undefined) {
      if (this.trees.size > 8) this.trees.clear(); // bound memory across checkpoints
      tree = new TileTree((l, i, w) => this.store.readTile(l, i, w), cp.size, {
        cache: this.tiles,
      });
      this.trees.set(cp.size, tree);
    }
    return buildReceipt({
      commitment: leaf,
      leafIndex,
      checkpoint: { origin: cp.origin, size: cp.size, root: cp.root },
      inclusionProof: await tree.inclusionProof(leafIndex),
      // A signed checkpoint travels in the receipt (docs/spec/signed-note.md §6).
      ...(cp.note === undefined ? {} : { note: cp.note }),
    });
  }
}

/**
 * The receipt of one leaf, built from the store: see {@link StoreReceiptBuilder}.
 * @throws {@link MedanchorError} `STORE_NOT_SEALED`, `STORE_RANGE`.
 */
export function buildReceiptFromStore(
  store: LedgerStore,
  leafIndex: number,
  checkpoint?: StoredCheckpoint,
): Promise<Receipt> {
  return new StoreReceiptBuilder(store).build(leafIndex, checkpoint);
}

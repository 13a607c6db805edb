import { MedanchorError } from '../errors.js';
import { buildReceipt, type Receipt } from '../receipt/receipt.js';
import { TileTree } from './tree.js';
import type { LedgerStore, StoredCheckpoint } from './types.js';

/**
 * Builds receipts on demand from a store (leaf, tiles, checkpoint): the same v1
 * receipt a seal's `buildReceipts` makes, without anchors (the caller adds them).
 * Reuses one tile reader per checkpoint, so the receipts of one seal share reads.
 */
export class StoreReceiptBuilder {
  private readonly store: LedgerStore;
  private readonly trees = new Map<number, TileTree>();

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
    const cp = checkpoint ?? (await this.store.checkpointCovering(leafIndex));
    if (leaf === undefined || cp === undefined || cp.size <= leafIndex) {
      throw new MedanchorError(
        'STORE_NOT_SEALED',
        `leaf ${leafIndex} is not sealed in a checkpoint yet: seal, then ask again`,
        { details: { leafIndex } },
      );
    }
    let tree = this.trees.get(cp.size);
    if (tree === undefined) {
      if (this.trees.size > 8) this.trees.clear(); // bound memory across checkpoints
      tree = new TileTree((l, i, w) => this.store.readTile(l, i, w), cp.size);
      this.trees.set(cp.size, tree);
    }
    return buildReceipt({
      commitment: leaf,
      leafIndex,
      checkpoint: { origin: cp.origin, size: cp.size, root: cp.root },
      inclusionProof: await tree.inclusionProof(leafIndex),
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

import { equalBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import {
  buildReceiptAt,
  type Receipt,
  type ReceiptCheckpoint,
  toReceiptCheckpoint,
} from '../receipt/receipt.js';
import { recordForgotten } from './forget.js';
import { TileCache, TileTree } from './tree.js';
import type { LeafRecord, LedgerStore, StoredCheckpoint } from './types.js';

// Checkpoint ranges a builder remembers, and tile trees (one per checkpoint size) it keeps.
const MAX_COVERS = 4096;
const MAX_TREES = 64;

/**
 * Builds receipts on demand from a store (leaf, tiles, checkpoint): the same v1
 * receipt a seal's `buildReceipts` makes, without anchors (the caller adds them).
 * Reuses one tile reader per checkpoint, and one tile cache for all of them, so the
 * receipts of one seal, and of every seal, share tile reads and hashing.
 */
export class StoreReceiptBuilder {
  private readonly store: LedgerStore;
  // Per checkpoint size: its tile tree, and the checkpoint as receipts carry it (its
  // digest, a tagged hash, computed once instead of once per receipt).
  private readonly trees = new Map<
    number,
    { tree: TileTree; cp: StoredCheckpoint; at: ReceiptCheckpoint }
  >();
  // Tiles do not change as the log grows: the trees of every checkpoint share them.
  private readonly tiles = new TileCache();
  // Checkpoints found by leaf, by size: the one covering leaf `lo` covers every leaf in
  // [lo, size) too (it is the first with a larger size, and checkpoints never change), so
  // later builds in that range skip the lookup. Sorted by size; `lo` only goes down.
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
    const cp = checkpoint ?? (await this.checkpointFor(leafIndex));
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
      const cp = await this.checkpointFor(leaf.index);
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

  /**
   * The checkpoint that sealed leaf `leafIndex` (the first stored one whose size passes
   * it), or `undefined` when none does yet. Remembered: a leaf in a range already looked
   * up is answered without reading the store.
   */
  async checkpointFor(leafIndex: number): Promise<StoredCheckpoint | undefined> {
    const covers = this.covers;
    // First entry whose checkpoint size passes the leaf.
    let lo = 0;
    let hi = covers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (covers[mid]!.cp.size <= leafIndex) lo = mid + 1;
      else hi = mid;
    }
    const near = covers[lo];
    if (near !== undefined && near.lo <= leafIndex) return near.cp;
    const cp = await this.store.checkpointCovering(leafIndex);
    if (cp === undefined) return undefined;
    const at = covers.findIndex((c) => c.cp.size >= cp.size);
    if (at >= 0 && covers[at]!.cp.size === cp.size) {
      covers[at]!.lo = Math.min(covers[at]!.lo, leafIndex);
    } else {
      // Bounded: past MAX_COVERS the ranges are forgotten (looked up again when asked).
      if (covers.length >= MAX_COVERS) this.covers = [];
      this.covers.splice(at < 0 ? this.covers.length : at, 0, { lo: leafIndex, cp });
    }
    return cp;
  }

  private async assemble(leaf: LeafRecord, cp: StoredCheckpoint): Promise<Receipt> {
    const leafIndex = leaf.index;
    if (leaf.forgottenAt !== undefined) throw recordForgotten(leaf);
    let known = this.trees.get(cp.size);
    if (known === undefined) {
      // Bound memory across checkpoints: drop the oldest tree (its tiles stay cached).
      if (this.trees.size >= MAX_TREES) this.trees.delete(this.trees.keys().next().value!);
      const tree = new TileTree((l, i, w) => this.store.readTile(l, i, w), cp.size, {
        cache: this.tiles,
      });
      known = { tree, cp, at: toReceiptCheckpoint(cp, cp.note) };
      this.trees.set(cp.size, known);
    }
    // The same checkpoint, or another object with the same content: reuse its digest.
    const at = sameCheckpoint(known.cp, cp) ? known.at : toReceiptCheckpoint(cp, cp.note);
    return buildReceiptAt(
      {
        commitment: leaf,
        leafIndex,
        checkpoint: { origin: cp.origin, size: cp.size, root: cp.root },
        inclusionProof: await known.tree.inclusionProof(leafIndex),
      },
      // A signed checkpoint travels in the receipt (docs/spec/signed-note.md §6).
      at,
    );
  }
}

function sameCheckpoint(a: StoredCheckpoint, b: StoredCheckpoint): boolean {
  if (a === b) return true;
  if (a.origin !== b.origin || a.size !== b.size || !equalBytes(a.root, b.root)) return false;
  if (a.note === undefined || b.note === undefined) return a.note === b.note;
  return equalBytes(a.note, b.note);
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

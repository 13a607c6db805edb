import type { Receipt } from '@medanchor/core';

/**
 * Where a ledger keeps the receipts it issued, so it can upgrade them in place as
 * anchors confirm. Receipts are keyed by their leaf index.
 */
export interface ReceiptStore {
  /** Inserts or replaces receipts (by `leafIndex`). */
  save(receipts: readonly Receipt[]): Promise<void>;
  /** The receipt of a leaf, if any. */
  get(leafIndex: number): Promise<Receipt | undefined>;
  /** Receipts whose anchored checkpoint has this digest (hex), in leaf order. */
  forCheckpoint(digest: string): Promise<Receipt[]>;
  /** Digests (hex) of every checkpoint that has receipts, oldest first. */
  checkpoints(): Promise<string[]>;
}

/** The digest a receipt's anchors commit to (the carried checkpoint's, if carried). */
export function anchoredDigestOf(receipt: Receipt): string {
  return (receipt.carry?.checkpoint ?? receipt.checkpoint).digest;
}

/** A receipt store in memory (browsers, tests, short-lived processes). */
export function memoryReceiptStore(): ReceiptStore {
  const byLeaf = new Map<number, Receipt>();
  const byDigest = new Map<string, Set<number>>();
  return {
    async save(receipts) {
      for (const r of receipts) {
        const old = byLeaf.get(r.leafIndex);
        if (old !== undefined) byDigest.get(anchoredDigestOf(old))?.delete(r.leafIndex);
        byLeaf.set(r.leafIndex, r);
        const d = anchoredDigestOf(r);
        let set = byDigest.get(d);
        if (set === undefined) {
          set = new Set();
          byDigest.set(d, set);
        }
        set.add(r.leafIndex);
      }
    },
    async get(leafIndex) {
      return byLeaf.get(leafIndex);
    },
    async forCheckpoint(digest) {
      const leaves = [...(byDigest.get(digest) ?? [])].sort((a, b) => a - b);
      return leaves.map((i) => byLeaf.get(i)!);
    },
    async checkpoints() {
      return [...byDigest.entries()].filter(([, s]) => s.size > 0).map(([d]) => d);
    },
  };
}

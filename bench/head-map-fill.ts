// Shared by the head-map benches: records added to a ledger store in batches, and the
// number formatting of their tables.

import { type LedgerStore, sha256, utf8 } from '@medanchor/core';

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Adds `n` records from number `from` (salt and digest derived from the number). */
export async function add(store: LedgerStore, from: number, n: number, id: (i: number) => string) {
  for (let at = 0; at < n; at += 5_000)
    await store.addPending(
      Array.from({ length: Math.min(5_000, n - at) }, (_, j) => {
        const i = from + at + j;
        return {
          salt: sha256(utf8(`salt ${i}`)),
          digest: sha256(utf8(`record ${i}`)),
          recordId: id(i),
        };
      }),
    );
}

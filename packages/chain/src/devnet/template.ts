import { hexTxid } from './chain.js';
import type { Mempool, MempoolEntry } from './mempool.js';

// Room for the header, the transaction count and a generous coinbase.
const MAX_TEMPLATE_WEIGHT = 4_000_000 - 4_000;

/**
 * Mempool entries for the next block in mempool order (parents first), up to the
 * block weight limit; a transaction whose parent did not fit waits too.
 */
export function blockTemplate(pool: Mempool): MempoolEntry[] {
  const chosen: MempoolEntry[] = [];
  const left = new Set<string>();
  let weight = 0;
  for (const e of pool.entries.values()) {
    const w = e.tx.weight();
    const parentLeft = e.tx.ins.some((i) => left.has(hexTxid(i.hash)));
    if (parentLeft || weight + w > MAX_TEMPLATE_WEIGHT) {
      left.add(e.txid);
      continue;
    }
    weight += w;
    chosen.push(e);
  }
  return chosen;
}

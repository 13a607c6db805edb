import { toHex } from '@medanchor/core';
import { isRpcError } from './jsonrpc-http.js';
import type { Utxo } from './types.js';

// UTXOs of a script from a Core node without a wallet: `scantxoutset` with a
// `raw(<script hex>)` descriptor for the confirmed set (works on Core >= 0.17 and
// Litecoin Core 0.21, wallets disabled or not), then an optional mempool pass for
// unconfirmed outputs and spends.

/** `getrawtransaction <txid> true`, the fields used here. */
export interface CoreVerboseTx {
  txid: string;
  blockhash?: string;
  confirmations?: number;
  vin: { txid?: string; vout?: number; coinbase?: string }[];
  vout: { value: number; n: number; scriptPubKey: { hex: string } }[];
}

/** Satoshis per coin. */
export const SAT_PER_COIN = 100_000_000;

/** Satoshis of an RPC amount (a JSON number with 8 decimals; exact below 21e6 coins). */
export const toSats = (amount: number): bigint => BigInt(Math.round(amount * SAT_PER_COIN));

type Call = <T>(method: string, params?: unknown[], opts?: { timeoutMs?: number }) => Promise<T>;

/** Reads UTXOs through `call`; scans are queued, since Core runs one at a time. */
export function coreUtxoReader(
  call: Call,
  verboseTx: (txid: string) => Promise<CoreVerboseTx>,
  options: { scanTimeoutMs: number; mempool: boolean },
): (script: Uint8Array) => Promise<Utxo[]> {
  const { scanTimeoutMs } = options;
  const mempoolUtxos = options.mempool;
  // Core runs one scantxoutset at a time per node; queue ours behind each other.
  let scanQueue: Promise<unknown> = Promise.resolve();
  async function scan(scriptHex: string) {
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await call<{
            unspents: { txid: string; vout: number; amount: number; height: number }[];
          }>('scantxoutset', ['start', [`raw(${scriptHex})`]], { timeoutMs: scanTimeoutMs });
        } catch (e) {
          // Another client's scan is running (-8 "Scan already in progress").
          const busy = isRpcError(e) && /in progress/i.test(e.details.rpcMessage);
          if (!busy || attempt >= 20) throw e;
          await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
        }
      }
    };
    const result = scanQueue.then(run, run);
    scanQueue = result.catch(() => undefined);
    return result;
  }

  return async function utxos(script: Uint8Array): Promise<Utxo[]> {
    const scriptHex = toHex(script);
    const found = await scan(scriptHex);
    const out = new Map<string, Utxo>();
    for (const u of found.unspents) {
      out.set(`${u.txid}:${u.vout}`, {
        txid: u.txid,
        vout: u.vout,
        value: toSats(u.amount),
        script: script.slice(),
        height: u.height,
      });
    }
    if (mempoolUtxos) {
      const pool = await call<string[]>('getrawmempool', [false]);
      const spent = new Set<string>();
      // A few requests in flight at a time: a busy mempool has thousands of entries.
      for (let i = 0; i < pool.length; i += 8) {
        const txs = await Promise.all(
          pool.slice(i, i + 8).map((id) => verboseTx(id).catch(() => undefined)),
        );
        for (const tx of txs) {
          if (tx === undefined) continue; // mined or evicted since getrawmempool
          for (const input of tx.vin) {
            if (input.txid !== undefined) spent.add(`${input.txid}:${input.vout}`);
          }
          for (const o of tx.vout) {
            if (o.scriptPubKey.hex !== scriptHex) continue;
            out.set(`${tx.txid}:${o.n}`, {
              txid: tx.txid,
              vout: o.n,
              value: toSats(o.value),
              script: script.slice(),
            });
          }
        }
      }
      for (const key of spent) out.delete(key);
    }
    return [...out.values()];
  };
}

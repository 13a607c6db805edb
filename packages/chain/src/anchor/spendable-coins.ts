import { toHex } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import type { AnchorCoin } from './build.js';
import type { AnchorRecord } from './state.js';

/** Coinbase outputs are spendable this many blocks after their own (consensus). */
const COINBASE_MATURITY = 100;

/** The coins an anchor may spend now, and the value still waiting for a block. */
export interface SpendableCoins {
  /** Confirmed, mature coins of the key that no unfinished anchor has claimed. */
  readonly coins: AnchorCoin[];
  /** Value of the key's unconfirmed outputs, satoshis. */
  readonly unconfirmed: bigint;
}

/**
 * The funding key's coins an anchor may spend at `tipHeight`: confirmed, mature (a
 * coinbase output needs 100 confirmations) and not claimed by a record that is not
 * final. `coinbase` remembers which transactions are coinbases (one fetch each).
 */
export async function spendableCoins(input: {
  backend: Backend;
  script: Uint8Array;
  records: Iterable<AnchorRecord>;
  tipHeight: number;
  coinbase: Map<string, boolean>;
}): Promise<SpendableCoins> {
  const { backend, script, tipHeight, coinbase } = input;
  const scriptHex = toHex(script);
  const reserved = new Set<string>();
  for (const r of input.records) {
    if (r.status !== 'final') for (const c of r.coins) reserved.add(`${c.txid}:${c.vout}`);
  }
  const isCoinbase = async (txid: string) => {
    let known = coinbase.get(txid);
    if (known === undefined) {
      known = looksLikeCoinbase(await backend.transaction(txid));
      coinbase.set(txid, known);
    }
    return known;
  };
  const coins: AnchorCoin[] = [];
  let unconfirmed = 0n;
  for (const u of await backend.utxos(script)) {
    if (reserved.has(`${u.txid}:${u.vout}`) || toHex(u.script) !== scriptHex) continue;
    if (u.height === undefined) {
      unconfirmed += u.value;
      continue;
    }
    const confirmations = tipHeight - u.height + 1;
    if (confirmations < 1) continue;
    if (confirmations < COINBASE_MATURITY && (await isCoinbase(u.txid))) continue;
    coins.push({ txid: u.txid, vout: u.vout, value: u.value, script: u.script });
  }
  return { coins, unconfirmed };
}

/** True when a raw transaction's only input spends the null outpoint (a coinbase). */
function looksLikeCoinbase(raw: Uint8Array): boolean {
  // version(4) [marker flag] vin-count; a coinbase has exactly one input with a zero txid and index 0xffffffff.
  let at = 4;
  if (raw[at] === 0x00 && raw[at + 1] === 0x01) at += 2;
  if (raw[at] !== 0x01) return false;
  at += 1;
  for (let i = 0; i < 32; i++) if (raw[at + i] !== 0) return false;
  return (
    raw[at + 32] === 0xff && raw[at + 33] === 0xff && raw[at + 34] === 0xff && raw[at + 35] === 0xff
  );
}

import { fromHex } from '@medanchor/core';
import { blockHash, headerMeetsTarget, serializeHeader } from '../../src/bitcoin/index.js';
import type { NetworkParams } from '../../src/network/index.js';

/** Mines a real header on an easy network (a few hashes per header) extending `prev`. */
export function mineHeader(
  prev: Uint8Array,
  fields: { time: number; bits: number; root?: number },
  params: NetworkParams,
): Uint8Array {
  const merkleRoot = new Uint8Array(32).fill(fields.root ?? 7);
  for (let nonce = 0; ; nonce++) {
    const h = serializeHeader({
      version: 0x20000000,
      prevHash: blockHash(prev),
      merkleRoot,
      time: fields.time,
      bits: fields.bits,
      nonce,
    });
    if (headerMeetsTarget(h, params)) return h;
  }
}

/** A header extending `prev` that FAILS its target (for negative tests). */
export function unminedHeader(
  prev: Uint8Array,
  fields: { time: number; bits: number },
  params: NetworkParams,
): Uint8Array {
  for (let nonce = 0; ; nonce++) {
    const h = serializeHeader({
      version: 0x20000000,
      prevHash: blockHash(prev),
      merkleRoot: new Uint8Array(32).fill(7),
      time: fields.time,
      bits: fields.bits,
      nonce,
    });
    if (!headerMeetsTarget(h, params)) return h;
  }
}

export function genesisOf(params: NetworkParams): Uint8Array {
  return fromHex(params.genesisHeader);
}

import { fromHex, sha256 } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import type { HeaderChain } from '../../src/bitcoin/index.js';
import {
  bitcoinMerkleBranch,
  bitcoinMerkleRoot,
  blockHash,
  headerMeetsTarget,
  serializeHeader,
  txidOf,
  validateHeaderChain,
} from '../../src/bitcoin/index.js';
import { regtest } from '../../src/network/index.js';
import { anchorOutputScript, createSpvProof, type SpvProof } from '../../src/spv/index.js';

/** A segwit-spending anchor transaction built with bitcoinjs-lib (witness included). */
export function anchorTx(digest: Uint8Array, extraOutputs: Uint8Array[] = []): Uint8Array {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(sha256(Uint8Array.of(1, 2, 3)), 0, 0xfffffffd);
  tx.addOutput(Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(5)), 12_345n);
  tx.addOutput(anchorOutputScript(digest), 0n);
  for (const s of extraOutputs) tx.addOutput(s, 0n);
  tx.setWitness(0, [new Uint8Array(71).fill(0x30), new Uint8Array(33).fill(2)]);
  return new Uint8Array(tx.toBuffer());
}

/** A filler transaction with a distinct txid. */
function filler(i: number): Uint8Array {
  const tx = new Transaction();
  tx.addInput(sha256(Uint8Array.of(9, i & 0xff, i >> 8)), i, 0xffffffff);
  tx.addOutput(Uint8Array.of(0x51), BigInt(i + 1));
  return new Uint8Array(tx.toBuffer());
}

function mine(prev: Uint8Array, merkleRoot: Uint8Array, time: number): Uint8Array {
  for (let nonce = 0; ; nonce++) {
    const h = serializeHeader({
      version: 0x20000000,
      prevHash: blockHash(prev),
      merkleRoot,
      time,
      bits: 0x207fffff,
      nonce,
    });
    if (headerMeetsTarget(h, regtest)) return h;
  }
}

export interface Scenario {
  proof: SpvProof;
  digest: Uint8Array;
  /** A validated regtest chain: genesis, the anchor block at height 1, then `after` more blocks. */
  chain: HeaderChain;
  rawTxWithWitness: Uint8Array;
}

/** A regtest block of `txCount` transactions with the anchor at `position`, mined for real. */
export function scenario(opts: {
  txCount: number;
  position: number;
  after?: number;
  digest?: Uint8Array;
}): Scenario {
  const digest = opts.digest ?? sha256(Uint8Array.of(42));
  const raw = anchorTx(digest);
  const txs = Array.from({ length: opts.txCount }, (_, i) =>
    i === opts.position ? raw : filler(i),
  );
  const txids = txs.map(txidOf);
  const genesis = fromHex(regtest.genesisHeader);
  const header = mine(genesis, bitcoinMerkleRoot(txids), 1_700_000_000);
  const headers = [header];
  for (let i = 0; i < (opts.after ?? 0); i++) {
    headers.push(mine(headers[headers.length - 1]!, new Uint8Array(32).fill(i), 1_700_000_001 + i));
  }
  const r = validateHeaderChain({
    params: regtest,
    checkpoint: { height: 0, header: genesis },
    headers,
  });
  if (!r.ok) throw new Error(`fixture chain invalid: ${r.reason}`);
  const proof = createSpvProof({
    network: 'regtest',
    rawTx: raw,
    header,
    height: 1,
    position: opts.position,
    siblings: bitcoinMerkleBranch(txids, opts.position),
    txCount: opts.txCount,
  });
  return { proof, digest, chain: r.chain, rawTxWithWitness: raw };
}

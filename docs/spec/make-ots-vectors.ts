// Generates docs/spec/vectors/ots.json, the test vectors of docs/spec/ots.md: receipts of
// a fixed batch (fixed salts), a fixed anchor transaction in a fixed block, and the .ots
// proof of each record. Run: `npx tsx docs/spec/make-ots-vectors.ts`. The suite checks
// the committed file against this generator and verifies every proof.
import { writeFileSync } from 'node:fs';
import { anchorOutputScript, receiptToOts, writeOts } from '@medanchor/chain';
import {
  bitcoinMerkleBranch,
  bitcoinMerkleRoot,
  serializeHeader,
  txidOf,
} from '@medanchor/chain/bitcoin';
import { concatBytes, MemoryJournal, openBatcher, sha256, toHex, utf8 } from '@medanchor/core';

/** The records of the vectors (UTF-8). */
export const OTS_VECTOR_RECORDS = ['record A', 'record B', 'record C', 'record D', 'record E'];

// A version-2 transaction, one input, the anchor output (value 0) and a P2WPKH output.
function anchorTransaction(digest: Uint8Array): Uint8Array {
  const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  const u64 = (n: number) => concatBytes(u32(n), u32(0));
  const script = anchorOutputScript(digest);
  const p2wpkh = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(0x33));
  return concatBytes(
    u32(2),
    Uint8Array.of(1),
    new Uint8Array(32).fill(0x11),
    u32(0),
    Uint8Array.of(0),
    u32(0xfffffffd),
    Uint8Array.of(2),
    u64(0),
    Uint8Array.of(script.length),
    script,
    u64(50_000),
    Uint8Array.of(p2wpkh.length),
    p2wpkh,
    u32(0),
  );
}

export async function makeOtsVectors() {
  const batcher = await openBatcher({ origin: 'spec.example/ots', journal: new MemoryJournal() });
  for (const [i, r] of OTS_VECTOR_RECORDS.entries()) {
    await batcher.add(utf8(r), { salt: sha256(utf8(`ots vector salt ${i}`)) });
  }
  const batch = (await batcher.seal())!;
  await batcher.close();
  const rawTx = anchorTransaction(batch.checkpointDigest);
  const txids = [
    sha256(utf8('coinbase')),
    sha256(utf8('other 1')),
    txidOf(rawTx),
    sha256(utf8('other 2')),
  ];
  const position = 2;
  const header = serializeHeader({
    version: 0x20000000,
    prevHash: new Uint8Array(32),
    merkleRoot: bitcoinMerkleRoot(txids),
    time: 1_800_000_000,
    bits: 0x207fffff,
    nonce: 0,
  });
  const anchor = { rawTx, position, branch: bitcoinMerkleBranch(txids, position), height: 1000 };
  return {
    description:
      'medanchor OpenTimestamps vectors (docs/spec/ots.md): for each record, its receipt (not anchored) and the .ots proof for the given anchor transaction, position, branch and height; the proof must reach header[36:68].',
    records: OTS_VECTOR_RECORDS,
    anchor: {
      rawTx: toHex(rawTx),
      position,
      branch: anchor.branch.map(toHex),
      height: 1000,
      header: toHex(header),
    },
    cases: batch.receipts.map((receipt) => ({
      receipt,
      ots: toHex(writeOts(receiptToOts(receipt, anchor))),
    })),
  };
}

if (process.argv[1]?.endsWith('make-ots-vectors.ts')) {
  const out = new URL('./vectors/ots.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(await makeOtsVectors(), null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}

import { createRequire } from 'node:module';
import { MemoryJournal, openBatcher, sha256, toHex, utf8 } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import {
  bitcoinMerkleBranch,
  bitcoinMerkleRoot,
  hashToDisplayHex,
  serializeHeader,
  txidOf,
} from '../../src/bitcoin/index.js';
import { evaluateOts, readOts, receiptToOts, verifyOts, writeOts } from '../../src/ots/index.js';
import { anchorOutputScript } from '../../src/spv/index.js';

// The independent OpenTimestamps JavaScript implementation (npm `opentimestamps`).
const require = createRequire(import.meta.url);
const OTS = require('opentimestamps');

async function anchoredReceipts(records: Uint8Array[], position: number, txCount: number) {
  const batcher = await openBatcher({ origin: 'test.example/ots', journal: new MemoryJournal() });
  for (const r of records) await batcher.add(r);
  const batch = (await batcher.seal())!;
  await batcher.close();
  // A real transaction carrying the checkpoint digest in an OP_RETURN output.
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(new Uint8Array(32).fill(9), 0);
  tx.addOutput(anchorOutputScript(batch.checkpointDigest), 0n);
  tx.addOutput(Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(3)), 12_345n);
  const rawTx = tx.toBuffer();
  const txids = Array.from({ length: txCount }, (_, i) => sha256(utf8(`other tx ${i}`)));
  txids[position] = txidOf(rawTx);
  const merkleRoot = bitcoinMerkleRoot(txids);
  const header = serializeHeader({
    version: 0x20000000,
    prevHash: new Uint8Array(32),
    merkleRoot,
    time: 1_790_000_000,
    bits: 0x207fffff,
    nonce: 0,
  });
  const anchor = { rawTx, position, branch: bitcoinMerkleBranch(txids, position), height: 812_345 };
  return { batch, anchor, header, merkleRoot };
}

describe('receipt -> OpenTimestamps export', () => {
  it('the proof evaluates to the block merkle root and verifies with our verifier', async () => {
    const records = Array.from({ length: 13 }, (_, i) => utf8(`record ${i}`));
    const { batch, anchor, header } = await anchoredReceipts(records, 5, 11);
    for (const [i, receipt] of batch.receipts.entries()) {
      const ots = receiptToOts(receipt, anchor);
      const bytes = writeOts(ots);
      const back = readOts(bytes);
      expect(toHex(back.digest)).toBe(toHex(sha256(records[i]!)));
      const result = await verifyOts(back, records[i], (h) => (h === 812_345 ? header : undefined));
      expect(result.ok, `record ${i}`).toBe(true);
      const tampered = await verifyOts(back, utf8(`record ${i}!`), () => header);
      expect(tampered).toMatchObject({ ok: false, step: 'file' });
    }
  });

  it('the independent opentimestamps package deserializes it and accepts it against the header', async () => {
    const records = Array.from({ length: 6 }, (_, i) => utf8(`patient note ${i}`));
    const { batch, anchor, merkleRoot } = await anchoredReceipts(records, 0, 1);
    const { batch: b2, anchor: a2, merkleRoot: root2 } = await anchoredReceipts(records, 6, 7);
    for (const [receipts, anc, root] of [
      [batch.receipts, anchor, merkleRoot],
      [b2.receipts, a2, root2],
    ] as const) {
      for (const [i, receipt] of receipts.entries()) {
        const bytes = writeOts(receiptToOts(receipt, anc));
        const detached = OTS.DetachedTimestampFile.deserialize(Array.from(bytes));
        expect(OTS.Utils.bytesToHex(detached.fileDigest())).toBe(toHex(sha256(records[i]!)));
        const attestations: [unknown, number[]][] = [];
        detached.timestamp.allAttestations().forEach((att: unknown, msg: number[]) => {
          attestations.push([att, msg]);
        });
        expect(attestations).toHaveLength(1);
        const [att, msg] = attestations[0]!;
        expect(att).toBeInstanceOf(OTS.Notary.BitcoinBlockHeaderAttestation);
        expect((att as { height: number }).height).toBe(812_345);
        // Their check, as their lite client runs it against an explorer's block JSON.
        const block = { merkleroot: hashToDisplayHex(root), time: 1_790_000_000 };
        const verify = (m: number[]) =>
          (
            att as { verifyAgainstBlockheader: (d: number[], b: unknown) => number }
          ).verifyAgainstBlockheader(m.slice().reverse(), block);
        expect(verify(msg)).toBe(1_790_000_000);
        const wrong = msg.slice();
        wrong[0] = wrong[0]! ^ 1;
        expect(() => verify(wrong)).toThrow();
      }
    }
  });

  it('refuses a transaction that does not carry the checkpoint digest', async () => {
    const { batch, anchor } = await anchoredReceipts([utf8('x')], 0, 1);
    const other = { ...anchor, rawTx: anchor.rawTx.slice(0, 20) };
    expect(() => receiptToOts(batch.receipts[0]!, other)).toThrowError(
      /does not contain the checkpoint digest/,
    );
    expect(evaluateOts(receiptToOts(batch.receipts[0]!, anchor))).toHaveLength(1);
  });
});

describe('a confirmed ledger receipt on devnet -> .ots', () => {
  it('exports from the receipt alone and verifies against the real devnet header, ours and theirs', async () => {
    const { devAnchoring } = await import('../../../../examples/shared/dev-anchoring.js');
    const { openLedger, regtest } = await import('../../src/index.js');
    const { devnet, anchorer } = await devAnchoring('ots-export');
    const ledger = await openLedger({
      origin: 'ots.test/ledger',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    const record = utf8('{"resourceType":"DiagnosticReport","id":"dr-9"}');
    const { leafIndex } = await ledger.add(record);
    await ledger.add(utf8('another'));
    await ledger.seal();
    // A pending receipt (sealed, not yet confirmed) has no path to a block yet.
    const pending = (await ledger.receipt(leafIndex))!;
    expect(() => receiptToOts(pending)).toThrowError(/no Bitcoin anchor yet/);
    await devnet.test.mine(1);
    await ledger.sync();
    const receipt = (await ledger.receipt(leafIndex))!;
    await ledger.close();

    const bytes = writeOts(receiptToOts(receipt));
    const height = (receipt.anchors[0] as unknown as { height: number }).height;
    const header = (await devnet.headerByHeight(height)).header;
    const ours = await verifyOts(
      readOts(bytes),
      record,
      async (h) => (await devnet.headerByHeight(h)).header,
    );
    expect(ours).toMatchObject({ ok: true, confirmed: [{ height }] });

    const detached = OTS.DetachedTimestampFile.deserialize(Array.from(bytes));
    const found: [
      { height: number; verifyAgainstBlockheader: (d: number[], b: unknown) => number },
      number[],
    ][] = [];
    detached.timestamp.allAttestations().forEach((att: never, msg: number[]) => {
      found.push([att, msg]);
    });
    expect(found).toHaveLength(1);
    const [att, msg] = found[0]!;
    expect(att.height).toBe(height);
    const block = { merkleroot: hashToDisplayHex(header.subarray(36, 68)), time: 1 };
    expect(att.verifyAgainstBlockheader(msg.slice().reverse(), block)).toBe(1);
  });
});

// Taproot commitment mode on the devnet: the checkpoint digest tweaks the key of the
// change output (no OP_RETURN), each anchor pays a fresh change key, the next anchor
// spends the previous change, and receipts verify at levels 2 and 3.
import {
  createAnchorRegistry,
  isMedanchorError,
  MemoryJournal,
  type Receipt,
  sha256,
  toHex,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { HDKey } from '@scure/bip32';
import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { bitcoinAnchorVerifier, fundingKey } from '../../src/anchor/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { receiptToOts } from '../../src/ots/index.js';
import { findAnchorPayload, taprootCommitmentScript } from '../../src/spv/index.js';
import { fundedDevnet, testAnchorer } from './setup.js';

const tprv = HDKey.fromMasterSeed(
  sha256(utf8('taproot tweak test seed')),
  regtest.bip32,
).privateExtendedKey;
const key = fundingKey({ xprv: tprv, path: "m/86'/1'/0'/0/0", type: 'p2tr' }, regtest, {
  schnorrAuxRand: 'zero',
});

describe('anchoring by a taproot tweak of the change output (p2tr-tweak)', () => {
  it('commits without an OP_RETURN, pays fresh change keys, spends its own change, verifies at 2 and 3', async () => {
    const devnet = await fundedDevnet(key, 1); // one coin: the second anchor must spend the first's change
    const { anchorer } = await testAnchorer(devnet, key, { commitment: 'p2tr-tweak' });
    const ledger = await openLedger({
      origin: 'clinic.example/taproot',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    const receipts: Receipt[] = [];
    const txs: Transaction[] = [];
    for (const round of [0, 1]) {
      await ledger.add(utf8(`record ${round}`));
      const batch = (await ledger.seal())!;
      const record = anchorer.get(batch.checkpointDigest)!;
      expect(record.tweak?.changeIndex).toBe(round);
      const tx = Transaction.fromBuffer(await devnet.transaction(record.attempts[0]!.txid));
      txs.push(tx);
      // One input, one output: the change, to the fresh key tweaked by the digest.
      expect(tx.ins).toHaveLength(1);
      expect(tx.outs).toHaveLength(1);
      expect(findAnchorPayload(tx.toBuffer())).toBeUndefined();
      expect(toHex(tx.outs[0]!.script)).toBe(
        toHex(taprootCommitmentScript(key.changeKey!(round).internalKey, batch.checkpointDigest)!),
      );
      expect(toHex(tx.outs[0]!.script)).not.toBe(toHex(key.script));
      expect(tx.virtualSize()).toBeLessThanOrEqual(111);
      await devnet.test.mine(6);
      await ledger.sync();
      receipts.push((await ledger.receipt(round))!);
    }
    // The second anchor spent the first anchor's change output.
    expect(toHex(Uint8Array.from(txs[1]!.ins[0]!.hash).reverse())).toBe(txs[0]!.getId());
    expect(txs[0]!.outs[0]!.script).not.toEqual(txs[1]!.outs[0]!.script);

    for (const [i, receipt] of receipts.entries()) {
      expect(receipt.anchors[0]).toMatchObject({
        type: 'bitcoin',
        outputIndex: 0,
        commitment: {
          kind: 'p2tr-tweak',
          internalKey: toHex(key.changeKey!(i).internalKey),
        },
      });
      const offline = await verifyReceipt(receipt, {
        content: utf8(`record ${i}`),
        anchors: createAnchorRegistry([bitcoinAnchorVerifier({ network: regtest })]),
        requireAnchor: true,
      });
      expect(offline).toMatchObject({ ok: true, level: 2 });
      const online = await verifyReceipt(receipt, {
        content: utf8(`record ${i}`),
        anchors: [
          bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 6 }),
        ],
        requireAnchor: true,
      });
      expect(online).toMatchObject({ ok: true, level: 3 });
    }

    // Another internal key (the other anchor's) does not open the commitment: level 2 fails.
    const forged = {
      ...receipts[0]!,
      anchors: [
        {
          ...receipts[0]!.anchors[0]!,
          commitment: { kind: 'p2tr-tweak', internalKey: toHex(key.changeKey!(1).internalKey) },
        },
      ],
    };
    const bad = await verifyReceipt(forged, {
      anchors: createAnchorRegistry([bitcoinAnchorVerifier({ network: regtest })]),
      requireAnchor: true,
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/payload/);

    // OpenTimestamps has no operation for a point addition: the export says so.
    let refused: unknown;
    try {
      receiptToOts(receipts[0]!);
    } catch (e) {
      refused = e;
    }
    expect(isMedanchorError(refused, 'OTS_UNSUPPORTED')).toBe(true);
    expect((refused as Error).message).toMatch(/taproot key tweak/);
    await ledger.close();
  }, 60_000);

  it('refuses the mode for a key without change keys', async () => {
    const devnet = await fundedDevnet(key, 1);
    const { fundingKeyFromSecret } = await import('../../src/anchor/index.js');
    const plain = fundingKeyFromSecret(sha256(utf8('plain')), 'p2tr', regtest);
    await expect(testAnchorer(devnet, plain, { commitment: 'p2tr-tweak' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

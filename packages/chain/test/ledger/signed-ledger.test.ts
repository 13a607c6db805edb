import {
  createAnchorRegistry,
  encodeVerifierKey,
  generateNoteKey,
  memoryLedgerStore,
  NOTE_TYPE_COSIGNATURE_V1,
  parseNote,
  readCheckpointNote,
  toHex,
  trustPolicy,
  utf8,
  verifyCheckpointNote,
  verifyReceipt,
} from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { readOts, receiptToOts, verifyOts, writeOts } from '../../src/ots/index.js';
import { fundedDevnet, testFundingKey } from '../anchor/setup.js';

const ORIGIN = 'clinic.example/signed-ledger';

describe('a ledger with a signing key: signed checkpoints are stored, anchored and carried', () => {
  it('anchors the signed note digest; receipts verify at level 2 under a trust policy and export to .ots', async () => {
    const key = testFundingKey('signed-ledger', 'p2wpkh');
    const devnet = await fundedDevnet(key);
    const store = memoryLedgerStore({ origin: ORIGIN });
    const logKey = generateNoteKey(ORIGIN);
    const ledger = await openLedger({
      store,
      anchorer: {
        backend: devnet,
        network: regtest,
        key,
        fee: { minSatPerVb: 1, maxSatPerVb: 50 },
      },
      pollMs: 0,
      signer: logKey,
    });
    const record = utf8('{"resourceType":"Observation","id":"s1"}');
    const acks = [await ledger.add(record), await ledger.add(utf8('other'))];
    await ledger.sequence();
    const sealed = (await ledger.seal())!;

    // The store keeps the signed note; the anchored digest is the note's.
    const stored = (await store.latestCheckpoint())!;
    expect(stored.note).toBeInstanceOf(Uint8Array);
    const verified = verifyCheckpointNote(stored.note!, [logKey]);
    expect(verified.ok && verified.checkpoint.size).toBe(2);
    expect(sealed.digest).toBe(toHex(readCheckpointNote(stored.note!).digest));
    expect(sealed.anchor.note).toBe(new TextDecoder().decode(stored.note!));

    await devnet.test.mine(1);
    expect((await ledger.sync()).map((c) => c.digest)).toEqual([sealed.digest]);
    const index = await ledger.whenSequenced(acks[0]!);
    const receipt = (await ledger.receipt(index))!;
    expect(receipt.checkpoint.note).toBe(sealed.anchor.note);
    expect(receipt.checkpoint.digest).toBe(sealed.digest);
    expect(receipt.anchors).toHaveLength(1);
    const byCheckpoint = await ledger.checkpointReceipts(sealed.digest);
    expect(byCheckpoint.map((r) => r.checkpoint.note)).toEqual([
      sealed.anchor.note,
      sealed.anchor.note,
    ]);

    const anchors = createAnchorRegistry([bitcoinAnchorVerifier({ network: regtest })]);
    const trust = { logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(logKey)] }] };
    const r = await verifyReceipt(receipt, { content: record, anchors, trust: trustPolicy(trust) });
    expect(r).toMatchObject({ ok: true, level: 2 });
    expect(r.ok && r.statement).toContain(`checkpoint signed by trusted key ${ORIGIN}+`);
    // Another key for the origin: the same receipt fails at the signature step.
    const stranger = {
      logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(generateNoteKey(ORIGIN))] }],
    };
    const refused = await verifyReceipt(receipt, { anchors, trust: trustPolicy(stranger) });
    expect(refused).toMatchObject({ ok: false, step: 'signature' });
    // A witness cosignature requirement with no cosignature: refused, naming the count.
    const w = generateNoteKey('witness.example/w', NOTE_TYPE_COSIGNATURE_V1);
    const quorum = { ...trust, witnesses: [encodeVerifierKey(w)], minCosignatures: 1 };
    const short = await verifyReceipt(receipt, { anchors, trust: trustPolicy(quorum) });
    expect(!short.ok && short.reason).toMatch(/0 trusted witness cosignature/);
    expect(parseNote(receipt.checkpoint.note!).signatures).toHaveLength(1);

    // OpenTimestamps: the root -> signed digest step is one prepend + sha256 (spec §5).
    const ots = readOts(writeOts(receiptToOts(receipt)));
    const height = (receipt.anchors[0] as unknown as { height: number }).height;
    const checked = await verifyOts(
      ots,
      record,
      async (h) => (await devnet.headerByHeight(h)).header,
    );
    expect(checked).toMatchObject({ ok: true, confirmed: [{ height }] });
    await ledger.close();
  });
});

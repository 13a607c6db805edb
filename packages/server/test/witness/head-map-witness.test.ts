// A ledger with a head map and a real witness (docs/spec/head-map.md section 4): the
// checkpoint body with its medanchor/head-map/v1 line is cosigned like any other, over two
// seals (the second one checked for consistency), and receipts with it verify under a trust
// policy that requires the cosignature.
import { openLedger } from '@medanchor/chain';
import {
  encodeVerifierKey,
  generateNoteKey,
  memoryHeadMapStore,
  memoryLedgerStore,
  parseNote,
  parseVerifierKey,
  trustPolicy,
  utf8,
  verifyCosignatures,
  verifyHeadProof,
  verifyReceipt,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cleanup, serveWitness, undoAll } from './helpers.js';

const ORIGIN = 'head-map-witness.example/log';
const cleanup: Cleanup = [];
afterEach(() => undoAll(cleanup));

describe('a head-map checkpoint is cosigned by a real witness', () => {
  it('two seals cosigned; receipts verify with the cosignature required; head proofs verify', async () => {
    const signer = generateNoteKey(ORIGIN);
    const logVkey = encodeVerifierKey(signer);
    const { url, vkey: wvkey } = await serveWitness(cleanup, {
      origin: ORIGIN,
      logVkey,
      key: 'witness.example/hm',
    });
    const errors: unknown[] = [];
    const ledger = await openLedger({
      store: memoryLedgerStore({ origin: ORIGIN }),
      signer,
      witnesses: [{ url, vkey: wvkey }],
      headMap: { store: memoryHeadMapStore() },
      pollMs: 0,
      onError: (e) => errors.push(e),
    });
    cleanup.push(() => ledger.close());
    const trust = trustPolicy({
      logs: [{ origin: ORIGIN, keys: [logVkey] }],
      witnesses: [wvkey],
      minCosignatures: 1,
    });
    for (let seal = 0; seal < 2; seal++) {
      const ack = await ledger.add(utf8(`consent doc ${seal}`), { recordId: 'Consent/c-1' });
      await ledger.seal();
      expect(errors).toEqual([]);
      const receipt = (await ledger.receipt(await ledger.whenSequenced(ack)))!;
      const note = receipt.checkpoint.note!;
      expect(parseNote(note).text).toMatch(/\nmedanchor\/head-map\/v1 [A-Za-z0-9+/]{43}=\n$/);
      const cosigned = verifyCosignatures(note, [parseVerifierKey(wvkey)]);
      expect(cosigned.ok && cosigned.cosignatures).toHaveLength(1);
      const r = await verifyReceipt(receipt, { content: utf8(`consent doc ${seal}`), trust });
      expect(r.ok).toBe(true);
      const h = verifyHeadProof(await ledger.headProof('Consent/c-1'), { keys: [signer] });
      expect(h.ok && h.head?.leafIndex).toBe(receipt.leafIndex);
    }
  });
});

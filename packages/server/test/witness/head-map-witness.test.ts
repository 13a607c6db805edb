// A ledger with a head map and a real witness (docs/spec/head-map.md section 4): the
// checkpoint body with its medanchor/head-map/v1 line is cosigned like any other, over two
// seals (the second one checked for consistency), and receipts with it verify under a trust
// policy that requires the cosignature.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '@medanchor/chain';
import {
  encodeVerifierKey,
  generateNoteKey,
  generateWitnessKey,
  memoryHeadMapStore,
  memoryLedgerStore,
  parseNote,
  parseVerifierKey,
  toVerifierKey,
  trustPolicy,
  utf8,
  verifyCosignatures,
  verifyHeadProof,
  verifyReceipt,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createWitness, createWitnessServer, openWitnessState } from '../../src/witness.js';
import { removeDir } from './helpers.js';

const ORIGIN = 'head-map-witness.example/log';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('a head-map checkpoint is cosigned by a real witness', () => {
  it('two seals cosigned; receipts verify with the cosignature required; head proofs verify', async () => {
    const signer = generateNoteKey(ORIGIN);
    const logVkey = encodeVerifierKey(signer);
    const dir = mkdtempSync(join(tmpdir(), 'medanchor-hmw-'));
    cleanup.push(() => removeDir(dir));
    const wkey = generateWitnessKey('witness.example/hm');
    const state = await openWitnessState(dir);
    const witness = createWitness({
      key: wkey,
      logs: [{ origin: ORIGIN, vkeys: [logVkey] }],
      state,
    });
    const server = createWitnessServer({ witness });
    const { url } = await server.listen(0, '127.0.0.1');
    cleanup.push(async () => {
      await server.close();
      await state.close();
    });
    const wvkey = encodeVerifierKey(toVerifierKey(wkey));
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

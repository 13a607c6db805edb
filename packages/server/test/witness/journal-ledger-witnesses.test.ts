import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Ledger, openLedger, regtest } from '@medanchor/chain';
import {
  encodeVerifierKey,
  generateNoteKey,
  generateWitnessKey,
  isMedanchorError,
  MemoryJournal,
  type NoteSignerKey,
  parseVerifierKey,
  readCheckpointNote,
  toHex,
  toVerifierKey,
  trustPolicy,
  utf8,
  verifyCosignatures,
  verifyReceiptMerkle,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fundedDevnet, testAnchorer, testFundingKey } from '../../../chain/test/anchor/setup.js';
import { type Cleanup, serveWitness, undoAll } from './helpers.js';

// The journal ledger (openLedger without a store) asks witnesses after every seal, with the
// same code as the store ledger: real witness servers on free ports of 127.0.0.1.

const ORIGIN = 'journal-witness.example/log';
const cleanup: Cleanup = [];
afterEach(() => undoAll(cleanup));

const witnessServer = (name: string, logVkey: string) =>
  serveWitness(cleanup, { origin: ORIGIN, logVkey, key: name });

/**
 * A TCP gate on a free port in front of a real witness: while closed it resets every
 * connection, as a host with nothing listening does (the witness is down, yet its address
 * stays reserved, so bringing it back depends on no port being free again); while open it
 * forwards bytes both ways.
 */
async function gate(targetPort: number): Promise<{ url: string; open: boolean }> {
  const state = { url: '', open: false };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (!state.open) return void client.resetAndDestroy();
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

async function journalLedger(
  signer: NoteSignerKey,
  witnesses: { url: string; vkey: string }[],
  errors: unknown[],
  policy?: { maxRecords: number },
): Promise<Ledger> {
  const key = testFundingKey('journal-witnesses', 'p2wpkh');
  const devnet = await fundedDevnet(key);
  const { anchorer } = await testAnchorer(devnet, key);
  const ledger = await openLedger({
    origin: ORIGIN,
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
    signer,
    witnesses,
    onError: (e) => errors.push(e),
    ...(policy === undefined ? {} : { policy }),
  });
  cleanup.push(() => ledger.close());
  return ledger;
}

describe('the journal ledger asks its witnesses after every seal', () => {
  it('(a TCP gate stands in for a witness that is down) one witness down: the seal goes on with one cosignature and WITNESS_UNREACHABLE; the next seal, with it up, carries both; the anchor commits to the signed note', async () => {
    const signer = generateNoteKey(ORIGIN);
    const logVkey = encodeVerifierKey(signer);
    const up = await witnessServer('witness.example/up', logVkey);
    const later = await witnessServer('witness.example/later', logVkey);
    const door = await gate(later.port);
    const errors: unknown[] = [];
    const ledger = await journalLedger(
      signer,
      [
        { url: up.url, vkey: up.vkey },
        { url: door.url, vkey: later.vkey },
      ],
      errors,
    );
    const keys = [up.vkey, later.vkey].map((v) => parseVerifierKey(v));
    const policy = (min: number) =>
      trustPolicy({
        logs: [{ origin: ORIGIN, keys: [logVkey] }],
        witnesses: [up.vkey, later.vkey],
        minCosignatures: min,
      });

    const a = await ledger.add(utf8('first'));
    const first = (await ledger.seal())!;
    expect(errors).toHaveLength(1);
    expect(isMedanchorError(errors[0], 'WITNESS_UNREACHABLE')).toBe(true);
    expect((errors[0] as Error).message).toContain('witness.example/later');
    const r1 = (await ledger.receipt(a.leafIndex))!;
    const c1 = verifyCosignatures(r1.checkpoint.note!, keys);
    expect(c1.ok && c1.cosignatures.map((c) => c.key.name)).toEqual(['witness.example/up']);
    expect(verifyReceiptMerkle(r1, { trust: policy(1) }).ok).toBe(true);
    const two = verifyReceiptMerkle(r1, { trust: policy(2) });
    expect(two.ok === false && two.step).toBe('signature');
    // The returned batch, its receipts and the anchor all name the signed note's digest.
    const noteDigest = toHex(readCheckpointNote(r1.checkpoint.note!).digest);
    expect(toHex(first.checkpointDigest)).toBe(noteDigest);
    expect(first.receipts[0]!.checkpoint.digest).toBe(noteDigest);

    door.open = true;
    errors.length = 0;
    const b = await ledger.add(utf8('second'));
    await ledger.seal();
    expect(errors).toEqual([]);
    const r2 = (await ledger.receipt(b.leafIndex))!;
    const c2 = verifyCosignatures(r2.checkpoint.note!, keys);
    expect(c2.ok && c2.cosignatures.map((c) => c.key.name).sort()).toEqual([
      'witness.example/later',
      'witness.example/up',
    ]);
    expect(verifyReceiptMerkle(r2, { trust: policy(2) }).ok).toBe(true);
  });

  it('a seal by policy (not by seal()) is cosigned too', async () => {
    const signer = generateNoteKey(ORIGIN);
    const w = await witnessServer('witness.example/w', encodeVerifierKey(signer));
    const errors: unknown[] = [];
    const ledger = await journalLedger(signer, [{ url: w.url, vkey: w.vkey }], errors, {
      maxRecords: 2,
    });
    const added = await Promise.all([ledger.add(utf8('p1')), ledger.add(utf8('p2'))]);
    // The policy seal runs in the background: wait until its receipts are stored.
    let receipt = await ledger.receipt(added[1]!.leafIndex);
    for (let i = 0; receipt === undefined && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      receipt = await ledger.receipt(added[1]!.leafIndex);
    }
    expect(receipt).toBeDefined();
    expect(errors).toEqual([]);
    const c = verifyCosignatures(receipt!.checkpoint.note!, [parseVerifierKey(w.vkey)]);
    expect(c.ok && c.cosignatures.map((x) => x.key.name)).toEqual(['witness.example/w']);
  });

  it('witnesses without a signing key, or with a vkey that is not a witness key, are refused at open', async () => {
    const key = testFundingKey('journal-witnesses-bad', 'p2wpkh');
    const devnet = await fundedDevnet(key, 1);
    const { anchorer } = await testAnchorer(devnet, key);
    const w = {
      url: 'http://127.0.0.1:9/w',
      vkey: encodeVerifierKey(toVerifierKey(generateWitnessKey('witness.example/x'))),
    };
    const base = { origin: ORIGIN, anchorer, network: regtest };
    await expect(
      openLedger({ ...base, journal: new MemoryJournal(), witnesses: [w] }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const signer = generateNoteKey(ORIGIN);
    await expect(
      openLedger({
        ...base,
        journal: new MemoryJournal(),
        signer,
        witnesses: [{ url: w.url, vkey: encodeVerifierKey(signer) }],
      }),
    ).rejects.toMatchObject({ code: 'WITNESS_CONFIG_INVALID' });
  });
});

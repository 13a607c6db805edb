import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWitnessAsker, openLedger } from '@medanchor/chain';
import {
  cosignCheckpoint,
  encodeVerifierKey,
  formatCosignatures,
  generateNoteKey,
  generateWitnessKey,
  isMedanchorError,
  leafHash,
  MerkleLog,
  memoryLedgerStore,
  parseVerifierKey,
  signCheckpoint,
  toVerifierKey,
  trustPolicy,
  utf8,
  verifyCosignatures,
  verifyReceiptMerkle,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/helpers/free-port.js';
import { type Cleanup, serveWitness, undoAll } from './helpers.js';

const ORIGIN = 'ledger-witness.example/log';
const cleanup: Cleanup = [];
afterEach(() => undoAll(cleanup));

const witnessServer = (name: string, logVkey: string, port = 0) =>
  serveWitness(cleanup, { origin: ORIGIN, logVkey, key: name, port });

describe('a ledger asks its witnesses after every seal', () => {
  it('two witnesses, one down: the seal goes on with one cosignature and a typed error; the next seal after a restart of the ledger gets both', async () => {
    const signer = generateNoteKey(ORIGIN);
    const logVkey = encodeVerifierKey(signer);
    const up = await witnessServer('witness.example/up', logVkey);
    // A second witness that is not running: its port is closed again at once. The port is
    // from below the ephemeral range, so no listen(0) elsewhere takes it before the
    // witness comes back on it.
    const down = await witnessServer('witness.example/down', logVkey, await freePort());
    await down.server.close();
    const store = memoryLedgerStore({ origin: ORIGIN });
    const errors: unknown[] = [];
    const witnesses = [
      { url: up.url, vkey: up.vkey },
      { url: down.url, vkey: down.vkey },
    ];
    let ledger = await openLedger({
      store,
      signer,
      witnesses,
      pollMs: 0,
      owner: 'a',
      onError: (e) => errors.push(e),
    });
    await ledger.add(utf8('record one'), { key: 'r1' });
    const sealed = await ledger.seal();
    expect(sealed?.checkpoint.size).toBe(1);
    expect(errors).toHaveLength(1);
    expect(isMedanchorError(errors[0], 'WITNESS_UNREACHABLE')).toBe(true);
    expect((errors[0] as Error).message).toContain('witness.example/down');
    const receipt = (await ledger.receiptByKey('r1'))!;
    expect(receipt).toBeDefined();
    const keys = [up.vkey, down.vkey].map((v) => parseVerifierKey(v));
    const c1 = verifyCosignatures(receipt.checkpoint.note!, keys);
    expect(c1.ok && c1.cosignatures.map((c) => c.key.name)).toEqual(['witness.example/up']);
    const policy = (min: number) =>
      trustPolicy({
        logs: [{ origin: ORIGIN, keys: [logVkey] }],
        witnesses: [up.vkey, down.vkey],
        minCosignatures: min,
      });
    expect(verifyReceiptMerkle(receipt, { trust: policy(1) }).ok).toBe(true);
    const two = verifyReceiptMerkle(receipt, { trust: policy(2) });
    expect(two.ok === false && two.step).toBe('signature');

    // The down witness comes back on its address; a new ledger process (no memory of what
    // the witnesses saw) seals again: the up witness answers 409 first, then cosigns.
    await ledger.close();
    const back = await witnessServer('witness.example/down', logVkey, down.port);
    witnesses[1] = { url: back.url, vkey: back.vkey };
    errors.length = 0;
    ledger = await openLedger({
      store,
      signer,
      witnesses,
      pollMs: 0,
      owner: 'a',
      onError: (e) => errors.push(e),
    });
    cleanup.push(() => ledger.close());
    await ledger.add(utf8('record two'), { key: 'r2' });
    await ledger.seal();
    expect(errors).toEqual([]);
    const r2 = (await ledger.receiptByKey('r2'))!;
    const both = verifyReceiptMerkle(r2, {
      trust: trustPolicy({
        logs: [{ origin: ORIGIN, keys: [logVkey] }],
        witnesses: [up.vkey, back.vkey],
        minCosignatures: 2,
      }),
    });
    expect(both.ok).toBe(true);
  });

  it('a log rolled back behind what a witness cosigned gets WITNESS_AHEAD, not a cosignature', async () => {
    const signer = generateNoteKey(ORIGIN);
    const w = await witnessServer('witness.example/w', encodeVerifierKey(signer));
    const asker = createWitnessAsker({ witnesses: [{ url: w.url, vkey: w.vkey }] });
    const tree = new MerkleLog();
    tree.append(Array.from({ length: 6 }, (_, i) => leafHash(utf8(`l${i}`))));
    const at = (n: number) =>
      signCheckpoint({ origin: ORIGIN, size: n, root: tree.root(n) }, signer);
    const first = await asker.cosign(at(6), async () => []);
    expect(first.cosigned).toEqual(['witness.example/w']);
    // A new process of the log (knowing nothing) that lost its last 3 leaves.
    const again = createWitnessAsker({ witnesses: [{ url: w.url, vkey: w.vkey }] });
    const back = await again.cosign(at(3), async (from) => tree.consistencyProof(from, 3));
    expect(back.cosigned).toEqual([]);
    expect(back.failures.map((f) => f.code)).toEqual(['WITNESS_AHEAD']);
    expect(new TextDecoder().decode(back.note)).toBe(new TextDecoder().decode(at(3)));
  });

  it('(fake witness: a fault a real one cannot be made to show) a 200 with a bad cosignature or a 500 is WITNESS_REFUSED/COSIGNATURE_INVALID and adds nothing', async () => {
    const signer = generateNoteKey(ORIGIN);
    const key = generateWitnessKey('witness.example/liar');
    let answer: { status: number; body: string } = { status: 500, body: 'boom' };
    const fake = createServer((_req, res) => {
      res.writeHead(answer.status, { 'Content-Type': 'text/plain' });
      res.end(answer.body);
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => fake.close(() => r())));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const asker = createWitnessAsker({
      witnesses: [{ url, vkey: encodeVerifierKey(toVerifierKey(key)) }],
    });
    const note = signCheckpoint({ origin: ORIGIN, size: 1, root: leafHash(utf8('x')) }, signer);
    const other = signCheckpoint({ origin: ORIGIN, size: 1, root: leafHash(utf8('y')) }, signer);
    const r500 = await asker.cosign(note, async () => []);
    expect(r500.failures.map((f) => f.code)).toEqual(['WITNESS_REFUSED']);
    // A cosignature by the right key, over another checkpoint.
    answer = { status: 200, body: formatCosignatures([cosignCheckpoint(other, key)]) };
    const wrong = await asker.cosign(note, async () => []);
    expect(wrong.failures.map((f) => f.code)).toEqual(['COSIGNATURE_INVALID']);
    expect(wrong.failures[0]!.details['witness']).toBe('witness.example/liar');
    expect(wrong.cosigned).toEqual([]);
    answer = { status: 200, body: 'not a signature line\n' };
    const garbage = await asker.cosign(note, async () => []);
    expect(garbage.failures.map((f) => f.code)).toEqual(['NOTE_MALFORMED']);
  });

  it('(fake witness that never answers: a hang a real one cannot be made to show) is WITNESS_UNREACHABLE after the timeout, and the other witness still cosigns', async () => {
    const signer = generateNoteKey(ORIGIN);
    const real = await witnessServer('witness.example/real', encodeVerifierKey(signer));
    const hanging = createServer(() => {});
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          hanging.closeAllConnections();
          hanging.close(() => r());
        }),
    );
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const asker = createWitnessAsker({
      witnesses: [
        { url, vkey: encodeVerifierKey(toVerifierKey(generateWitnessKey('witness.example/hang'))) },
        { url: real.url, vkey: real.vkey },
      ],
      // The timeout applies to the real witness too, which must answer within it: 300 ms
      // failed the test whenever a loaded machine stalled this process that long.
      timeoutMs: 3_000,
    });
    const note = signCheckpoint({ origin: ORIGIN, size: 1, root: leafHash(utf8('x')) }, signer);
    const round = await asker.cosign(note, async () => []);
    expect(round.failures.map((f) => [f.code, f.details['witness']])).toEqual([
      ['WITNESS_UNREACHABLE', 'witness.example/hang'],
    ]);
    expect(round.cosigned).toEqual(['witness.example/real']);
  });
});

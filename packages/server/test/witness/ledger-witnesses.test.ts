import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '@medanchor/chain';
import {
  encodeVerifierKey,
  generateNoteKey,
  generateWitnessKey,
  isMedanchorError,
  memoryLedgerStore,
  parseVerifierKey,
  toVerifierKey,
  trustPolicy,
  utf8,
  verifyCosignatures,
  verifyReceiptMerkle,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWitness,
  createWitnessServer,
  openWitnessState,
  type WitnessServer,
} from '../../src/index.js';
import { removeDir } from './helpers.js';

const ORIGIN = 'ledger-witness.example/log';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function witnessServer(
  name: string,
  logVkey: string,
  port = 0,
): Promise<{ url: string; port: number; vkey: string; server: WitnessServer }> {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-lw-'));
  cleanup.push(() => removeDir(dir));
  const key = generateWitnessKey(name);
  const state = await openWitnessState(dir);
  const witness = createWitness({ key, logs: [{ origin: ORIGIN, vkeys: [logVkey] }], state });
  const server = createWitnessServer({ witness });
  const bound = await server.listen(port, '127.0.0.1');
  cleanup.push(() => server.close());
  return { ...bound, vkey: encodeVerifierKey(toVerifierKey(key)), server };
}

describe('a ledger asks its witnesses after every seal', () => {
  it('two witnesses, one down: the seal goes on with one cosignature and a typed error; the next seal after a restart of the ledger gets both', async () => {
    const signer = generateNoteKey(ORIGIN);
    const logVkey = encodeVerifierKey(signer);
    const up = await witnessServer('witness.example/up', logVkey);
    // A second witness that is not running: its port is closed again at once.
    const down = await witnessServer('witness.example/down', logVkey);
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
});

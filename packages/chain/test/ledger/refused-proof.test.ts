// The store ledger through a lying Esplora (a real HTTP server on 127.0.0.1 in front of the
// devnet's Esplora server): a proof the anchorer refuses during sync() reaches the ledger's
// onError as ANCHOR_PROOF_REFUSED naming the checkpoint and the step, the caller's own
// onEvent still sees the anchorer's event, and nothing about the anchor changes.
import { isMedanchorError, MedanchorError, memoryLedgerStore, utf8 } from '@medanchor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { lyingEsplora } from '../../../../test/helpers/lying-esplora.js';
import type { AnchorEvent } from '../../src/anchor/index.js';
import { esploraBackend } from '../../src/backend/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { serveEsplora } from '../../src/node/index.js';
import { fundedDevnet, testFundingKey } from '../anchor/setup.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('store ledger sync() under a refused proof', () => {
  it('reports ANCHOR_PROOF_REFUSED with the digest and step to onError, changes nothing, and says nothing when the backend is honest', async () => {
    const key = testFundingKey('ledger refused proof', 'p2wpkh');
    const devnet = await fundedDevnet(key, 2);
    const server = await serveEsplora(devnet, { port: 0 });
    closers.push(server.close);
    const liar = await lyingEsplora(server.url);
    closers.push(liar.close);
    const errors: unknown[] = [];
    const events: AnchorEvent[] = [];
    const ledger = await openLedger({
      store: memoryLedgerStore({ origin: 'clinic.example/refused' }),
      anchorer: {
        backend: esploraBackend({ url: liar.url, fallbackFeeRate: 1, retries: 0 }),
        network: regtest,
        key,
        fee: { minSatPerVb: 1, maxSatPerVb: 50 },
        onEvent: (e) => {
          events.push(e);
        },
      },
      pollMs: 0,
      onError: (e) => errors.push(e),
    });
    closers.push(() => ledger.close());
    await ledger.add(utf8('a record'), { key: 'r1' });
    const sealed = await ledger.seal();
    expect(sealed).toBeDefined();
    await devnet.test.mine(1);
    expect((await ledger.sync()).map((c) => c.digest)).toEqual([sealed!.digest]);
    expect(errors).toEqual([]);
    const [before] = await ledger.anchors();

    await devnet.test.mine(2);
    liar.tell('merkle-sibling');
    expect(await ledger.sync()).toEqual([]);
    const refused = errors.filter((e) => isMedanchorError(e, 'ANCHOR_PROOF_REFUSED'));
    expect(refused).toHaveLength(1);
    const err = refused[0] as MedanchorError;
    expect(err).toBeInstanceOf(MedanchorError);
    expect(err.details).toMatchObject({ digest: sealed!.digest, step: 'merkle-root' });
    expect(err.message).toMatch(/was kept as it was/);
    expect(events.some((e) => e.kind === 'error' && e.digest === sealed!.digest)).toBe(true);
    const [after] = await ledger.anchors();
    expect(after).toEqual(before);

    liar.tell();
    errors.length = 0;
    await ledger.sync();
    expect(errors).toEqual([]);
  });
});

// The head map on PostgreSQL (docs/spec/head-map.md section 6), on a real server: proofs at
// every checkpoint match the leaves; a second process reads the same map secret and, once
// it holds the lease, continues the map where the first left it; everything survives a
// reopen.
import { openLedger } from '@medanchor/chain';
import {
  generateNoteKey,
  type HeadMapStore,
  type LedgerStore,
  sha256,
  toHex,
  utf8,
  verifyHeadProof,
} from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresHeadMapStore, openPostgresLedgerStore } from '../src/index.js';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();
if (skip !== undefined) console.log(`skipping the PostgreSQL head map test: ${skip}`);
const ORIGIN = 'clinic.example/pg-head-map';
const logKey = generateNoteKey(ORIGIN);

async function truthAt(store: LedgerStore, size: number, record: string) {
  const leaves = (await store.readLeaves(0, size)).filter((l) => l.recordId === record);
  const last = leaves[leaves.length - 1];
  return last === undefined
    ? null
    : { leafIndex: last.index, count: leaves.length, commitment: toHex(last.commitment) };
}

describe.skipIf(skip !== undefined)('head map on PostgreSQL', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('two processes share the secret and continue one map; proofs survive a reopen', async () => {
    const url = await server.createDatabase();
    const open = async (owner: string) => {
      const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
      const map = await openPostgresHeadMapStore({ url, origin: ORIGIN });
      const ledger = await openLedger({
        store,
        pollMs: 0,
        owner,
        signer: logKey,
        headMap: { store: map },
      });
      return { store, map, ledger };
    };
    const a = await open('a');
    const b = await open('b');
    expect(toHex(b.map.secret)).toBe(toHex(a.map.secret));
    const sizes: number[] = [];
    const round = async (p: typeof a, records: string[]) => {
      for (const recordId of records)
        await p.ledger.add(utf8(`${recordId} ${sizes.length}`), { recordId });
      sizes.push((await p.ledger.seal())!.checkpoint.size);
    };
    await round(a, ['Consent/c-1', 'Observation/o-1']);
    await round(a, ['Consent/c-1', 'Observation/o-2']);
    await a.ledger.close(); // gives the lease up
    await round(b, ['Consent/c-1', 'Observation/o-1']);
    await b.ledger.close();
    for (const p of [a, b]) {
      await p.map.close!();
      await p.store.close();
    }
    const c = await open('c');
    for (const size of sizes)
      for (const record of ['Consent/c-1', 'Observation/o-1', 'Observation/o-2', 'Patient/none']) {
        const r = verifyHeadProof(await c.ledger.headProof(record, { size }), {
          keys: [logKey],
          record,
        });
        expect(r.ok, `${record} at ${size}`).toBe(true);
        if (!r.ok) continue;
        const want = await truthAt(c.store, size, record);
        expect(
          r.head && {
            leafIndex: r.head.leafIndex,
            count: r.head.count,
            commitment: toHex(r.head.commitment),
          },
          `${record} at ${size}`,
        ).toEqual(want);
      }
    const last = verifyHeadProof(await c.ledger.headProof('Consent/c-1'), { keys: [logKey] });
    expect(last.ok && last.head?.count).toBe(3);
    await c.ledger.close();
    await c.map.close!();
    await c.store.close();
    // A closed map store refuses work with a typed error.
    await expect(c.map.get(new Uint8Array(32))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  }, 120_000);

  it('a seal reads the map one tree level per round trip, not one node per record', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({ url, origin: ORIGIN });
    const map = await openPostgresHeadMapStore({ url, origin: ORIGIN });
    // Counts the calls into the real store (every call is one query).
    const calls = { get: 0, getMany: 0, put: 0 };
    const counted: HeadMapStore = {
      secret: map.secret,
      get: (h) => {
        calls.get++;
        return map.get(h);
      },
      getMany: (hs) => {
        calls.getMany++;
        return map.getMany!(hs);
      },
      put: (es, hs) => {
        calls.put++;
        return map.put(es, hs);
      },
    };
    const ledger = await openLedger({
      store,
      pollMs: 0,
      signer: logKey,
      batchSize: 10_000,
      headMap: { store: counted },
    });
    const add = (from: number, n: number, id: (i: number) => string) =>
      store.addPending(
        Array.from({ length: n }, (_, j) => ({
          salt: sha256(utf8(`salt ${from + j}`)),
          digest: sha256(utf8(`record ${from + j}`)),
          recordId: id(from + j),
        })),
      );
    await add(0, 400, (i) => `Observation/o-${i}`);
    await ledger.seal();
    // 100 new versions of old records and 100 new records on a map of 400.
    await add(400, 200, (i) => `Observation/o-${i < 500 ? (i * 3) % 400 : i}`);
    calls.get = 0;
    calls.getMany = 0;
    calls.put = 0;
    await ledger.seal();
    expect(calls.get).toBe(0);
    expect(calls.put).toBe(1);
    // At most one read per level of a 500-key map (depth well under 40) plus the values.
    expect(calls.getMany).toBeGreaterThan(0);
    expect(calls.getMany).toBeLessThan(40);
    for (const record of ['Observation/o-3', 'Observation/o-599']) {
      const r = verifyHeadProof(await ledger.headProof(record), { keys: [logKey], record });
      const want = await truthAt(store, 600, record);
      expect(r.ok && r.head && { ...r.head, commitment: toHex(r.head.commitment) }, record).toEqual(
        want,
      );
    }
    await ledger.close();
    await map.close!();
    await store.close();
  }, 120_000);
});

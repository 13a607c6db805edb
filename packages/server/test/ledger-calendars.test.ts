import {
  CALENDAR_ANCHOR_TYPE,
  type CalendarAnchorEntry,
  calendarAnchorVerifier,
  fundingKeyFromSecret,
  openLedger,
  regtest,
  type StoreLedger,
} from '@medanchor/chain';
import { createDevnet, type Devnet } from '@medanchor/chain/devnet';
import { bitcoinAnchorVerifier } from '@medanchor/chain/verify';
import { isMedanchorError, memoryLedgerStore, sha256, utf8, verifyReceipt } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/free-port.js';
import { calendarRoutes } from '../src/calendar.js';
import { createLogServer, type LogServer } from '../src/index.js';

// The store ledger's second attestation (issue 17 item 3): `openLedger({ calendars })` gives
// each sealed checkpoint's digest to the calendars, keeps their pending entries in the anchor
// state and upgrades them on sync. The calendar is a second medanchor server on the devnet.

const key = (label: string) =>
  fundingKeyFromSecret(sha256(utf8(`ledger calendars ${label}`)), 'p2wpkh', regtest, {
    schnorrAuxRand: 'zero',
  });

let devnet: Devnet;
let calendarLedger: StoreLedger;
let server: LogServer;
let url = '';

const anchorer = (label: string) => ({
  backend: devnet,
  network: regtest,
  key: key(label),
  fee: { minSatPerVb: 1, maxSatPerVb: 50 },
});

/**
 * A URL on 127.0.0.1 where nothing listens: a free port from below the ephemeral range, so
 * no listen(0) of another test takes it while this one counts on it staying dead.
 */
async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

const deep = { backends: () => [devnet], minConfirmations: 1 };
const verifiers = () => [
  bitcoinAnchorVerifier({ network: regtest, backends: deep.backends(), minConfirmations: 1 }),
  calendarAnchorVerifier({ network: regtest, backends: deep.backends(), minConfirmations: 1 }),
];

beforeAll(async () => {
  devnet = createDevnet({ seed: 'ledger calendars' });
  await devnet.test.mine(3, key('calendar').script);
  await devnet.test.mine(3, key('hospital').script);
  await devnet.test.mine(3, key('clinic').script);
  await devnet.test.mine(100);
  calendarLedger = await openLedger({
    store: memoryLedgerStore({ origin: 'calendar.example/log' }),
    anchorer: anchorer('calendar'),
    pollMs: 0,
  });
  server = createLogServer({
    ledger: calendarLedger,
    calendar: calendarRoutes({ ledger: calendarLedger, publicUrl: () => url }),
  });
  url = (await server.listen(0, '127.0.0.1')).url;
});

afterAll(async () => {
  await server?.close();
  await calendarLedger?.close();
});

describe('store ledger with calendars: a second attestation in every receipt', () => {
  it('seals, stamps at the calendar, both anchor in one block; after sync the receipt has two anchors verifying at level 3', async () => {
    const errors: unknown[] = [];
    const hospital = await openLedger({
      store: memoryLedgerStore({ origin: 'hospital.example/log' }),
      anchorer: anchorer('hospital'),
      calendars: [url],
      pollMs: 0,
      onError: (e) => errors.push(e),
    });
    try {
      const record = utf8('{"resourceType":"Observation","id":"ledger-cal-1"}');
      const ack = await hospital.add(record, { key: 'obs-1@1' });
      const sealed = await hospital.seal();
      expect(sealed).toBeDefined();
      // The pending entry is kept in the anchor state right after the seal.
      expect(sealed!.anchor.calendars?.map((c) => c.calendar)).toEqual([`${url}/`]);
      await hospital.whenSequenced(ack);
      const pending = (await hospital.receiptByKey('obs-1@1'))!;
      expect(pending.anchors.map((a) => a.type)).toEqual([CALENDAR_ANCHOR_TYPE]);
      const early = await verifyReceipt(pending, { content: record, anchors: verifiers() });
      expect(early).toMatchObject({ ok: true, level: 1 });

      // The calendar seals what it was given and anchors it in the same block as the hospital.
      await calendarLedger.sequence();
      await calendarLedger.seal();
      await devnet.test.mine(1);
      await calendarLedger.sync();
      const changes = await hospital.sync();
      expect(changes.map((c) => c.digest)).toContain(sealed!.digest);
      expect(errors).toEqual([]);

      const receipt = (await hospital.receiptByKey('obs-1@1'))!;
      expect(receipt.anchors.map((a) => a.type)).toEqual(['bitcoin', CALENDAR_ANCHOR_TYPE]);
      expect((receipt.anchors[1] as CalendarAnchorEntry).header).toMatch(/^[0-9a-f]{160}$/);
      const r = await verifyReceipt(receipt, { content: record, anchors: verifiers() });
      expect(r).toMatchObject({ ok: true, level: 3 });
      expect(r.ok && r.anchors.map((a) => [a.type, a.status, a.level])).toEqual([
        ['bitcoin', 'verified', 3],
        [CALENDAR_ANCHOR_TYPE, 'verified', 3],
      ]);
      // Every receipt of the checkpoint carries both.
      const all = await hospital.checkpointReceipts(sealed!.digest);
      expect(all.map((x) => x.anchors.length)).toEqual([2]);
    } finally {
      await hospital.close();
    }
  });

  it('a calendar that is down: typed error to onError, the seal goes on, retried on sync; the receipt verifies at level 3 with our anchor', async () => {
    const down = await deadUrl();
    const errors: unknown[] = [];
    const clinic = await openLedger({
      store: memoryLedgerStore({ origin: 'clinic.example/log' }),
      anchorer: anchorer('clinic'),
      calendars: [down],
      pollMs: 0,
      onError: (e) => errors.push(e),
    });
    try {
      const record = utf8('{"resourceType":"Observation","id":"ledger-cal-2"}');
      await clinic.add(record, { key: 'obs-2@1' });
      const sealed = await clinic.seal();
      expect(sealed?.anchor.record).toBeDefined();
      expect(sealed?.anchor.calendars).toBeUndefined();
      expect(errors).toHaveLength(1);
      const first = errors[0];
      expect(isMedanchorError(first, 'OTS_CALENDAR_UNREACHABLE')).toBe(true);
      expect(isMedanchorError(first) && first.details['calendar']).toBe(`${down}/`);

      await devnet.test.mine(1);
      await clinic.sync();
      // Asked again on sync, still down: a second typed error, nothing stored for it.
      expect(errors).toHaveLength(2);
      expect(isMedanchorError(errors[1], 'OTS_CALENDAR_UNREACHABLE')).toBe(true);
      const receipt = (await clinic.receiptByKey('obs-2@1'))!;
      expect(receipt.anchors.map((a) => a.type)).toEqual(['bitcoin']);
      const r = await verifyReceipt(receipt, { content: record, anchors: verifiers() });
      expect(r).toMatchObject({ ok: true, level: 3 });
    } finally {
      await clinic.close();
    }
  });

  it('refuses a calendar URL that is not http(s) with INVALID_ARGUMENT', async () => {
    const opened = openLedger({
      store: memoryLedgerStore({ origin: 'bad.example/log' }),
      calendars: ['ftp://calendar.example'],
      pollMs: 0,
    });
    await expect(opened).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

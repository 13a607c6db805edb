import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CALENDAR_ANCHOR_TYPE,
  type CalendarAnchorEntry,
  calendarAnchorVerifier,
  fundingKeyFromSecret,
  openLedger,
  readOts,
  receiptToOts,
  regtest,
  type StoreLedger,
  stampReceiptAtCalendars,
  upgradeReceiptCalendars,
  verifyOts,
  writeOts,
} from '@medanchor/chain';
import { createDevnet, type Devnet } from '@medanchor/chain/devnet';
import { bitcoinAnchorVerifier } from '@medanchor/chain/verify';
import {
  fromHex,
  memoryLedgerStore,
  type Receipt,
  sha256,
  toHex,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarRoutes } from '../src/calendar.js';
import { createLogServer, type LogServer } from '../src/index.js';

// The calendar protocol against clients that are not ours: Debian's python3-opentimestamps
// (RemoteCalendar and its serialization) stamps against a medanchor server; our own client
// stamps a receipt of one ledger at a second medanchor ledger serving as the calendar.

const PYTHON = '/usr/bin/python3';
function pythonWhy(): string {
  const r = spawnSync(PYTHON, ['-c', 'import opentimestamps.calendar'], { encoding: 'utf8' });
  if (r.error !== undefined) return `${PYTHON} is not installed`;
  if (r.status !== 0)
    return 'python3-opentimestamps is not installed (apt-get install python3-opentimestamps)';
  return '';
}
const why = pythonWhy();
if (why !== '') console.log(`skipping the python-opentimestamps calendar tests: ${why}`);

/** Runs a Python snippet with the library (not blocking: our server answers it); its stdout lines. */
async function python(code: string, args: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', code, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '');
}

const PY_HEAD = `
import sys
from opentimestamps.calendar import RemoteCalendar, CommitmentNotFoundError
from opentimestamps.core.notary import PendingAttestation, BitcoinBlockHeaderAttestation
def show(ts):
    for msg, att in sorted(ts.all_attestations(), key=lambda p: repr(p[1])):
        if isinstance(att, PendingAttestation): print('pending', msg.hex(), att.uri)
        elif isinstance(att, BitcoinBlockHeaderAttestation): print('bitcoin', msg.hex(), att.height)
        else: print('other', msg.hex())
`;

const key = (label: string) =>
  fundingKeyFromSecret(sha256(utf8(`calendar test ${label}`)), 'p2wpkh', regtest, {
    schnorrAuxRand: 'zero',
  });

async function anchoredLedger(devnet: Devnet, origin: string, label: string) {
  return openLedger({
    store: memoryLedgerStore({ origin }),
    anchorer: {
      backend: devnet,
      network: regtest,
      key: key(label),
      fee: { minSatPerVb: 1, maxSatPerVb: 50 },
    },
    pollMs: 0,
  });
}

let devnet: Devnet;
let calendarLedger: StoreLedger;
let server: LogServer;
let url = '';

beforeAll(async () => {
  devnet = createDevnet({ seed: 'calendar tests' });
  await devnet.test.mine(3, key('calendar').script);
  await devnet.test.mine(3, key('hospital').script);
  await devnet.test.mine(100);
  calendarLedger = await anchoredLedger(devnet, 'calendar.example/log', 'calendar');
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

/** Seals what the calendar ledger has pending, mines a block, and syncs the given ledgers. */
async function sealMineSync(...others: StoreLedger[]) {
  await calendarLedger.sequence();
  await calendarLedger.seal();
  for (const l of others) {
    await l.sequence();
    await l.seal();
  }
  await devnet.test.mine(1);
  await calendarLedger.sync();
  for (const l of others) await l.sync();
}

describe('medanchor serve answers the OpenTimestamps calendar protocol', () => {
  it('refuses a body that is not a 32-byte digest and an unknown commitment, writing nothing', async () => {
    const before = await calendarLedger.store.pendingCount();
    const long = await fetch(`${url}/digest`, { method: 'POST', body: new Uint8Array(65) });
    expect(long.status).toBe(400);
    expect((await long.json()).error.code).toBe('SERVER_BAD_REQUEST');
    const short = await fetch(`${url}/digest`, { method: 'POST', body: new Uint8Array(31) });
    expect(short.status).toBe(400);
    expect(await calendarLedger.store.pendingCount()).toBe(before);
    const get = await fetch(`${url}/digest`);
    expect(get.status).toBe(405);
    const unknown = await fetch(`${url}/timestamp/${'ab'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${url}/timestamp/xyz`);
    expect(bad.status).toBe(404);
  });

  it('takes at most ratePerSecond digests from strangers: 429 with Retry-After, nothing written', async () => {
    const store = memoryLedgerStore({ origin: 'calendar.example/limited' });
    const ledger = await openLedger({ store, pollMs: 0 });
    let limitedUrl = '';
    const limited = createLogServer({
      ledger,
      calendar: calendarRoutes({ ledger, publicUrl: () => limitedUrl, ratePerSecond: 0.001 }),
    });
    limitedUrl = (await limited.listen(0, '127.0.0.1')).url;
    try {
      const post = () =>
        fetch(`${limitedUrl}/digest`, {
          method: 'POST',
          body: Uint8Array.from(sha256(utf8('limited'))),
        });
      expect((await post()).status).toBe(200);
      const refused = await post();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await refused.json()).error.code).toBe('SERVER_RATE_LIMITED');
      expect(await store.pendingCount()).toBe(1);
    } finally {
      await limited.close();
      await ledger.close();
    }
  });

  it.skipIf(why !== '')(
    "python-opentimestamps' RemoteCalendar stamps against it and upgrades to the Bitcoin attestation of the log's anchor",
    async () => {
      const digest = sha256(utf8('a file stamped by a standard OpenTimestamps client'));
      const submitted = await python(
        `${PY_HEAD}
ts = RemoteCalendar(sys.argv[1] + '/').submit(bytes.fromhex(sys.argv[2]), timeout=10)
show(ts)`,
        [url, toHex(digest)],
      );
      expect(submitted).toHaveLength(1);
      const [kind, commitment, uri] = submitted[0]!.split(' ');
      expect(kind).toBe('pending');
      expect(uri).toBe(url);
      // The record is in the ledger, keyed by its commitment; not sealed yet: 404 to the client.
      expect(await calendarLedger.store.pendingCount()).toBeGreaterThan(0);
      const early = await python(
        `${PY_HEAD}
try:
    RemoteCalendar(sys.argv[1] + '/').get_timestamp(bytes.fromhex(sys.argv[2]), timeout=10)
    print('found')
except CommitmentNotFoundError:
    print('not found')`,
        [url, commitment!],
      );
      expect(early).toEqual(['not found']);

      await sealMineSync();
      const upgraded = await python(
        `${PY_HEAD}
show(RemoteCalendar(sys.argv[1] + '/').get_timestamp(bytes.fromhex(sys.argv[2]), timeout=10))`,
        [url, commitment!],
      );
      expect(upgraded).toHaveLength(1);
      const [k2, message, height] = upgraded[0]!.split(' ');
      expect(k2).toBe('bitcoin');
      // The message python reached is the merkle root of the devnet block at that height.
      const header = (await devnet.headerByHeight(Number(height))).header;
      expect(message).toBe(toHex(header.subarray(36, 68)));
    },
  );
});

describe('our calendar client: a second attestation in the receipt (calendar: a second medanchor server)', () => {
  let hospital: StoreLedger;
  let receipt: Receipt;
  const record = utf8('{"resourceType":"Observation","id":"cal-1"}');

  beforeAll(async () => {
    hospital = await anchoredLedger(devnet, 'hospital.example/log', 'hospital');
  });
  afterAll(async () => {
    await hospital?.close();
  });

  it('stamps the checkpoint digest (pending, level 1), upgrades it, verifies both at levels 2 and 3, exports both', async () => {
    const ack = await hospital.add(record);
    await hospital.sequence();
    await hospital.seal();
    const index = await hospital.whenSequenced(ack);
    const sealed = (await hospital.receipt(index))!;
    const stamped = await stampReceiptAtCalendars(sealed, [url]);
    expect(stamped.failures).toEqual([]);
    const entry = stamped.receipt.anchors.find((a) => a.type === CALENDAR_ANCHOR_TYPE)!;
    expect(entry).toMatchObject({ calendar: `${url}/` });
    const calendarOnly = calendarAnchorVerifier({ network: regtest });
    const pending = await verifyReceipt(stamped.receipt, {
      content: record,
      anchors: [calendarOnly],
    });
    expect(pending).toMatchObject({ ok: true, level: 1 });
    expect(pending.ok && pending.anchors[0]).toMatchObject({
      status: 'verified',
      level: 1,
      details: { status: 'pending' },
    });

    // Both logs seal and anchor in the same block; the hospital's receipt gets its own
    // anchor from its ledger and keeps the calendar entry beside it.
    await sealMineSync(hospital);
    const anchoredReceipt = (await hospital.receipt(index))!;
    expect(anchoredReceipt.anchors.map((a) => a.type)).toEqual(['bitcoin']);
    const both = { ...anchoredReceipt, anchors: [...anchoredReceipt.anchors, entry] };
    const up = await upgradeReceiptCalendars(both, { backend: devnet, network: regtest });
    expect(up.failures).toEqual([]);
    receipt = up.receipt;
    const upgraded = receipt.anchors[1] as CalendarAnchorEntry;
    expect(upgraded.header).toMatch(/^[0-9a-f]{160}$/);

    const level2 = await verifyReceipt(receipt, {
      content: record,
      anchors: [
        bitcoinAnchorVerifier({ network: regtest }),
        calendarAnchorVerifier({ network: regtest }),
      ],
    });
    expect(level2).toMatchObject({ ok: true, level: 2 });
    expect(level2.ok && level2.anchors.map((c) => [c.type, c.status, c.level])).toEqual([
      ['bitcoin', 'verified', 2],
      ['ots-calendar', 'verified', 2],
    ]);
    const deep = { backends: [devnet], minConfirmations: 1 };
    const level3 = await verifyReceipt(receipt, {
      content: record,
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, ...deep }),
        calendarAnchorVerifier({ network: regtest, ...deep }),
      ],
    });
    expect(level3).toMatchObject({ ok: true, level: 3 });
    expect(level3.ok && level3.anchors.map((c) => c.level)).toEqual([3, 3]);

    // .ots: our anchor and the calendar's Bitcoin attestation (plus its pending one).
    const ots = readOts(writeOts(receiptToOts(receipt)));
    const checked = await verifyOts(
      ots,
      record,
      async (h) => (await devnet.headerByHeight(h)).header,
    );
    expect(checked.ok && checked.confirmed).toHaveLength(2);
    if (why === '') {
      const seen = await python(
        `${PY_HEAD}
from opentimestamps.core.timestamp import DetachedTimestampFile
from opentimestamps.core.serialize import BytesDeserializationContext
f = DetachedTimestampFile.deserialize(BytesDeserializationContext(bytes.fromhex(sys.argv[1])))
show(f.timestamp)`,
        [toHex(writeOts(ots))],
      );
      expect(seen.map((l) => l.split(' ')[0]).sort()).toEqual(['bitcoin', 'bitcoin', 'pending']);
    }
  });

  it('a calendar entry that does not lead to its header fails at merkle-root; the bitcoin anchor still verifies', async () => {
    const entry = receipt.anchors[1] as CalendarAnchorEntry;
    const other = toHex((await devnet.headerByHeight(5)).header);
    const forged = { ...receipt, anchors: [receipt.anchors[0]!, { ...entry, header: other }] };
    const r = await verifyReceipt(forged, {
      content: record,
      anchors: [
        bitcoinAnchorVerifier({ network: regtest }),
        calendarAnchorVerifier({ network: regtest }),
      ],
    });
    expect(r).toMatchObject({ ok: false, step: 'anchor' });
    expect(!r.ok && r.reason).toMatch(/ots-calendar.*merkle-root/);
    expect(r.anchors?.[0]).toMatchObject({ type: 'bitcoin', status: 'verified' });
    // Another checkpoint's digest does not reach that block either.
    const moved = {
      ...receipt.checkpoint,
      digest: toHex(sha256(fromHex(receipt.checkpoint.digest))),
    };
    const v = calendarAnchorVerifier({ network: regtest });
    const out = await v.verify(entry, {
      checkpoint: { origin: moved.origin, size: moved.size, root: fromHex(moved.root) },
      digest: fromHex(moved.digest),
      receipt,
    });
    expect(out).toMatchObject({ ok: false });
    expect(!out.ok && out.reason).toMatch(/^merkle-root:/);
  });
});

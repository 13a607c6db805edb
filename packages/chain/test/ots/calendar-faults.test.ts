import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  fromHex,
  isMedanchorError,
  MemoryJournal,
  openBatcher,
  type Receipt,
  toHex,
  utf8,
} from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevnet, type Devnet } from '../../src/devnet/index.js';
import { regtest } from '../../src/network/index.js';
import {
  CALENDAR_ANCHOR_TYPE,
  type CalendarAnchorEntry,
  fetchCalendarTimestamp,
  type OtsTimestamp,
  stampAtCalendar,
  stampReceiptAtCalendars,
  submitToCalendar,
  upgradeCalendarEntry,
  upgradeReceiptCalendars,
  writeOtsTimestamp,
} from '../../src/ots/index.js';

// Faults a real calendar cannot be made to show (garbage, oversized or slow answers, an
// attestation for the wrong block): each comes from a calendar STAND-IN started here on a
// free port, answering what the test names. The well-behaved calendar of the other tests
// is a real medanchor server (packages/server/test/calendar.test.ts).

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
async function standIn(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const pendingAt = (uri: string): OtsTimestamp => ({
  attestations: [],
  ops: [{ op: { op: 'sha256' }, next: { attestations: [{ type: 'pending', uri }], ops: [] } }],
});
const answer = (res: ServerResponse, body: Uint8Array) => {
  res.writeHead(200, { 'Content-Length': String(body.length) });
  res.end(body);
};

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

const DIGEST = fromHex('11'.repeat(32));

describe('calendar answers that are refused with a typed error (fault stand-in calendars)', () => {
  it('garbage with status 200 is OTS_CALENDAR_ANSWER_INVALID', async () => {
    const url = await standIn((_req, res) => answer(res, utf8('<html>hello</html>')));
    const r = await refusal(submitToCalendar(url, DIGEST));
    expect(r.code).toBe('OTS_CALENDAR_ANSWER_INVALID');
    expect(r.message).toMatch(/not an OpenTimestamps timestamp/);
  });

  it('an oversized answer is refused, declared or streamed without a length', async () => {
    const big = writeOtsTimestamp({
      attestations: [],
      ops: Array.from({ length: 400 }, (_, i) => ({
        op: { op: 'append' as const, arg: new Uint8Array(40).fill(i % 256) },
        next: { attestations: [{ type: 'pending' as const, uri: 'http://x' }], ops: [] },
      })),
    });
    expect(big.length).toBeGreaterThan(10_000);
    const declared = await standIn((_req, res) => answer(res, big));
    const streamed = await standIn((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < big.length; i += 1000) res.write(big.subarray(i, i + 1000));
      res.end();
    });
    for (const url of [declared, streamed]) {
      const r = await refusal(submitToCalendar(url, DIGEST));
      expect(r.code).toBe('OTS_CALENDAR_ANSWER_INVALID');
      expect(r.message).toMatch(/at most 10000 are accepted|more than 10000 bytes/);
    }
  });

  it('a calendar that never answers, or stalls in its body, is OTS_CALENDAR_TIMEOUT', async () => {
    const silent = await standIn(() => {});
    const stalls = await standIn((_req, res) => {
      res.writeHead(200);
      res.write(Uint8Array.of(0x00));
    });
    for (const url of [silent, stalls]) {
      const r = await refusal(submitToCalendar(url, DIGEST, { timeoutMs: 300 }));
      expect(r.code).toBe('OTS_CALENDAR_TIMEOUT');
    }
  });

  it('another status is refused; a closed port is OTS_CALENDAR_UNREACHABLE; 404 on upgrade is "nothing yet"', async () => {
    const failing = await standIn((_req, res) => {
      res.writeHead(500);
      res.end('boom');
    });
    expect((await refusal(submitToCalendar(failing, DIGEST))).code).toBe(
      'OTS_CALENDAR_ANSWER_INVALID',
    );
    const closed = await standIn(() => {});
    const s = servers.pop()!;
    await new Promise((resolve) => s.close(resolve));
    expect((await refusal(submitToCalendar(closed, DIGEST))).code).toBe('OTS_CALENDAR_UNREACHABLE');
    const none = await standIn((_req, res) => {
      res.writeHead(404);
      res.end('Not found');
    });
    expect(await fetchCalendarTimestamp(none, DIGEST)).toBeUndefined();
    expect((await refusal(submitToCalendar('ftp://example.org', DIGEST))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('a timestamp with no pending or Bitcoin attestation is refused', async () => {
    const url = await standIn((_req, res) =>
      answer(
        res,
        writeOtsTimestamp({
          attestations: [{ type: 'unknown', tag: '0102030405060708', payload: Uint8Array.of(1) }],
          ops: [],
        }),
      ),
    );
    const r = await refusal(stampAtCalendar(url, DIGEST));
    expect(r.code).toBe('OTS_CALENDAR_ANSWER_INVALID');
    expect(r.message).toMatch(/neither a pending nor a Bitcoin attestation/);
  });
});

describe('a receipt keeps its other attestations when a calendar fails (fault stand-in calendars)', () => {
  let devnet: Devnet;
  let receipt: Receipt;
  let good = '';
  let lying = '';
  let garbage = '';

  beforeAll(async () => {
    devnet = createDevnet({ seed: 'calendar faults' });
    await devnet.test.mine(5);
    const batcher = await openBatcher({
      origin: 'faults.example/log',
      journal: new MemoryJournal(),
    });
    await batcher.add(utf8('record one'));
    receipt = (await batcher.seal())!.receipts[0]!;
    await batcher.close();
    // Answers a pending attestation to every digest; on upgrade, a Bitcoin attestation at
    // height 3 whose message is the commitment itself, not block 3's merkle root.
    const pendingThenLie: Handler = (req, res) => {
      if (req.method === 'POST') return answer(res, writeOtsTimestamp(pendingAt(lying)));
      answer(res, writeOtsTimestamp({ attestations: [{ type: 'bitcoin', height: 3 }], ops: [] }));
    };
    lying = await standIn(pendingThenLie);
    good = await standIn((req, res) => {
      if (req.method === 'POST') return answer(res, writeOtsTimestamp(pendingAt(good)));
      res.writeHead(404);
      res.end();
    });
    garbage = await standIn((_req, res) => answer(res, Uint8Array.of(0xff, 0xff, 0xff)));
  });

  it('stamping at a good, a garbage and an unreachable calendar adds one entry and names the two failures', async () => {
    const withOther = {
      ...receipt,
      anchors: [{ type: 'example', note: 'another attestation' }],
    };
    const { receipt: stamped, failures } = await stampReceiptAtCalendars(withOther, [
      good,
      garbage,
      'http://127.0.0.1:1',
    ]);
    expect(stamped.anchors.map((a) => a.type)).toEqual(['example', CALENDAR_ANCHOR_TYPE]);
    expect(failures.map((f) => [f.calendar, f.error.code]).sort()).toEqual(
      [
        [garbage, 'OTS_CALENDAR_ANSWER_INVALID'],
        ['http://127.0.0.1:1', 'OTS_CALENDAR_UNREACHABLE'],
      ].sort(),
    );
    // The checkpoint digest was sent, never the record or its salt.
    expect(JSON.stringify(failures.map((f) => f.error.message))).not.toContain(receipt.record.salt);
  });

  it('an upgrade whose Bitcoin attestation does not lead to the block is refused and the entry kept as it was', async () => {
    const digest = fromHex(receipt.checkpoint.digest);
    const entry = await stampAtCalendar(lying, digest);
    const options = { backend: devnet, network: regtest };
    const r = await refusal(upgradeCalendarEntry(entry, digest, options));
    expect(r.code).toBe('OTS_CALENDAR_ANSWER_INVALID');
    expect(r.message).toMatch(/does not lead to that block's merkle root/);
    const other = { type: 'example', note: 'another attestation' };
    const before = { ...receipt, anchors: [other, entry] };
    const after = await upgradeReceiptCalendars(before, options);
    expect(after.receipt.anchors).toEqual([other, entry]);
    expect(after.failures.map((f) => f.error.code)).toEqual(['OTS_CALENDAR_ANSWER_INVALID']);
    // A calendar with nothing yet (404) leaves a pending entry pending.
    const pending = await stampAtCalendar(good, digest);
    expect(await upgradeCalendarEntry(pending, digest, options)).toEqual({
      entry: pending,
      status: 'pending',
    });
  });

  it('a pending attestation pointing at another calendar is not followed unless trusted', async () => {
    const digest = fromHex(receipt.checkpoint.digest);
    // The entry says it was submitted to `good`, but its pending attestation names `lying`.
    const entry: CalendarAnchorEntry = {
      type: CALENDAR_ANCHOR_TYPE,
      calendar: `${good}/`,
      timestamp: toHex(writeOtsTimestamp(pendingAt(lying))),
    };
    const options = { backend: devnet, network: regtest };
    expect((await upgradeCalendarEntry(entry, digest, options)).status).toBe('pending');
    const trusted = { ...options, trustedCalendars: [lying] };
    expect((await refusal(upgradeCalendarEntry(entry, digest, trusted))).code).toBe(
      'OTS_CALENDAR_ANSWER_INVALID',
    );
  });
});

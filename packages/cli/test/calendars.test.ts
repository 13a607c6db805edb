import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CALENDAR_ANCHOR_TYPE,
  fundingKeyFromSecret,
  openLedger,
  readOts,
  regtest,
  type StoreLedger,
  verifyOts,
} from '@medanchor/chain';
import { createDevnet, type Devnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { fromHex, memoryLedgerStore, sha256, utf8 } from '@medanchor/core';
import { createLogServer, type LogServer } from '@medanchor/server';
import { calendarRoutes } from '@medanchor/server/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, initProject } from './harness.js';

// `"calendars"` in medanchor.config.json: the CLI's seal stamps the checkpoint at an
// OpenTimestamps calendar, `upgrade` brings the calendar's Bitcoin attestation into the
// receipts, and `ots export` carries both attestations. The calendar is a real medanchor
// server (its calendar routes) on a free port, anchoring on the same devnet as the project,
// which the CLI reaches over Esplora HTTP on another free port.

let devnet: Devnet;
let esplora: Awaited<ReturnType<typeof serveEsplora>>;
let calendarLedger: StoreLedger;
let calendar: LogServer;
let calendarUrl = '';

function setConfig(cwd: string, extra: Record<string, unknown>): void {
  const path = join(cwd, 'medanchor.config.json');
  const config = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...config, ...extra }, null, 2));
}

/** Every file under `dir` with a hash of its bytes: what "nothing was written" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  devnet = createDevnet({ seed: 'cli calendars' });
  const calendarKey = fundingKeyFromSecret(
    sha256(utf8('cli calendars calendar')),
    'p2wpkh',
    regtest,
  );
  await devnet.test.mine(2, calendarKey.script);
  await devnet.test.mine(100);
  calendarLedger = await openLedger({
    store: memoryLedgerStore({ origin: 'calendar.example/log' }),
    anchorer: {
      backend: devnet,
      network: regtest,
      key: calendarKey,
      fee: { minSatPerVb: 1, maxSatPerVb: 50 },
    },
    pollMs: 0,
  });
  calendar = createLogServer({
    ledger: calendarLedger,
    calendar: calendarRoutes({ ledger: calendarLedger, publicUrl: () => calendarUrl }),
  });
  calendarUrl = (await calendar.listen(0, '127.0.0.1')).url;
  esplora = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await calendar?.close();
  await calendarLedger?.close();
  await esplora?.close();
});

describe('medanchor with "calendars" in its config', () => {
  it('seal stamps at the calendar; upgrade adds its Bitcoin attestation; ots export carries both', async () => {
    const { dir: cwd, remove } = await initProject('calendars', 'clinic.example/calendars');
    try {
      const w = JSON.parse(readFileSync(join(cwd, '.medanchor', 'wallet.json'), 'utf8'));
      const key = fundingKeyFromSecret(fromHex(w.secretKey), w.keyType, regtest);
      await devnet.test.mine(1, key.script);
      await devnet.test.mine(100);
      setConfig(cwd, { calendars: [calendarUrl] });
      const env = { MEDANCHOR_ESPLORA_URL: esplora.url };
      const file = join(cwd, 'obs.json');
      const content = utf8(JSON.stringify({ resourceType: 'Observation', id: 'cal-1' }));
      writeFileSync(file, content);
      const stamp = await cli(['stamp', file], { cwd, env });
      expect(stamp.status, stamp.stderr).toBe(0);
      const seal = await cli(['seal', '--json'], { cwd, env });
      expect(seal.status, seal.stderr).toBe(0);
      const digest = JSON.parse(seal.stdout).checkpoint.digest as string;

      // Right after the seal the receipt holds the calendar's pending entry.
      const receiptPath = `${file}.receipt.json`;
      const pending = JSON.parse(readFileSync(receiptPath, 'utf8'));
      const calendarEntry = (r: { anchors: { type: string }[] }) =>
        r.anchors.find((a) => a.type === CALENDAR_ANCHOR_TYPE) as
          | { calendar: string; header?: string }
          | undefined;
      expect(calendarEntry(pending)?.calendar).toBe(`${calendarUrl}/`);
      expect(calendarEntry(pending)?.header).toBeUndefined();

      // The calendar seals what it was given and anchors it; one block confirms both.
      await calendarLedger.sequence();
      expect((await calendarLedger.seal())?.anchor.record).toBeDefined();
      expect(await devnet.test.mempool()).toHaveLength(2);
      await devnet.test.mine(1);
      await calendarLedger.sync();

      const upgrade = await cli(['upgrade', '--json'], { cwd, env });
      expect(upgrade.status, upgrade.stderr).toBe(0);
      const receipt = JSON.parse(readFileSync(receiptPath, 'utf8'));
      expect(receipt.anchors.map((a: { type: string }) => a.type)).toEqual([
        'bitcoin',
        CALENDAR_ANCHOR_TYPE,
      ]);
      expect(calendarEntry(receipt)?.header).toMatch(/^[0-9a-f]{160}$/);
      expect(receipt.checkpoint.digest).toBe(digest);

      const exported = await cli(['ots', 'export', receiptPath], { cwd, env });
      expect(exported.status, exported.stderr).toBe(0);
      const ots = readOts(readFileSync(`${file}.ots`));
      const verdict = await verifyOts(
        ots,
        content,
        async (h) => (await devnet.headerByHeight(h)).header,
      );
      // Two Bitcoin attestations: the project's own anchor and the calendar's.
      expect(verdict.ok && verdict.confirmed).toHaveLength(2);
      const verify = await cli(['ots', 'verify', file, `${file}.ots`], { cwd, env });
      expect(verify.status, verify.stderr).toBe(0);
    } finally {
      remove();
    }
  }, 120_000);

  it('a calendar attestation that comes a block after the own anchor still reaches the receipt beside the file', async () => {
    const { dir: cwd, remove } = await initProject('calendars-late', 'clinic.example/cal-late');
    try {
      const w = JSON.parse(readFileSync(join(cwd, '.medanchor', 'wallet.json'), 'utf8'));
      const key = fundingKeyFromSecret(fromHex(w.secretKey), w.keyType, regtest);
      await devnet.test.mine(1, key.script);
      await devnet.test.mine(100);
      setConfig(cwd, { calendars: [calendarUrl] });
      const env = { MEDANCHOR_ESPLORA_URL: esplora.url };
      const file = join(cwd, 'late.json');
      writeFileSync(file, '{"resourceType":"Observation","id":"late"}');
      const stamp = await cli(['stamp', file], { cwd, env });
      expect(stamp.status, stamp.stderr).toBe(0);
      const seal = await cli(['seal'], { cwd, env });
      expect(seal.status, seal.stderr).toBe(0);
      // Our anchor confirms first; the calendar has not anchored yet.
      await devnet.test.mine(1);
      const up1 = await cli(['upgrade'], { cwd, env });
      expect(up1.status, up1.stderr).toBe(0);
      const first = JSON.parse(readFileSync(`${file}.receipt.json`, 'utf8'));
      expect(first.anchors.map((a: { type: string }) => a.type)).toEqual([
        'bitcoin',
        CALENDAR_ANCHOR_TYPE,
      ]);
      expect(first.anchors[1].header).toBeUndefined();
      // Now the calendar anchors; only the calendar entry of the receipt changes.
      await calendarLedger.sequence();
      await calendarLedger.seal();
      await devnet.test.mine(1);
      await calendarLedger.sync();
      const up2 = await cli(['upgrade'], { cwd, env });
      expect(up2.status, up2.stderr).toBe(0);
      const later = JSON.parse(readFileSync(`${file}.receipt.json`, 'utf8'));
      expect(later.anchors[0]).toEqual(first.anchors[0]);
      expect(later.anchors[1].header).toMatch(/^[0-9a-f]{160}$/);
    } finally {
      remove();
    }
  }, 120_000);

  it.each([
    ['not an array', 'https://a.example', /must be an array/],
    ['plain http to another machine', ['http://calendar.example'], /plain http/],
    ['another scheme', ['ftp://127.0.0.1/x'], /https:\/\/ URL/],
    ['not a URL', ['calendar'], /https:\/\/ URL/],
    ['a password in the URL', ['https://user:hunter2@calendar.example'], /user name or password/],
    ['a query', ['https://calendar.example/?token=1'], /query or fragment/],
    ['too many', Array.from({ length: 17 }, (_, i) => `https://c${i}.example`), /at most 16/],
  ])('refuses %s with CLI_CONFIG, exit 2, and writes nothing', async (_name, value, message) => {
    const { dir: cwd, remove } = await initProject('calendars-bad', 'clinic.example/calendars');
    try {
      const file = join(cwd, 'obs.json');
      writeFileSync(file, '{"resourceType":"Observation"}');
      expect((await cli(['stamp', file], { cwd })).status).toBe(0);
      setConfig(cwd, { calendars: value });
      const before = snapshot(cwd);
      for (const command of [['seal'], ['upgrade'], ['stamp', file]]) {
        const r = await cli([...command, '--json'], { cwd });
        expect(r.status, command.join(' ')).toBe(2);
        const error = JSON.parse(r.stdout).error;
        expect(error.code).toBe('CLI_CONFIG');
        expect(error.message).toMatch(message);
        expect(`${r.stdout}${r.stderr}`).not.toContain('hunter2');
      }
      expect(snapshot(cwd)).toEqual(before);
    } finally {
      remove();
    }
  });
});

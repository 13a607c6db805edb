import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fromHex, toHex, utf8, verifyReceipt } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { makeOtsCalendarVectors } from '../../../../docs/spec/make-ots-calendar-vectors.js';
import { regtest } from '../../src/network/index.js';
import {
  type CalendarAnchorEntry,
  calendarAnchorVerifier,
  reachedAttestations,
  readOts,
  readOtsTimestamp,
  verifyOts,
} from '../../src/ots/index.js';

// docs/spec/ots-calendar.md's vectors: the committed file is what the generator makes now,
// the answers lead where the page says, the entries verify (or fail at the named step), and
// the .ots export is read by the independent opentimestamps npm package.
const OTS = createRequire(import.meta.url)('opentimestamps');
const file = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/ots-calendar.json', import.meta.url), 'utf8'),
);
const digest = fromHex(file.checkpointDigest);
const header = fromHex(file.block.header);
const verifier = calendarAnchorVerifier({ network: regtest });
const context = {
  checkpoint: {
    origin: file.receipt.checkpoint.origin,
    size: file.receipt.checkpoint.size,
    root: fromHex(file.receipt.checkpoint.root),
  },
  digest,
  receipt: file.receipt,
};

describe('docs/spec/ots-calendar.md test vectors', () => {
  it('the committed vectors are what the generator produces', async () => {
    expect(file).toEqual(JSON.parse(JSON.stringify(await makeOtsCalendarVectors())));
  });

  it('the pending answer leads from the checkpoint digest to the commitment, the upgrade to the block', () => {
    const pending = reachedAttestations(readOtsTimestamp(fromHex(file.pendingAnswer)), digest);
    expect(pending.map((r) => [r.attestation, toHex(r.message)])).toEqual([
      [{ type: 'pending', uri: 'https://calendar.example' }, file.commitment],
    ]);
    const up = reachedAttestations(
      readOtsTimestamp(fromHex(file.upgradeAnswer)),
      fromHex(file.commitment),
    );
    expect(up.map((r) => [r.attestation, toHex(r.message)])).toEqual([
      [{ type: 'bitcoin', height: file.block.height }, toHex(header.subarray(36, 68))],
    ]);
  });

  it('the pending entry verifies at level 1, the upgraded one at level 2; the invalid ones fail at their step', async () => {
    expect(await verifier.verify(file.pendingEntry, context)).toMatchObject({
      ok: true,
      level: 1,
      details: { status: 'pending' },
    });
    expect(await verifier.verify(file.upgradedEntry, context)).toMatchObject({
      ok: true,
      level: 2,
      details: { status: 'bitcoin', height: file.block.height },
    });
    const receipt = { ...file.receipt, anchors: [file.upgradedEntry] };
    const r = await verifyReceipt(receipt, { content: utf8(file.record), anchors: [verifier] });
    expect(r).toMatchObject({ ok: true, level: 2 });
    // A pending entry proves no time: it does not satisfy requireAnchor.
    const pendingOnly = { ...file.receipt, anchors: [file.pendingEntry] };
    expect(await verifyReceipt(pendingOnly, { anchors: [verifier] })).toMatchObject({
      ok: true,
      level: 1,
    });
    expect(
      await verifyReceipt(pendingOnly, { anchors: [verifier], requireAnchor: true }),
    ).toMatchObject({ ok: false, step: 'anchor' });
    expect(file.invalid.length).toBeGreaterThan(0);
    for (const c of file.invalid as { why: string; step: string; entry: CalendarAnchorEntry }[]) {
      const out = await verifier.verify(c.entry, context);
      expect(out.ok, c.why).toBe(false);
      expect(!out.ok && out.reason.split(':')[0], c.why).toBe(c.step);
    }
  });

  it('the .ots export verifies against the header, with ours and with opentimestamps', async () => {
    const bytes = fromHex(file.ots);
    const result = await verifyOts(readOts(bytes), utf8(file.record), (h) =>
      h === file.block.height ? header : undefined,
    );
    expect(result).toMatchObject({ ok: true, confirmed: [{ height: file.block.height }] });
    const detached = OTS.DetachedTimestampFile.deserialize(Array.from(bytes));
    const seen: [string, string][] = [];
    detached.timestamp.allAttestations().forEach((att: unknown, msg: number[]) => {
      seen.push([(att as object).constructor.name, toHex(Uint8Array.from(msg))]);
    });
    expect(seen.sort()).toEqual(
      [
        ['BitcoinBlockHeaderAttestation', toHex(header.subarray(36, 68))],
        ['PendingAttestation', file.commitment],
      ].sort(),
    );
  });
});

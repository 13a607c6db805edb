import type { Receipt } from '@medanchor/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type RecordVersionEvidence,
  type VersionLink,
  verifyRecordHistory,
  versionLink,
  versionLinkBytes,
} from '../src/record-history.js';
import { devLedger, observation, obsVersion } from './helpers.js';

// Four versions of Observation/obs-1, chained, with another record's versions between
// them, anchored on an in-process devnet and verified at level 3.
let env: Awaited<ReturnType<typeof devLedger>>;
let versions: RecordVersionEvidence[];

beforeAll(async () => {
  env = await devLedger('record-history');
  versions = [];
  let prev: { link: VersionLink; receipt: Receipt } | undefined;
  for (let v = 1; v <= 4; v++) {
    const { content, link } = obsVersion(v, prev);
    const { leafIndex } = await env.ledger.add(versionLinkBytes(link));
    await env.ledger.add(
      versionLinkBytes(versionLink('Observation/other', observation('other', String(v), v))),
    );
    await env.anchor();
    const receipt = (await env.ledger.receipt(leafIndex))!;
    versions.push({ content, link, receipt });
    prev = { link, receipt };
  }
}, 120_000);

describe('record history (version links)', () => {
  it('all four versions verify as the complete history up to the head checkpoint', async () => {
    const h = await verifyRecordHistory(versions, { anchors: [env.verifier], requireAnchor: true });
    expect(h).toMatchObject({ ok: true, record: 'Observation/obs-1', versions: 4 });
    if (h.ok) {
      expect(h.upTo.origin).toBe('hospital.example/record-history');
      expect(h.upTo.size).toBeGreaterThanOrEqual(8);
      expect(h.statement).toMatch(/existed no later than/);
    }
    expect((versions[1]!.link as VersionLink).previous).toEqual({
      leafIndex: (versions[0]!.receipt as Receipt).leafIndex,
      commitment: (versions[0]!.receipt as Receipt).record.commitment,
    });
  });

  it('an omitted middle version is detected', async () => {
    const h = await verifyRecordHistory([versions[0]!, versions[1]!, versions[3]!]);
    expect(h).toMatchObject({ ok: false, step: 'omitted', at: 2 });
  });

  it('an omitted first version is detected', async () => {
    const h = await verifyRecordHistory(versions.slice(1));
    expect(h).toMatchObject({ ok: false, step: 'omitted', at: 0 });
  });

  it('reordered versions are detected', async () => {
    const h = await verifyRecordHistory([versions[0]!, versions[2]!, versions[1]!, versions[3]!]);
    expect(h).toMatchObject({ ok: false, step: 'reordered', at: 2 });
  });

  it('a version replaced by other bytes is detected', async () => {
    const forged = { ...versions[2]!, content: observation('obs-1', '3', 99) };
    const h = await verifyRecordHistory([versions[0]!, versions[1]!, forged, versions[3]!]);
    expect(h).toMatchObject({ ok: false, step: 'content', at: 2 });
  });

  it('a link re-chained to skip a version does not match its receipt', async () => {
    const v4 = versions[3]!;
    const relinked = {
      ...(v4.link as VersionLink),
      seq: 3,
      previous: {
        leafIndex: (versions[1]!.receipt as Receipt).leafIndex,
        commitment: (versions[1]!.receipt as Receipt).record.commitment,
      },
    };
    const h = await verifyRecordHistory([versions[0]!, versions[1]!, { ...v4, link: relinked }]);
    expect(h).toMatchObject({ ok: false, step: 'receipt:content', at: 2 });
  });

  it('bad input is reported, never thrown', async () => {
    expect(await verifyRecordHistory([])).toMatchObject({ ok: false, step: 'shape' });
    expect(await verifyRecordHistory(null as never)).toMatchObject({ ok: false, step: 'shape' });
    expect(
      await verifyRecordHistory([{ content: 1, link: {}, receipt: {} } as never]),
    ).toMatchObject({
      ok: false,
      step: 'shape',
    });
    expect(() => versionLink('not a ref', new Uint8Array(1))).toThrow(/reference/);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { fromHex, toHex } from '@medanchor/core';
import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import {
  buildSchedule,
  defaultSchedulePath,
  modulePath,
  renderModule,
  SCHEDULED_NETWORKS,
} from '../../../../scripts/make-schedule.js';
import { parseHeader } from '../../src/bitcoin/header.js';
import { MAINNET_SCHEDULE } from '../../src/schedule/data/mainnet.js';
import {
  bundledSchedule,
  checkHeaderAgainstSchedule,
  decodeSchedule,
  encodeSchedule,
  scheduleEnd,
} from '../../src/schedule/index.js';
import { realMainnetHeaders } from './vectors.js';

describe('bundled difficulty schedule', () => {
  for (const network of SCHEDULED_NETWORKS) {
    const source = defaultSchedulePath(network);
    it(`${network}: the bundled module is what scripts/make-schedule.ts makes from the shared file`, (ctx) => {
      if (!existsSync(source)) {
        console.log(`skipped: ${source} is absent (set MEDANCHOR_VECTORS)`);
        ctx.skip();
      }
      const json = JSON.parse(readFileSync(source, 'utf8'));
      expect(readFileSync(modulePath(network), 'utf8')).toBe(
        renderModule(buildSchedule(network, json)),
      );
      // Every epoch the file knows is in the bundle, with the same bits.
      const s = bundledSchedule(network)!;
      expect(s.epochs.length).toBe(json.epochs.length);
      for (const e of json.epochs as { epoch: number; bits?: string }[])
        if (e.bits !== undefined) expect(s.epochs[e.epoch]!.bits).toBe(Number.parseInt(e.bits, 16));
    });
  }

  it('mainnet fits in 20 KB as source and covers the schedule to 955,583', () => {
    expect(readFileSync(modulePath('mainnet')).length).toBeLessThanOrEqual(20 * 1024);
    expect(scheduleEnd(bundledSchedule('mainnet')!)).toBe(955_583);
    expect(bundledSchedule('regtest')).toBeUndefined();
  });

  it('packs the example of docs/spec/anchor.md to the bytes the spec gives', () => {
    const spec = readFileSync(new URL('../../../../docs/spec/anchor.md', import.meta.url), 'utf8');
    const hex = /packs to the 40 bytes\s+`([0-9a-f ]+)`/.exec(spec)![1]!.replace(/ /g, '');
    const b64 = /base64 `([A-Za-z0-9+/=]+)`/.exec(spec)![1]!;
    const lastHash = '00000000693067b0e6b440bc51450b9f3850561b07f6d3c021c54fbd6abb9763';
    const packed = encodeSchedule({
      network: 'mainnet',
      interval: 2016,
      anchorFloor: 0,
      epochs: [
        {
          bits: 0x1d00ffff,
          firstTime: 1231006505,
          lastHashPrefix: fromHex(lastHash).reverse().slice(0, 16),
        },
      ],
    });
    expect(packed).toBe(b64);
    expect(toHex(base64.decode(packed))).toBe(hex);
    // The bundled mainnet schedule's first epoch record is the same 24 bytes.
    expect(toHex(base64.decode(MAINNET_SCHEDULE).subarray(16, 40))).toBe(hex.slice(32));
  });

  it('encodes and decodes to the same schedule, and refuses what is not one', () => {
    const s = bundledSchedule('signet')!;
    expect(decodeSchedule('signet', encodeSchedule(s))).toEqual(s);
    expect(() => decodeSchedule('x', 'AAAA')).toThrow(/magic/);
    expect(() => decodeSchedule('x', '!!')).toThrow(/base64/);
  });

  it('packs base64 byte for byte as @scure/base does, and refuses text that is not canonical base64', () => {
    for (let n = 0; n < 40; n++) {
      const epochs = Array.from({ length: n }, (_, k) => ({
        bits: (0x1d00ffff + k * 7919) >>> 0,
        firstTime: 1231006505 + k * 1209600,
        ...(k % 3 === 0
          ? {}
          : { lastHashPrefix: Uint8Array.from({ length: 16 }, (_, i) => (i * 31 + k) & 0xff) }),
      }));
      const s = { network: 'x', interval: 2016, epochs, anchorFloor: n * 2016 };
      const packed = encodeSchedule(s);
      const bytes = base64.decode(packed);
      expect(base64.encode(bytes)).toBe(packed);
      expect(decodeSchedule('x', base64.encode(bytes))).toEqual(decodeSchedule('x', packed));
      expect(decodeSchedule('x', packed).epochs).toHaveLength(n);
    }
    const packed = encodeSchedule(bundledSchedule('signet')!);
    for (const bad of [
      packed.replace(/=+$/, ''), // padding dropped
      `${packed.slice(0, 8)} ${packed.slice(8)}`, // whitespace
      `${packed.slice(0, 4)}-${packed.slice(5)}`, // url-safe alphabet
      `${packed}=`,
    ]) {
      expect(() => decodeSchedule('signet', bad)).toThrow(/not base64/);
    }
  });

  it('real mainnet headers pass the rules at their heights (floor lowered to 0)', () => {
    const headers = realMainnetHeaders();
    expect(headers.length).toBeGreaterThan(400);
    const schedule = bundledSchedule('mainnet')!;
    for (const h of headers) {
      const r = checkHeaderAgainstSchedule(parseHeader(h.header), h.height, schedule, {
        minHeight: 0,
      });
      expect(r, `${h.from} at ${h.height}`).toMatchObject({ ok: true });
    }
  });

  it('real mainnet headers are refused below the anchor floor, and at another epoch height', () => {
    const schedule = bundledSchedule('mainnet')!;
    const block = realMainnetHeaders().find((h) => h.height === 592_920)!;
    const header = parseHeader(block.header);
    expect(checkHeaderAgainstSchedule(header, block.height, schedule)).toMatchObject({
      ok: false,
      step: 'floor',
    });
    // The same header claimed 30 epochs later: other bits.
    expect(
      checkHeaderAgainstSchedule(header, block.height + 30 * 2016, schedule, { minHeight: 0 }),
    ).toMatchObject({ ok: false, step: 'bits' });
    // The genesis header claimed at height 2016 * 5 (same bits, four epochs later): its time.
    const genesis = realMainnetHeaders().find((h) => h.height === 0)!;
    expect(
      checkHeaderAgainstSchedule(parseHeader(genesis.header), 2016 * 5, schedule, { minHeight: 0 }),
    ).toMatchObject({ ok: false, step: 'time' });
  });
});

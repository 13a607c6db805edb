import { basename } from 'node:path';
import { fromHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import {
  itWhen,
  listVectorFiles,
  readVectorJson,
  vectorPath,
} from '../../../../test/helpers/vectors.js';
import {
  blockHashHex,
  hashToDisplayHex,
  headerMeetsTarget,
  parseHeader,
  validateHeaderChain,
} from '../../src/bitcoin/index.js';
import { networkOf } from './network-of.js';

interface HeadersVector {
  network: string;
  startHeight: number;
  endHeight: number;
  headers: string[];
  extraHeaders: {
    role: 'stale' | 'epochStart' | 'badPosition';
    height: number | null;
    header: string;
  }[];
}

const dir = vectorPath('bitcoin/headers');
const files = dir === undefined ? [] : listVectorFiles('bitcoin/headers');

describe('conformance: real header chains (bitcoin/headers)', () => {
  it.skipIf(!dir)('the folder holds header chains', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const v = readVectorJson<HeadersVector>(file);
    const name = basename(file);
    const params = networkOf(v.network, name);
    const headers = v.headers.map((h) => fromHex(h));
    const checkpoint = { height: v.startHeight, header: headers[0]! };
    const epoch = v.extraHeaders.find((e) => e.role === 'epochStart');
    const epochStart =
      epoch && epoch.height !== null
        ? { height: epoch.height, header: fromHex(epoch.header) }
        : undefined;
    const input = {
      params,
      checkpoint,
      headers: headers.slice(1),
      ...(epochStart ? { epochStart } : {}),
    };
    // A retarget inside the chain whose epoch began before the checkpoint needs epochStart.
    const crossesRetarget = Array.from(
      { length: headers.length - 1 },
      (_, i) => v.startHeight + 1 + i,
    ).some(
      (h) => h % params.retarget.interval === 0 && h - params.retarget.interval < v.startHeight,
    );

    it(`${name}: validates from its first header as checkpoint (${headers.length} headers)`, () => {
      expect(headers).toHaveLength(v.endHeight - v.startHeight + 1);
      const r = validateHeaderChain(input);
      if (!r.ok) expect.fail(`${r.step} at ${r.height}: ${r.reason}`);
      expect(r.chain.tipHeight).toBe(v.endHeight);
      expect(r.chain.hashes[r.chain.hashes.length - 1]).toBe(
        blockHashHex(headers[headers.length - 1]!),
      );
      if (v.startHeight === 0) expect(r.chain.hashes[0]).toBe(params.genesisHash);
    });

    itWhen(
      crossesRetarget,
      'the chain does not cross a retarget',
      `${name}: the retarget inside needs the epoch start (and fails with wrong bits)`,
      () => {
        const without = validateHeaderChain({ params, checkpoint, headers: headers.slice(1) });
        expect(without).toMatchObject({ ok: false, step: 'bits' });
        // A wrong epoch start (the checkpoint pretending to be it) gives other bits.
        if (epochStart !== undefined) {
          const wrong = validateHeaderChain({
            ...input,
            epochStart: { height: epochStart.height, header: headers[0]! },
          });
          expect(wrong).toMatchObject({ ok: false, step: 'bits' });
        }
      },
    );

    it(`${name}: a flipped byte in any header after the checkpoint breaks the chain`, () => {
      for (let i = 1; i < headers.length; i += Math.max(1, Math.floor(headers.length / 25))) {
        const bad = headers.map((h) => h.slice());
        bad[i]![i % 80]! ^= 0x04;
        const r = validateHeaderChain({ ...input, headers: bad.slice(1) });
        expect(r.ok, `header ${i}`).toBe(false);
      }
    });

    for (const extra of v.extraHeaders) {
      const header = fromHex(extra.header);
      if (extra.role === 'stale') {
        it(`${name}: the stale header at ${extra.height} has valid PoW but is not in the chain`, () => {
          expect(headerMeetsTarget(header, params)).toBe(true);
          const hashes = headers.map(blockHashHex);
          expect(hashes).not.toContain(blockHashHex(header));
          if (extra.height === null) return;
          const at = extra.height - v.startHeight;
          if (at < 1 || at >= headers.length) return;
          // Put in place of the chain's block at its height, the chain breaks: at the next
          // header when it shares the parent (a real competing block), else at itself.
          const sameParent = hashToDisplayHex(parseHeader(header).prevHash) === hashes[at - 1];
          const forked = [...headers.slice(1, at), header, ...headers.slice(at + 1)];
          const r = validateHeaderChain({ ...input, headers: forked });
          expect(r).toMatchObject({ ok: false, step: 'linkage' });
          if (!r.ok && at + 1 < headers.length)
            expect(r.height).toBe(extra.height! + (sameParent ? 1 : 0));
        });
      } else if (extra.role === 'badPosition') {
        it(`${name}: the badPosition header fails linkage wherever it is placed`, () => {
          expect(headerMeetsTarget(header, params)).toBe(true);
          for (const at of [1, Math.floor(headers.length / 2), headers.length - 1]) {
            const placed = [...headers.slice(1, at), header, ...headers.slice(at + 1)];
            expect(validateHeaderChain({ ...input, headers: placed })).toMatchObject({
              ok: false,
              step: 'linkage',
            });
          }
          const appended = validateHeaderChain({
            ...input,
            headers: [...headers.slice(1), header],
          });
          expect(appended).toMatchObject({ ok: false, step: 'linkage', height: v.endHeight + 1 });
        });
      } else if (extra.role === 'epochStart') {
        it(`${name}: the epochStart header meets its target and precedes the chain by less than one epoch`, () => {
          expect(headerMeetsTarget(header, params)).toBe(true);
          expect(extra.height).not.toBeNull();
          expect(extra.height! % params.retarget.interval).toBe(0);
          expect(v.startHeight - extra.height!).toBeLessThan(params.retarget.interval);
        });
      }
    }
  }
});

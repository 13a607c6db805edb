import { describe, expect, it } from 'vitest';
import { blockHashHex } from '../../src/bitcoin/index.js';
import { createDevnet } from '../../src/devnet/index.js';
import { mainnet, regtest } from '../../src/network/index.js';
import { type HeaderSource, proveBlockDepth } from '../../src/spv/depth.js';
import { headerRun } from '../schedule/vectors.js';

/** Real mainnet headers from a vector file, served in memory; `alter` edits one on the way. */
function source(
  run: { startHeight: number; headers: Uint8Array[] },
  alter?: (height: number, header: Uint8Array) => Uint8Array,
): HeaderSource & { requests: number } {
  const s = {
    name: 'vectors',
    requests: 0,
    async headerByHeight(height: number) {
      s.requests++;
      const h = run.headers[height - run.startHeight];
      if (h === undefined) throw new Error(`no header at ${height}`);
      return { height, header: alter ? alter(height, h.slice()) : h };
    },
  };
  return s;
}

const early = headerRun('mainnet-0-438.json');
const later = headerRun('summa-relays-headers-562621-562639.json');

describe('level 3 headers from a trusted checkpoint (real mainnet headers)', () => {
  it('proves a block 6 deep forward from genesis, with the schedule bits', async (ctx) => {
    if (early === undefined) return ctx.skip();
    const src = source(early);
    const r = await proveBlockDepth({
      params: mainnet,
      block: { height: 100, header: early.headers[100]! },
      confirmations: 6,
      source: src,
      minChainWork: 0n,
    });
    expect(r).toMatchObject({ ok: true, checkpointHeight: 0, direction: 'forward', fetched: 106 });
    if (r.ok) expect(r.chain.hashes[100]).toBe(blockHashHex(early.headers[100]!));
  });

  it('proves a block backward to a pinned header above it, fetching only the headers between', async (ctx) => {
    if (early === undefined) return ctx.skip();
    const src = source(early);
    const r = await proveBlockDepth({
      params: mainnet,
      block: { height: 430, header: early.headers[430]! },
      confirmations: 6,
      source: src,
      pinned: { height: 438, header: early.headers[438]! },
      minChainWork: 0n,
    });
    expect(r).toMatchObject({ ok: true, direction: 'backward', checkpointHeight: 438, fetched: 8 });
    expect(src.requests).toBe(8);
  });

  it('refuses a block at another height, an altered header and a source that cannot serve', async (ctx) => {
    if (early === undefined) return ctx.skip();
    const base = { params: mainnet, confirmations: 6, minChainWork: 0n };
    // The header of 100 claimed at 101: not the validated chain's block there.
    expect(
      await proveBlockDepth({
        ...base,
        block: { height: 101, header: early.headers[100]! },
        source: source(early),
      }),
    ).toMatchObject({ ok: false, step: 'block', undetermined: false });
    // A header above the block with another nonce: its hash misses the target or the link.
    const altered = source(early, (height, h) => {
      if (height === 103) h[79] = (h[79]! + 1) & 0xff;
      return h;
    });
    const r = await proveBlockDepth({
      ...base,
      block: { height: 100, header: early.headers[100]! },
      source: altered,
    });
    expect(r).toMatchObject({ ok: false, undetermined: false });
    if (!r.ok) expect(['pow', 'linkage']).toContain(r.step);
    // A source that fails is "could not check", not "refuted".
    const down: HeaderSource = {
      name: 'down',
      headerByHeight: () => Promise.reject(new Error('connection refused')),
    };
    expect(
      await proveBlockDepth({
        ...base,
        block: { height: 100, header: early.headers[100]! },
        source: down,
      }),
    ).toMatchObject({ ok: false, step: 'fetch', undetermined: true });
  });

  it('never starts from the receipt header: a checkpoint too far away is capped, undetermined', async (ctx) => {
    if (later === undefined) return ctx.skip();
    const r = await proveBlockDepth({
      params: mainnet,
      block: { height: 562_625, header: later.headers[4]! },
      confirmations: 6,
      source: source(later),
      maxHeaders: 100,
    });
    expect(r).toMatchObject({ ok: false, step: 'cap', undetermined: true });
    // With a pinned header below it, the same block is proven forward with mainnet's real bits.
    const pinned = await proveBlockDepth({
      params: mainnet,
      block: { height: 562_625, header: later.headers[4]! },
      confirmations: 6,
      source: source(later),
      pinned: { height: 562_621, header: later.headers[0]! },
    });
    expect(pinned).toMatchObject({ ok: true, direction: 'forward', checkpointHeight: 562_621 });
  });

  it('regtest: from genesis within the cap, else from just below the block (nothing else vouches)', async () => {
    const devnet = createDevnet({ seed: 'depth regtest' });
    await devnet.test.mine(30);
    const block = await devnet.headerByHeight(20);
    const near = await proveBlockDepth({
      params: regtest,
      block,
      confirmations: 3,
      source: devnet,
    });
    expect(near).toMatchObject({ ok: true, checkpointHeight: 0, fetched: 23 });
    const capped = await proveBlockDepth({
      params: regtest,
      block,
      confirmations: 3,
      source: devnet,
      maxHeaders: 10,
    });
    expect(capped).toMatchObject({ ok: true, checkpointHeight: 19, fetched: 4 });
    // The block at another height is still refused.
    expect(
      await proveBlockDepth({
        params: regtest,
        block: { height: 21, header: block.header },
        confirmations: 3,
        source: devnet,
        maxHeaders: 10,
      }),
    ).toMatchObject({ ok: false });
  });
});

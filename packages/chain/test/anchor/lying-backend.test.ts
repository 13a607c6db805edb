// The anchorer against a lying Esplora: a real HTTP server on 127.0.0.1 in front of the
// devnet's Esplora server, altering answers on demand. Every lie is refused (typed error,
// record unchanged, nothing saved) or retried; none makes an anchor confirmed or final that
// is not, and none hangs past the stated timeouts.
import { isMedanchorError } from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Lie,
  type LyingEsplora,
  lyingEsplora,
} from '../../../../test/helpers/lying-esplora.js';
import {
  type AnchorEvent,
  createAnchorer,
  fetchVerifiedAnchorEntry,
  memoryAnchorStateStore,
} from '../../src/anchor/index.js';
import { type Backend, esploraBackend } from '../../src/backend/index.js';
import type { Devnet } from '../../src/devnet/index.js';
import { regtest } from '../../src/network/index.js';
import { serveEsplora } from '../../src/node/index.js';
import { digestOf, fundedDevnet, testFundingKey } from './setup.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

interface Rig {
  devnet: Devnet;
  liar: LyingEsplora;
  state: ReturnType<typeof memoryAnchorStateStore>;
  events: AnchorEvent[];
  open: () => ReturnType<typeof createAnchorer>;
}

// Request timeout and retries of the backend under test: a hang is bounded by
// (retries + 1) x timeout plus small backoffs. Every honest answer must come within it
// too (through the lying proxy and the devnet server, both in this process), so it is
// well above a stall of a loaded machine.
const TIMEOUT_MS = 2_000;
const RETRIES = 1;

async function rig(label: string): Promise<Rig> {
  const key = testFundingKey(`lying ${label}`, 'p2wpkh');
  const devnet = await fundedDevnet(key, 2);
  const server = await serveEsplora(devnet, { port: 0 });
  closers.push(server.close);
  const liar = await lyingEsplora(server.url);
  closers.push(liar.close);
  const state = memoryAnchorStateStore();
  const events: AnchorEvent[] = [];
  const open = () =>
    createAnchorer({
      backend: esploraBackend({
        url: liar.url,
        fallbackFeeRate: 1,
        timeoutMs: TIMEOUT_MS,
        retries: RETRIES,
        retryBaseDelayMs: 5,
        retryMaxDelayMs: 20,
      }),
      network: regtest,
      key,
      state,
      fee: { minSatPerVb: 1, maxSatPerVb: 50 },
      onEvent: (e) => {
        events.push(e);
      },
    });
  return { devnet, liar, state, events, open };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return e.code;
    throw e;
  }
  return 'NO_ERROR';
}

describe('anchorer through an honest proxy', () => {
  it('confirms, finalises with a bounded number of requests, and never fetches a final entry again', async () => {
    const r = await rig('honest');
    const anchorer = await r.open();
    const digest = digestOf('honest');
    const record = await anchorer.anchor(digest);
    await r.devnet.test.mine(1);
    expect((await anchorer.sync())[0]?.status).toBe('confirmed');
    await r.devnet.test.mine(5);
    const before = r.liar.seen.length;
    const [final] = await anchorer.sync();
    const requests = r.liar.seen.length - before;
    console.log(`[lying] requests of the sync that made an anchor final at depth 6: ${requests}`);
    expect(final?.status).toBe('final');
    expect(final?.entry?.txid).toBe(record.attempts[0]!.txid);
    // tip (2) + status + proof (3) + transaction + header at height (2) + the 5 headers
    // above in one `/blocks/:height` range (2 requests each before Esplora had ranges).
    expect(requests).toBeLessThanOrEqual(12);

    // A state written before entries were kept: the entry is fetched, verified and kept once.
    const legacy = memoryAnchorStateStore();
    const { entry: _kept, ...old } = final!;
    await legacy.save(old);
    const upgraded = await createAnchorer({
      backend: esploraBackend({ url: r.liar.url, fallbackFeeRate: 1 }),
      network: regtest,
      key: testFundingKey('lying honest', 'p2wpkh'),
      state: legacy,
      fee: { minSatPerVb: 1, maxSatPerVb: 50 },
    });
    expect(await upgraded.entry(digest)).toEqual(final?.entry);
    expect((await legacy.load())[0]?.entry).toEqual(final?.entry);

    // A restarted anchorer hands out the kept entry and asks the backend nothing.
    const again = await r.open();
    const seen = r.liar.seen.length;
    expect((await again.entry(digest))?.blockHash).toBe(final?.confirmation?.blockHash);
    expect(await again.sync()).toEqual([]);
    expect(r.liar.seen.length).toBe(seen);
  });
});

describe('headers in ranges', () => {
  it('asks a backend that serves ranges once for the headers above the block', async () => {
    const r = await rig('ranges');
    const anchorer = await r.open();
    const digest = digestOf('ranges');
    const record = await anchorer.anchor(digest);
    await r.devnet.test.mine(8);
    let ranges = 0;
    let single = 0;
    const dev = r.devnet as unknown as Backend;
    const ranged = new Proxy(dev, {
      get(target, prop) {
        if (prop === 'headers')
          return async (start: number, count: number) => {
            ranges++;
            const out: Uint8Array[] = [];
            for (let h = start; h < start + count; h++)
              out.push((await dev.headerByHeight(h)).header);
            return out;
          };
        if (prop === 'headerByHeight') single++;
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const { entry, confirmations } = await fetchVerifiedAnchorEntry({
      backend: ranged,
      network: regtest,
      txid: record.attempts[0]!.txid,
      digest,
      depth: 6,
    });
    expect(confirmations).toBe(6);
    expect(entry.txid).toBe(record.attempts[0]!.txid);
    expect(ranges).toBe(1);
    expect(single).toBe(1); // the header at the claimed height only
  });
});

describe('anchorer against a lying Esplora', () => {
  it.each([
    ['merkle-sibling', 'merkle-root'],
    ['height-plus-one', 'height'],
    ['header-other-height', 'height'],
  ] as const)('refuses a confirmation with a %s and writes nothing', async (lie, step) => {
    const r = await rig(lie);
    const anchorer = await r.open();
    const digest = digestOf(lie);
    const pending = await anchorer.anchor(digest);
    await r.devnet.test.mine(3);
    const saves = r.state.saves;
    r.liar.tell(lie);
    expect(await anchorer.sync()).toEqual([]);
    expect(anchorer.get(digest)).toEqual(pending);
    expect(r.state.saves).toBe(saves);
    const error = r.events.find((e) => e.kind === 'error');
    expect(error?.reason).toContain('ANCHOR_PROOF_REFUSED');
    expect(error?.reason).toContain(`fails at ${step}`);
    expect(await anchorer.entry(digest)).toBeUndefined(); // pending: no entry at all

    r.liar.tell();
    const [confirmed] = await anchorer.sync();
    expect(confirmed?.status).toBe('confirmed');
  });

  it('keeps a confirmed anchor and its entry when the backend later lies about it', async () => {
    const r = await rig('later');
    const anchorer = await r.open();
    const digest = digestOf('later');
    await anchorer.anchor(digest);
    await r.devnet.test.mine(1);
    const [confirmed] = await anchorer.sync();
    const good = await anchorer.entry(digest);
    await r.devnet.test.mine(5);
    r.liar.tell('merkle-sibling');
    const saves = r.state.saves;
    expect(await anchorer.sync()).toEqual([]);
    expect(anchorer.get(digest)).toEqual(confirmed);
    expect(r.state.saves).toBe(saves);
    // The entry checked before is still handed out; a fresh process gets a refusal, never the lie.
    expect(await anchorer.entry(digest)).toEqual(good);
    const fresh = await r.open();
    const err = await fresh.entry(digest).catch((e: unknown) => e);
    expect(isMedanchorError(err, 'ANCHOR_PROOF_REFUSED')).toBe(true);
    expect((err as { details: Record<string, unknown> }).details['step']).toBe('merkle-root');

    r.liar.tell();
    expect((await anchorer.sync())[0]?.status).toBe('final');
  });

  it('keeps a confirmed anchor when the backend forgets its transaction but still shows its block', async () => {
    const r = await rig('forget');
    const anchorer = await r.open();
    const digest = digestOf('forget');
    await anchorer.anchor(digest);
    const [block] = await r.devnet.test.mine(1);
    const [confirmed] = await anchorer.sync();
    expect(confirmed?.confirmation?.blockHash).toBe(block);
    r.liar.tell('forget-tx');
    const saves = r.state.saves;
    expect(await anchorer.sync()).toEqual([]);
    expect(anchorer.get(digest)).toEqual(confirmed);
    expect(r.state.saves).toBe(saves);
    expect(r.events.map((e) => e.kind)).not.toContain('reorged');
    expect(r.events.map((e) => e.kind)).not.toContain('rebroadcast');
    expect(r.events.find((e) => e.kind === 'error')?.reason).toMatch(/still shows block/);

    // Nor when it hides the block's height while its tip stands above it.
    r.liar.settings.hiddenHeight = confirmed!.confirmation!.height;
    r.liar.tell('forget-tx', 'hide-height');
    expect(await anchorer.sync()).toEqual([]);
    expect(anchorer.get(digest)).toEqual(confirmed);
    expect(r.events.at(-1)?.reason).toMatch(/shows no block at height/);

    // Nor when it replaces the block with headers that lack their proof of work.
    r.liar.settings.weakAbove = confirmed!.confirmation!.height - 1;
    r.liar.tell('forget-tx', 'weak-pow-above');
    expect(await anchorer.sync()).toEqual([]);
    expect(anchorer.get(digest)).toEqual(confirmed);
    expect(r.events.at(-1)?.reason).toMatch(/replacing headers fail: pow/);
  });

  it('does not call an anchor with 4 real confirmations final behind a tip padded by 100', async () => {
    const r = await rig('padded');
    const anchorer = await r.open();
    const digest = digestOf('padded');
    await anchorer.anchor(digest);
    await r.devnet.test.mine(4);
    r.liar.tell('padded-tip');
    const [confirmed] = await anchorer.sync();
    expect(confirmed?.status).toBe('confirmed');
    expect(r.events.map((e) => e.kind)).not.toContain('final');
    await r.devnet.test.mine(2);
    expect((await anchorer.sync())[0]?.status).toBe('final');
  });

  it('does not bump the fee of a pending anchor behind a padded tip', async () => {
    const r = await rig('padded bump');
    const anchorer = await r.open();
    const digest = digestOf('padded bump');
    const pending = await anchorer.anchor(digest);
    r.liar.tell('padded-tip');
    expect(await anchorer.sync()).toEqual([]);
    expect(anchorer.get(digest)).toEqual(pending);
    expect(r.events.map((e) => e.kind)).not.toContain('bumped');
    // Blocks that exist (here without the transaction: a reorg mines two empty ones) do count.
    r.liar.tell();
    for (let i = 0; i < 3; i++) await r.devnet.test.reorg(1);
    const [bumped] = await anchorer.sync();
    expect(bumped?.attempts).toHaveLength(2);
  });

  it('refuses headers above the block that lack their proof of work', async () => {
    const r = await rig('weak');
    const anchorer = await r.open();
    const digest = digestOf('weak');
    const pending = await anchorer.anchor(digest);
    const [block] = await r.devnet.test.mine(1);
    r.liar.settings.weakAbove = (await r.devnet.headerByHash(block!)).height;
    r.liar.tell('weak-pow-above');
    const saves = r.state.saves;
    expect(await anchorer.sync()).toEqual([]);
    expect(anchorer.get(digest)).toEqual(pending);
    expect(r.state.saves).toBe(saves);
    expect(r.events.find((e) => e.kind === 'error')?.reason).toMatch(/fails at headers \(pow/);
  });

  it('retries through 429 and 500 answers and then succeeds', async () => {
    const r = await rig('retry');
    const anchorer = await r.open();
    const digest = digestOf('retry');
    await anchorer.anchor(digest);
    await r.devnet.test.mine(1);
    r.liar.settings.failCount = 1;
    r.liar.tell('http-429');
    const [confirmed] = await anchorer.sync();
    expect(confirmed?.status).toBe('confirmed');
    r.liar.tell('http-500');
    await r.devnet.test.mine(5);
    expect((await anchorer.sync())[0]?.status).toBe('final');
  });

  it.each([
    ['http-500', 'BACKEND_UNAVAILABLE'],
    ['http-429', 'BACKEND_UNAVAILABLE'],
    ['slow', 'TIMEOUT'],
    ['truncated', 'BACKEND_UNAVAILABLE'],
  ] as const)(
    'fails a round with a typed error (%s), within the stated time, record unchanged',
    async (lie: Lie, code) => {
      const r = await rig(`fail ${lie}`);
      const anchorer = await r.open();
      const digest = digestOf(`fail ${lie}`);
      await anchorer.anchor(digest);
      await r.devnet.test.mine(1);
      const before = anchorer.get(digest);
      const saves = r.state.saves;
      // The slow server would answer after 30 s: the round must end on its own timeouts
      // ((RETRIES + 1) x TIMEOUT_MS plus backoff, about 4 s), not wait for it.
      r.liar.settings.delayMs = 30_000;
      r.liar.tell(lie);
      const started = Date.now();
      expect(await codeOf(anchorer.sync())).toBe(code);
      expect(Date.now() - started).toBeLessThan(r.liar.settings.delayMs);
      expect(anchorer.get(digest)).toEqual(before);
      expect(r.state.saves).toBe(saves);
    },
  );
});

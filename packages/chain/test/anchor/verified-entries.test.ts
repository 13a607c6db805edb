// The verifier's memory of entries that passed level 2 must never change a verdict: a
// verifier that has seen (and remembered) many entries answers every entry, valid or
// mutated, exactly as a fresh verifier does.
import {
  type AnchorContext,
  fromHex,
  MemoryJournal,
  type Receipt,
  type ReceiptAnchor,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BitcoinAnchorEntry, bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { plainEntry, verifiedEntries } from '../../src/anchor/verified-entries.js';
import { parseHeader } from '../../src/bitcoin/header.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import type { DifficultySchedule } from '../../src/schedule/types.js';
import { fundedDevnet, testAnchorer, testFundingKey } from './setup.js';

// A small deterministic generator, so a failing case can be replayed.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), s | 61);
    return ((s ^ (s >>> 14)) >>> 0) / 2 ** 32;
  };
}

const HEX = '0123456789abcdef';

/** One random change of `entry` (a copy): a hex digit, a number, a member, a type. */
function mutate(entry: Record<string, unknown>, r: () => number): Record<string, unknown> {
  const e: Record<string, unknown> = {
    ...entry,
    ...(Array.isArray(entry.branch) ? { branch: [...entry.branch] } : {}),
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const flipHex = (s: string): string => {
    const i = Math.floor(r() * s.length);
    const c = pick([...HEX.replace(s[i]!, ''), 'A', 'g']);
    return s.slice(0, i) + c + s.slice(i + 1);
  };
  switch (Math.floor(r() * 9)) {
    case 0: {
      const k = pick(['rawTx', 'header', 'txid', 'blockHash']);
      e[k] = flipHex(e[k] as string);
      break;
    }
    case 1: {
      const b = e.branch as string[];
      if (b.length > 0) {
        const i = Math.floor(r() * b.length);
        b[i] = flipHex(b[i]!);
      }
      break;
    }
    case 2: {
      const k = pick(['outputIndex', 'position', 'txCount', 'height', 'version']);
      e[k] = pick([
        (e[k] as number) + 1,
        (e[k] as number) - 1,
        -0,
        Number.NaN,
        1.5,
        String(e[k]),
        null,
        undefined,
        2 ** 53,
      ]);
      break;
    }
    case 3: {
      const b = e.branch as unknown[];
      if (!Array.isArray(b)) break;
      const how = Math.floor(r() * 4);
      if (how === 0) b.pop();
      else if (how === 1) b.push('00'.repeat(32));
      else if (how === 2) b.reverse();
      else b[0] = 7;
      break;
    }
    case 4:
      e[pick(['extra', 'commitment', 'branch', 'network'])] = pick([undefined, 'x', 1, null, {}]);
      break;
    case 5:
      delete e[pick(['txid', 'blockHash', 'txCount', 'network', 'type', 'rawTx'])];
      break;
    case 6:
      e.commitment = pick([
        { kind: 'p2tr-tweak', internalKey: '11'.repeat(32) },
        { kind: 'p2tr-tweak', internalKey: '11'.repeat(32), extra: 1 },
        { kind: 'other', internalKey: '11'.repeat(32) },
        { kind: 'p2tr-tweak' },
      ]);
      break;
    case 7:
      e.network = pick(['mainnet', 'regtest ', 'REGTEST', '"regtest"']);
      break;
    default:
      // Unchanged, or the same members in another order: both must verify.
      if (r() < 0.5) return Object.fromEntries(Object.entries(e).reverse());
  }
  return e;
}

describe('remembered level-2 verdicts (verified-entries)', () => {
  let receipt: Receipt;
  let entry: BitcoinAnchorEntry;
  let context: AnchorContext;
  let schedule: DifficultySchedule;

  beforeAll(async () => {
    const key = testFundingKey('verified-entries', 'p2wpkh');
    const devnet = await fundedDevnet(key, 2);
    const { anchorer } = await testAnchorer(devnet, key);
    const ledger = await openLedger({
      origin: 'clinic.example/verified-entries',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    for (let i = 0; i < 3; i++) await ledger.add(utf8(`record ${i}`));
    await ledger.seal();
    await devnet.test.mine(1);
    await ledger.sync();
    receipt = (await ledger.receipt(1))!;
    await ledger.close();
    entry = receipt.anchors[0] as BitcoinAnchorEntry;
    const cp = receipt.checkpoint;
    context = {
      checkpoint: { origin: cp.origin, size: cp.size, root: fromHex(cp.root) },
      digest: fromHex(cp.digest),
      receipt,
    };
    // A schedule around the block, so the schedule steps run too (regtest bundles none).
    const h = parseHeader(fromHex(entry.header));
    const epochs = Math.floor(entry.height / 2016) + 2;
    schedule = {
      network: 'regtest',
      interval: 2016,
      anchorFloor: 0,
      epochs: Array.from({ length: epochs }, (_, k) => ({
        bits: h.bits,
        firstTime: h.time - 3600 + (k - epochs + 2) * 14 * 86_400,
      })),
    };
  });

  const contextFor = (anchor: ReceiptAnchor, digest = context.digest): AnchorContext => ({
    ...context,
    digest,
    receipt: { ...receipt, anchors: [anchor] },
  });

  for (const withSchedule of [false, true]) {
    it(`a warm verifier answers 600 mutated entries as a fresh one does (schedule ${withSchedule ? 'on' : 'off'})`, async () => {
      const options = { network: regtest, schedule: withSchedule ? schedule : null };
      const warm = bitcoinAnchorVerifier(options);
      const first = await warm.verify(entry, contextFor(entry));
      expect(first).toMatchObject({ ok: true, level: 2 });
      expect(await warm.verify(entry, contextFor(entry))).toEqual(first);
      const r = rng(withSchedule ? 18 : 81);
      let passed = 0;
      let failed = 0;
      for (let i = 0; i < 600; i++) {
        // Mutations of mutations reach entries that differ in several members.
        let m = mutate(entry as unknown as Record<string, unknown>, r);
        if (r() < 0.3) m = mutate(m, r);
        const digest = r() < 0.1 ? fromHex(entry.header.slice(0, 64)) : context.digest;
        const anchor = m as unknown as ReceiptAnchor;
        const fresh = await bitcoinAnchorVerifier(options).verify(
          anchor,
          contextFor(anchor, digest),
        );
        const got = await warm.verify(anchor, contextFor(anchor, digest));
        expect(got, `case ${i}: ${JSON.stringify(m)}`).toEqual(fresh);
        // The same text too: members in the same order, none present as undefined.
        expect(JSON.stringify(got), `case ${i}`).toBe(JSON.stringify(fresh));
        if (fresh.ok) passed++;
        else failed++;
      }
      // Both kinds occurred, and the original still verifies after all of them.
      expect(passed).toBeGreaterThan(20);
      expect(failed).toBeGreaterThan(300);
      expect(await warm.verify(entry, contextFor(entry))).toEqual(first);
    });
  }

  it('a remembered entry does not pass against another checkpoint digest', async () => {
    const v = bitcoinAnchorVerifier({ network: regtest });
    expect((await v.verify(entry, contextFor(entry))).ok).toBe(true);
    const other = new Uint8Array(context.digest);
    other[31]! ^= 1;
    expect(await v.verify(entry, contextFor(entry, other))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^payload: /),
    });
  });

  it('results of a remembered entry are objects of their own', async () => {
    const v = bitcoinAnchorVerifier({ network: regtest, schedule });
    const a = await verifyReceipt(receipt, { anchors: [v] });
    const b = await verifyReceipt(receipt, { anchors: [v] });
    expect(b).toEqual(a);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.anchors[0]!.details).not.toBe(a.anchors[0]!.details);
    const factsA = a.anchors[0]!.details!['facts'] as { epochHeights: { first: number } };
    const factsB = b.anchors[0]!.details!['facts'] as { epochHeights: { first: number } };
    expect(factsB.epochHeights).not.toBe(factsA.epochHeights);
  });

  it('a remembered verdict states the documented facts, in their order, with the header time', async () => {
    const time = parseHeader(fromHex(entry.header)).time;
    for (const [sched, names] of [
      [null, ['chain', 'network', 'height', 'time', 'testNetwork']],
      [
        schedule,
        ['chain', 'network', 'height', 'time', 'notLaterThan', 'testNetwork', 'epochHeights'],
      ],
    ] as const) {
      const v = bitcoinAnchorVerifier({ network: regtest, schedule: sched });
      const first = await v.verify(entry, contextFor(entry));
      const again = await v.verify(JSON.parse(JSON.stringify(entry)), contextFor(entry));
      expect(JSON.stringify(again)).toBe(JSON.stringify(first));
      if (!again.ok) throw new Error('the entry did not verify');
      expect(Object.keys(again.details ?? {})).toEqual([
        'txid',
        'blockHash',
        'height',
        'network',
        'facts',
      ]);
      const facts = again.details?.['facts'] as Record<string, unknown>;
      expect(Object.keys(facts)).toEqual(names);
      expect(facts['time']).toEqual({ value: time, bound: false });
      expect(facts['network']).toEqual({ value: 'regtest', bound: sched !== null });
    }
  });

  it('an entry that is not plain data is checked in full (no copy)', async () => {
    const plain = { ...entry } as Record<string, unknown>;
    expect(plainEntry({ ...plain })?.copy).toEqual(plain);
    const hidden = Object.defineProperty({ kind: 'p2tr-tweak' }, 'internalKey', {
      value: '11'.repeat(32),
      enumerable: false,
    });
    for (const odd of [
      { extra: undefined },
      { height: -0 },
      { txCount: Number.NaN },
      { txCount: Number.POSITIVE_INFINITY },
      { branch: [{ toJSON: () => 'aa' }] },
      { branch: [() => 1] },
      { branch: new (class extends Array {})() },
      { commitment: new Map() },
      { commitment: Object.assign(Object.create({ internalKey: 'aa' }), { kind: 'p2tr-tweak' }) },
      { commitment: hidden },
      { network: 1n },
      { network: Symbol('regtest') },
      // biome-ignore lint/suspicious/noSparseArray: a hole reads as undefined
      { branch: [, 'aa'] },
    ])
      expect(plainEntry({ ...plain, ...odd }), Object.keys(odd)[0]).toBeUndefined();
    expect(plainEntry(Object.assign(Object.create(null), plain))).toBeUndefined();
    // Such entries, an inherited member and a digest of another size get the fresh verdict.
    const options = { network: regtest, schedule: null };
    const warm = bitcoinAnchorVerifier(options);
    await warm.verify(entry, contextFor(entry));
    const inherited = Object.assign(Object.create({ type: 'bitcoin' }), {
      ...entry,
      type: undefined,
    });
    delete inherited.type;
    const short = context.digest.subarray(1);
    const subclassed = new (class extends Array<string> {})();
    subclassed.push(...entry.branch);
    for (const [a, digest] of [
      [entry, short],
      [inherited, context.digest],
      [{ ...entry, extra: undefined }, context.digest],
      [{ ...entry, commitment: hidden }, context.digest],
      [{ ...entry, branch: subclassed }, context.digest],
    ] as const) {
      expect(await warm.verify(a, contextFor(a, digest))).toEqual(
        await bitcoinAnchorVerifier(options).verify(a, contextFor(a, digest)),
      );
    }
  });

  it('a member read by a getter is read once: the copy is what was seen', () => {
    let reads = 0;
    const e = { ...entry } as Record<string, unknown>;
    Object.defineProperty(e, 'height', {
      get: () => (reads++ === 0 ? entry.height : entry.height + 1),
      enumerable: true,
    });
    expect(plainEntry(e)?.copy['height']).toBe(entry.height);
    expect(reads).toBe(1);
  });

  it('a lookup matches only an entry equal member by member, in order, with the same digest', () => {
    const m = verifiedEntries<string>();
    const base = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
    m.set(plainEntry(base)!, context.digest, 'passed');
    // Equal data in other objects (as each receipt file parses to) is a hit.
    expect(m.get(JSON.parse(JSON.stringify(entry)), context.digest.slice())).toBe('passed');
    const b0 = (base.branch as string[])[0]!;
    const variants: Record<string, unknown>[] = [
      { ...base, txid: null },
      { ...base, txid: undefined },
      { ...base, txCount: (base.txCount as number) + 1 },
      { ...base, txCount: String(base.txCount) },
      { ...base, branch: [...(base.branch as string[]), ''] },
      { ...base, branch: [b0.slice(0, 32), b0.slice(32)] },
      { ...base, branch: (base.branch as string[]).slice(0, -1) },
      { ...base, network: `${base.network as string}","x` },
      { ...base, commitment: { kind: 'p2tr-tweak', internalKey: 'aa' } },
      { ...base, extra: 'x' },
      Object.fromEntries(Object.entries(base).reverse()),
      Object.assign(Object.create(null), base),
    ];
    for (const [i, v] of variants.entries())
      expect(m.get(v, context.digest), `variant ${i}`).toBeUndefined();
    const d = new Uint8Array(context.digest);
    d[31]! ^= 1;
    expect(m.get(base, d)).toBeUndefined();
    expect(m.get(base, context.digest.subarray(1))).toBeUndefined();
    // A remembered 0 is not -0, nor a nested member hidden from Object.keys.
    const z = verifiedEntries<number>();
    z.set(plainEntry({ n: 0, c: { k: 'v' } })!, d, 1);
    expect(z.get({ n: 0, c: { k: 'v' } }, d)).toBe(1);
    expect(z.get({ n: -0, c: { k: 'v' } }, d)).toBeUndefined();
    expect(z.get({ n: 0, c: Object.defineProperty({ k: 'v' }, 'x', { value: 1 }) }, d)).toBe(
      undefined,
    );
  });

  it('holds at most 1,024 entries and 4 Mi characters, then starts again; 8 per digest', () => {
    const digestOf = (i: number) => {
      const d = new Uint8Array(32);
      new DataView(d.buffer).setUint32(28, i);
      return d;
    };
    const m = verifiedEntries<number>();
    for (let i = 0; i < 1100; i++) m.set(plainEntry({ i })!, digestOf(i), i);
    expect(m.get({ i: 0 }, digestOf(0))).toBeUndefined();
    expect(m.get({ i: 1023 }, digestOf(1023))).toBeUndefined();
    expect(m.get({ i: 1024 }, digestOf(1024))).toBe(1024);
    expect(m.get({ i: 1099 }, digestOf(1099))).toBe(1099);
    const big = verifiedEntries<number>();
    const text = (c: string) => c.repeat(3 << 20);
    big.set(plainEntry({ t: text('a') })!, digestOf(0), 1);
    expect(big.get({ t: text('a') }, digestOf(0))).toBe(1);
    big.set(plainEntry({ t: text('b') })!, digestOf(0), 2);
    expect(big.get({ t: text('a') }, digestOf(0))).toBeUndefined();
    expect(big.get({ t: text('b') }, digestOf(0))).toBe(2);
    const one = verifiedEntries<number>();
    for (let i = 0; i < 10; i++) one.set(plainEntry({ i })!, digestOf(7), i);
    expect(one.get({ i: 1 }, digestOf(7))).toBeUndefined();
    expect(one.get({ i: 2 }, digestOf(7))).toBe(2);
    expect(one.get({ i: 9 }, digestOf(7))).toBe(9);
  });
});

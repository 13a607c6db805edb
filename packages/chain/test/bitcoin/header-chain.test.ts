import { describe, expect, it } from 'vitest';
import {
  bitsWork,
  blockHashHex,
  headerMeetsTarget,
  validateHeaderChain,
} from '../../src/bitcoin/index.js';
import { defineNetwork, type NetworkParams, regtest } from '../../src/network/index.js';
import { genesisOf, mineHeader, unminedHeader } from './mine.js';

// Regtest-like networks with a 4-block epoch so retargets happen within a few headers.
const fastnet = defineNetwork({
  ...regtest,
  name: 'fastnet',
  retarget: { interval: 4, targetTimespan: 2400, noRetarget: false, allowMinDifficulty: false },
});
const fastTestnet = defineNetwork({
  ...fastnet,
  name: 'fast-testnet',
  retarget: { ...fastnet.retarget, allowMinDifficulty: true },
});
const EASY = 0x207fffff; // powLimit
const HARDER = 0x201fffff; // a quarter of it: what a too-fast epoch retargets to
const HARDEST = 0x2007ffff; // a quarter again, after the second fast epoch

const genesisTime = 1296688602;

function build(params: NetworkParams, plan: { time: number; bits: number }[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = genesisOf(params);
  for (const f of plan) {
    prev = mineHeader(prev, f, params);
    out.push(prev);
  }
  return out;
}

const checkpoint = (params: NetworkParams) => ({ height: 0, header: genesisOf(params) });

describe('validateHeaderChain', () => {
  // Heights 1-3 easy, 4 retargets to HARDER (the epoch took seconds), 5-7 keep it, 8 retargets again.
  const plan = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({
    time: genesisTime + i,
    bits: i < 4 ? EASY : i < 8 ? HARDER : HARDEST,
  }));

  it('accepts a mined chain across two retargets and reports hashes, tip and work', () => {
    const headers = build(fastnet, plan);
    const r = validateHeaderChain({ params: fastnet, checkpoint: checkpoint(fastnet), headers });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.chain.tipHeight).toBe(8);
    expect(r.chain.hashes[0]).toBe(fastnet.genesisHash);
    expect(r.chain.hashes[8]).toBe(blockHashHex(headers[7]!));
    expect(r.chain.work).toBe(3n * bitsWork(EASY) + 4n * bitsWork(HARDER) + bitsWork(HARDEST));
    expect(bitsWork(HARDEST)).toBe(32n);
  });

  it('refuses bits that skip a retarget (bits)', () => {
    const headers = build(
      fastnet,
      plan.map((p) => ({ ...p, bits: EASY })),
    );
    expect(
      validateHeaderChain({ params: fastnet, checkpoint: checkpoint(fastnet), headers }),
    ).toMatchObject({
      ok: false,
      step: 'bits',
      height: 4,
    });
  });

  it('refuses bits that change between retargets (bits)', () => {
    const headers = build(
      fastnet,
      plan.map((p, i) => ({ ...p, bits: i === 1 ? HARDER : p.bits })),
    );
    expect(
      validateHeaderChain({ params: fastnet, checkpoint: checkpoint(fastnet), headers }),
    ).toMatchObject({
      ok: false,
      step: 'bits',
      height: 2,
    });
  });

  it('refuses a header that does not link (linkage) and one that misses its target (pow)', () => {
    const headers = build(fastnet, plan);
    const swapped = [headers[0]!, headers[2]!, headers[1]!];
    expect(
      validateHeaderChain({ params: fastnet, checkpoint: checkpoint(fastnet), headers: swapped }),
    ).toMatchObject({
      ok: false,
      step: 'linkage',
      height: 2,
    });
    const weak = [
      headers[0]!,
      unminedHeader(headers[0]!, { time: genesisTime + 2, bits: EASY }, fastnet),
    ];
    expect(
      validateHeaderChain({ params: fastnet, checkpoint: checkpoint(fastnet), headers: weak }),
    ).toMatchObject({
      ok: false,
      step: 'pow',
      height: 2,
    });
  });

  it('needs the epoch first header to check a retarget after a mid-epoch checkpoint', () => {
    const headers = build(fastnet, plan);
    const mid = { height: 2, header: headers[1]! };
    const without = validateHeaderChain({
      params: fastnet,
      checkpoint: mid,
      headers: headers.slice(2),
    });
    expect(without).toMatchObject({ ok: false, step: 'bits', height: 4 });
    const withStart = validateHeaderChain({
      params: fastnet,
      checkpoint: mid,
      headers: headers.slice(2),
      epochStart: checkpoint(fastnet),
    });
    expect(withStart.ok).toBe(true);
  });

  it('refuses a time at or before the median of the previous 11 (time)', () => {
    const times = Array.from({ length: 12 }, (_, i) => genesisTime + 100 + i);
    times[11] = genesisTime + 100 + 5; // at the median of heights 1..11 → refused
    const headers = build(
      regtest,
      times.map((time) => ({ time, bits: EASY })),
    );
    expect(
      validateHeaderChain({ params: regtest, checkpoint: checkpoint(regtest), headers }),
    ).toMatchObject({
      ok: false,
      step: 'time',
      height: 12,
    });
    expect(
      validateHeaderChain({
        params: regtest,
        checkpoint: checkpoint(regtest),
        headers: headers.slice(0, 11),
      }).ok,
    ).toBe(true);
  });

  it('testnet rule: a block 20+ minutes after its parent may (must) use powLimit bits, then the chain returns to the real bits', () => {
    const t = genesisTime;
    const base = [1, 2, 3, 4].map((i) => ({ time: t + i, bits: i < 4 ? EASY : HARDER }));
    const ok = build(fastTestnet, [
      ...base,
      { time: t + 4 + 1201, bits: EASY },
      { time: t + 4 + 1202, bits: HARDER },
    ]);
    expect(
      validateHeaderChain({ params: fastTestnet, checkpoint: checkpoint(fastTestnet), headers: ok })
        .ok,
    ).toBe(true);
    const early = build(fastTestnet, [...base, { time: t + 4 + 1200, bits: EASY }]);
    expect(
      validateHeaderChain({
        params: fastTestnet,
        checkpoint: checkpoint(fastTestnet),
        headers: early,
      }),
    ).toMatchObject({ ok: false, step: 'bits', height: 5 });
    // The same late block is refused on a mainnet-like network.
    const late = build(fastnet, [...base, { time: t + 4 + 1201, bits: EASY }]);
    expect(
      validateHeaderChain({ params: fastnet, checkpoint: checkpoint(fastnet), headers: late }),
    ).toMatchObject({
      ok: false,
      step: 'bits',
    });
  });

  it('returns input failures instead of throwing', () => {
    const r = validateHeaderChain({
      params: fastnet,
      checkpoint: { height: -1, header: new Uint8Array(80) },
      headers: [],
    });
    expect(r).toMatchObject({ ok: false, step: 'input' });
    const short = validateHeaderChain({
      params: fastnet,
      checkpoint: checkpoint(fastnet),
      headers: [new Uint8Array(79)],
    });
    expect(short).toMatchObject({ ok: false, step: 'input', height: 1 });
  });
});

describe('validateHeaderChain on a scrypt network', () => {
  // Litecoin's regtest genesis; its headers are checked with scrypt(N=1024, r=1, p=1).
  const litecoinRegtest = defineNetwork({
    ...regtest,
    name: 'litecoin-regtest',
    bech32: 'rltc',
    scriptHash: 0x3a,
    messagePrefix: '\x19Litecoin Signed Message:\n',
    genesisHeader:
      '010000000000000000000000000000000000000000000000000000000000000000000000d9ced4ed1130f7b7faad9be25323ffafa33232a17c3edf6cfd97bee6bafbdd97dae5494dffff7f2000000000',
    genesisHash: '530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9',
    powHash: 'scrypt',
  });

  it('accepts headers mined under scrypt and refuses ones mined only under sha256d', () => {
    const headers = build(
      litecoinRegtest,
      [1, 2, 3].map((i) => ({ time: genesisTime + i, bits: EASY })),
    );
    const cp = checkpoint(litecoinRegtest);
    expect(validateHeaderChain({ params: litecoinRegtest, checkpoint: cp, headers }).ok).toBe(true);
    // A header that meets the target under sha256d but not under scrypt.
    let nonce = 0;
    for (;;) {
      const h = mineHeader(
        headers[2]!,
        { time: genesisTime + 4, bits: EASY, root: nonce++ },
        regtest,
      );
      if (!headerMeetsTarget(h, litecoinRegtest)) {
        const r = validateHeaderChain({
          params: litecoinRegtest,
          checkpoint: cp,
          headers: [...headers, h],
        });
        expect(r).toMatchObject({ ok: false, step: 'pow', height: 4 });
        break;
      }
    }
  });
});

import {
  fromHex,
  MemoryJournal,
  type Receipt,
  type ReceiptAnchor,
  toHex,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/helpers/free-port.js';
import { type BitcoinAnchorEntry, bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { type Backend, esploraBackend } from '../../src/backend/index.js';
import { createDevnet, type Devnet } from '../../src/devnet/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { mainnet, regtest } from '../../src/network/index.js';
import { fundedDevnet, testAnchorer, testFundingKey } from './setup.js';

/** The receipt with its first anchor replaced by `patch(anchor)`. */
function withAnchor(receipt: Receipt, patch: (a: BitcoinAnchorEntry) => ReceiptAnchor): Receipt {
  return { ...receipt, anchors: [patch(receipt.anchors[0] as BitcoinAnchorEntry)] };
}

async function reasonOf(receipt: Receipt, verifier = bitcoinAnchorVerifier({ network: regtest })) {
  const r = await verifyReceipt(receipt, { anchors: [verifier] });
  return r.ok ? 'ok' : r.reason;
}

describe('bitcoin anchor verifier', () => {
  let devnet: Devnet;
  let receipt: Receipt;
  let other: Receipt;

  beforeAll(async () => {
    const key = testFundingKey('verifier', 'p2tr');
    devnet = await fundedDevnet(key, 3);
    const { anchorer } = await testAnchorer(devnet, key);
    const ledger = await openLedger({
      origin: 'clinic.example/verifier',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    // Several records and a busy block, so the branch has some length.
    for (let i = 0; i < 5; i++) await ledger.add(utf8(`record ${i}`));
    await ledger.seal();
    await ledger.add(utf8('later'));
    await ledger.seal();
    await devnet.test.mine(3);
    await ledger.sync();
    receipt = (await ledger.receipt(2))!;
    other = (await ledger.receipt(5))!;
    await ledger.close();
  });

  it('verifies at level 2 offline and level 3 against a backend', async () => {
    expect((receipt.anchors[0] as BitcoinAnchorEntry).txCount).toBe(3); // coinbase + 2 anchors
    const l2 = await verifyReceipt(receipt, {
      anchors: [bitcoinAnchorVerifier({ network: regtest })],
    });
    expect(l2).toMatchObject({ ok: true, level: 2 });
    const l3 = await verifyReceipt(receipt, {
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 3 }),
      ],
    });
    expect(l3).toMatchObject({ ok: true, level: 3 });
  });

  it('states what was proven: bound facts as facts, claimed ones as claimed, test network labelled', async () => {
    const height = (receipt.anchors[0] as BitcoinAnchorEntry).height;
    const l2 = await verifyReceipt(receipt, {
      anchors: [bitcoinAnchorVerifier({ network: regtest })],
    });
    expect(l2).toMatchObject({
      ok: true,
      origin: 'clinic.example/verifier',
      facts: {
        network: { value: 'regtest', bound: false },
        height: { value: height, bound: false },
      },
    });
    if (l2.ok) {
      expect(l2.statement).toContain(
        `block claimed at height ${height} on Bitcoin regtest (claimed)`,
      );
      expect(l2.statement).toMatch(
        /in log clinic\.example\/verifier \(test network: proves nothing about time\)$/,
      );
    }
    const l3 = await verifyReceipt(receipt, {
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 3 }),
      ],
    });
    if (!l3.ok) throw new Error(l3.reason);
    expect(l3.statement).toMatch(
      new RegExp(
        `^existed no later than \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC as the block claims, time not bound \\(block ${height} on Bitcoin regtest \\(claimed\\), \\d+ confirmations\\)`,
      ),
    );
  });

  it('past the end of the schedule: level 2 is undetermined offline, level 3 can still pass', async () => {
    // A schedule FIXTURE that ends before the receipt's block (one epoch of 2 blocks).
    const ended = {
      network: 'regtest',
      interval: 2,
      anchorFloor: 0,
      epochs: [{ bits: 0x207fffff, firstTime: 1 }],
    };
    const offline = await verifyReceipt(receipt, {
      anchors: [bitcoinAnchorVerifier({ network: regtest, schedule: ended })],
    });
    expect(offline).toMatchObject({ ok: false, step: 'anchor', undetermined: true });
    if (!offline.ok)
      expect(offline.reason).toMatch(/could not be checked: schedule: .*only level 3/);
    const online = await verifyReceipt(receipt, {
      anchors: [
        bitcoinAnchorVerifier({
          network: regtest,
          schedule: ended,
          backends: [devnet],
          minConfirmations: 3,
        }),
      ],
    });
    expect(online).toMatchObject({ ok: true, level: 3, facts: { height: { bound: true } } });
  });

  it('a backend that cannot be reached makes level 3 undetermined, not refuted', async () => {
    // A real refused connection: a free port from below the ephemeral range (no other
    // test's listen(0) can take it meanwhile).
    const port = await freePort();
    const down = esploraBackend({ url: `http://127.0.0.1:${port}`, retries: 0, timeoutMs: 2000 });
    const r = await verifyReceipt(receipt, {
      anchors: [bitcoinAnchorVerifier({ network: regtest, backends: [down], minConfirmations: 3 })],
    });
    expect(r).toMatchObject({ ok: false, step: 'anchor', undetermined: true });
    if (!r.ok) expect(r.reason).toMatch(/could not be checked: chain: .*no answer/);
  });

  it('fails at payload when the anchor is for another checkpoint', async () => {
    const swapped = { ...receipt, anchors: other.anchors };
    expect(await reasonOf(swapped)).toMatch(/^anchor 0 \(bitcoin\) failed: payload:/);
  });

  it('fails at branch-length when the branch does not fit the transaction count', async () => {
    const short = withAnchor(receipt, (a) => ({ ...a, branch: a.branch.slice(0, -1) }));
    expect(await reasonOf(short)).toMatch(/branch-length/);
    const lying = withAnchor(receipt, (a) => ({ ...a, txCount: 9 }));
    expect(await reasonOf(lying)).toMatch(/branch-length/);
    const { txCount: _t, ...noCount } = receipt.anchors[0] as BitcoinAnchorEntry;
    expect(await reasonOf({ ...receipt, anchors: [noCount] })).toMatch(
      /branch-length: the entry has no txCount/,
    );
  });

  it('fails at branch when a sibling is altered, and at pow when the header claims more work', async () => {
    const flip = (h: string) => `${h.slice(0, 63)}${h.endsWith('0') ? '1' : '0'}`;
    const bad = withAnchor(receipt, (a) => ({
      ...a,
      branch: [flip(a.branch[0]!), ...a.branch.slice(1)],
    }));
    expect(await reasonOf(bad)).toMatch(/merkle-root|branch/);
    const header = fromHex((receipt.anchors[0] as BitcoinAnchorEntry).header);
    header.set([0xff, 0xff, 0x00, 0x1d], 72); // bits 0x1d00ffff: mainnet's easiest target
    const { blockHash: _b, ...rest } = receipt.anchors[0] as BitcoinAnchorEntry;
    const harder = { ...receipt, anchors: [{ ...rest, header: toHex(header) }] };
    expect(await reasonOf(harder)).toMatch(/pow:/);
  });

  it('fails at network when verifying on another network', async () => {
    expect(await reasonOf(receipt, bitcoinAnchorVerifier({ network: mainnet }))).toMatch(
      /network:/,
    );
  });

  it('fails at format for an entry that is not an SPV proof', async () => {
    const broken = withAnchor(receipt, (a) => ({ ...a, rawTx: 'zz' }));
    expect(await reasonOf(broken)).toMatch(/format:/);
  });

  it('reports backends that disagree, and honours the quorum', async () => {
    // Another chain of its own, taller: its block at that height is a different one.
    const stranger = createDevnet({ seed: 'someone else', name: 'stranger' });
    await stranger.test.mine(120);
    const both = [devnet, stranger];
    const all = await verifyReceipt(receipt, {
      anchors: [bitcoinAnchorVerifier({ network: regtest, backends: both, minConfirmations: 1 })],
    });
    expect(all.ok).toBe(false);
    if (!all.ok) {
      expect(all.reason).toMatch(/1 of 2 backends/);
      expect(all.reason).toMatch(/stranger: not in its best chain/);
      expect(all.reason).toMatch(/the backends disagree/);
    }
    const one = await verifyReceipt(receipt, {
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: both, minConfirmations: 1, quorum: 1 }),
      ],
    });
    expect(one.ok).toBe(true);
    if (one.ok)
      expect(one.anchors[0]?.details).toMatchObject({ disagreement: true, confirmations: 3 });
  });

  it('counts an unreachable backend as not agreeing and says why', async () => {
    const down = esploraBackend({ url: 'http://127.0.0.1:9', retries: 0, timeoutMs: 2000 });
    const r = await verifyReceipt(receipt, {
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: [devnet, down], minConfirmations: 1 }),
      ],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/no answer \(/);
  });
});

describe('bitcoin anchor verifier: the work above the block (level 3)', () => {
  let devnet: Devnet;
  let receipt: Receipt;

  beforeAll(async () => {
    const key = testFundingKey('verifier-work', 'p2wpkh');
    devnet = await fundedDevnet(key, 2);
    const { anchorer } = await testAnchorer(devnet, key);
    const ledger = await openLedger({
      origin: 'clinic.example/verifier-work',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    await ledger.add(utf8('a record'));
    await ledger.seal();
    await devnet.test.mine(1);
    await ledger.sync();
    receipt = (await ledger.receipt(0))!;
    await devnet.test.mine(5);
    await ledger.close();
  });

  it('validates the headers an honest backend serves above the block', async () => {
    const r = await verifyReceipt(receipt, {
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 6 }),
      ],
    });
    expect(r.ok).toBe(true);
    // Regtest has no schedule: the headers are validated from genesis through 6 deep, never
    // from the receipt's own header; the height is then bound, the time is not (test network).
    const anchorHeight = (receipt.anchors[0] as BitcoinAnchorEntry).height;
    if (r.ok)
      expect(r.anchors[0]?.details).toMatchObject({
        confirmations: 6,
        backends: [{ backend: devnet.name, inBestChain: true, headersChecked: anchorHeight + 6 }],
        facts: {
          network: { value: 'regtest', bound: false },
          height: { value: anchorHeight, bound: true },
          time: { bound: false },
          testNetwork: true,
        },
      });
  });

  // A lying backend is a fault devnet cannot provoke: a wrapper over devnet forges answers.
  function liar(
    forge: (height: number, header: Uint8Array) => Uint8Array | undefined,
    tipExtra = 0,
  ): Backend {
    return {
      ...devnet,
      name: 'liar',
      async tip() {
        const t = await devnet.tip();
        return { ...t, height: t.height + tipExtra };
      },
      async headerByHeight(height: number) {
        const tip = await devnet.tip();
        if (height > tip.height) {
          // Confirmations it does not have: a header it made up.
          const fake = (await devnet.headerByHeight(tip.height)).header.slice();
          fake[76] = height & 0xff;
          return { hash: 'ff'.repeat(32), height, header: forge(height, fake) ?? fake };
        }
        const real = await devnet.headerByHeight(height);
        const forged = forge(height, real.header.slice());
        return forged === undefined ? real : { ...real, header: forged };
      },
    };
  }

  it('a backend claiming confirmations it cannot show is refused, naming the header', async () => {
    const anchorHeight = (receipt.anchors[0] as BitcoinAnchorEntry).height;
    const padded = liar(() => undefined, 10); // says the tip is 10 blocks higher
    const r = await verifyReceipt(receipt, {
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: [padded], minConfirmations: 12 }),
      ],
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toMatch(
        new RegExp(`liar: no answer \\(headers: linkage at height ${anchorHeight + 6}`),
      );

    // The same backend with work checking off believes it: the reason the check exists.
    const trusting = await verifyReceipt(receipt, {
      anchors: [
        bitcoinAnchorVerifier({
          network: regtest,
          backends: [padded],
          minConfirmations: 12,
          checkWork: false,
        }),
      ],
    });
    expect(trusting.ok).toBe(true);
  });

  it('a header with too little work or other bits above the block is refused', async () => {
    const anchorHeight = (receipt.anchors[0] as BitcoinAnchorEntry).height;
    const bits = liar((height, header) => {
      if (height !== anchorHeight + 2) return undefined;
      header.set([0xff, 0xff, 0x00, 0x1d], 72); // mainnet's difficulty-1 bits on regtest
      return header;
    });
    const r = await verifyReceipt(receipt, {
      anchors: [bitcoinAnchorVerifier({ network: regtest, backends: [bits], minConfirmations: 6 })],
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toMatch(new RegExp(`headers: (pow|bits) at height ${anchorHeight + 2}`));
  });
});

import { isMedanchorError } from '@medanchor/core';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { crypto, Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { createDevnet, type Devnet } from '../../src/devnet/index.js';
import {
  type KeyKind,
  opReturn,
  type Spendable,
  signSpend,
  type TestKey,
  testKey,
} from './wallet.js';

/** A devnet whose block-1 coinbase pays `key` and has matured. */
async function funded(
  kind: KeyKind,
  label: string,
  opts = {},
): Promise<{ devnet: Devnet; key: TestKey; coin: Spendable }> {
  const devnet = createDevnet({ seed: label, ...opts });
  const key = testKey(label, kind);
  const [h] = await devnet.test.mine(1, key.script);
  await devnet.test.mine(100);
  const txid = (await devnet.blockInfo(h!)).txids[0]!;
  return { devnet, key, coin: { txid, vout: 0, value: 5_000_000_000n, key } };
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return { code: e.code, reason: e.details['reason'] };
    throw e;
  }
  throw new Error('expected a rejection');
}

const other = testKey('recipient');

describe('devnet mempool: accepted spends', () => {
  for (const kind of ['p2wpkh', 'p2tr'] as const) {
    it(`accepts a ${kind} spend of a matured coinbase and confirms it`, async () => {
      const { devnet, coin } = await funded(kind, `accept-${kind}`);
      const tx = signSpend([coin], [{ script: other.script, value: coin.value - 200n }]);
      const txid = await devnet.broadcast(tx.toBuffer());
      expect(txid).toBe(tx.getId());
      expect(await devnet.txStatus(txid)).toEqual({ confirmed: false });
      expect(await devnet.test.mempool()).toEqual([txid]);
      // Broadcasting again is a success, not an error.
      expect(await devnet.broadcast(tx.toBuffer())).toBe(txid);
      const [block] = await devnet.test.mine(1);
      expect(await devnet.txStatus(txid)).toEqual({
        confirmed: true,
        blockHash: block,
        blockHeight: 102,
      });
      expect(await devnet.test.mempool()).toEqual([]);
      const utxos = await devnet.utxos(other.script);
      expect(utxos.map((u) => [u.txid, u.value, u.height])).toEqual([
        [txid, coin.value - 200n, 102],
      ]);
      expect(await devnet.broadcast(tx.toBuffer())).toBe(txid);
    });
  }

  it('accepts a legacy P2PKH spend (signed over the legacy sighash)', async () => {
    const { devnet, coin } = await funded('p2pkh', 'accept-p2pkh');
    const tx = signSpend([coin], [{ script: other.script, value: coin.value - 300n }]);
    expect(tx.hasWitnesses()).toBe(false);
    expect(await devnet.broadcast(tx.toBuffer())).toBe(tx.getId());
    // A scriptSig signed for different outputs fails.
    const forged = signSpend([coin], [{ script: other.script, value: coin.value - 400n }]);
    forged.outs[0]!.value = coin.value - 300n - 1n;
    expect(await rejection(devnet.broadcast(forged.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'mandatory-script-verify-flag-failed',
    });
  });

  it('accepts a chain of unconfirmed spends and lists unconfirmed outputs', async () => {
    const { devnet, key, coin } = await funded('p2wpkh', 'chain-unconfirmed');
    const a = signSpend([coin], [{ script: key.script, value: coin.value - 500n }]);
    await devnet.broadcast(a.toBuffer());
    const b = signSpend(
      [{ txid: a.getId(), vout: 0, value: coin.value - 500n, key }],
      [{ script: other.script, value: coin.value - 1000n }],
    );
    await devnet.broadcast(b.toBuffer());
    expect(await devnet.utxos(key.script)).toEqual([]);
    const u = await devnet.utxos(other.script);
    expect(u).toHaveLength(1);
    expect(u[0]!.height).toBeUndefined();
    await devnet.test.mine(1);
    expect((await devnet.txStatus(b.getId())).confirmed).toBe(true);
  });
});

describe('devnet mempool: rejections', () => {
  it('rejects a bad P2WPKH signature', async () => {
    const { devnet, coin } = await funded('p2wpkh', 'badsig-wpkh');
    const tx = signSpend([coin], [{ script: other.script, value: coin.value - 200n }], {
      corruptSignature: true,
    });
    expect(await rejection(devnet.broadcast(tx.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'mandatory-script-verify-flag-failed',
    });
  });

  it('rejects a bad P2TR signature', async () => {
    const { devnet, coin } = await funded('p2tr', 'badsig-tr');
    const tx = signSpend([coin], [{ script: other.script, value: coin.value - 200n }], {
      corruptSignature: true,
    });
    expect(await rejection(devnet.broadcast(tx.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'mandatory-script-verify-flag-failed',
    });
  });

  it('rejects a high-S ECDSA signature (standardness) though its low-S twin is accepted', async () => {
    const { devnet, coin } = await funded('p2wpkh', 'high-s');
    const outputs = [{ script: other.script, value: coin.value - 200n }];
    const high = signSpend([coin], outputs, { highS: true });
    // The twin is mathematically valid: only the low-S rule refuses it.
    const der = high.ins[0]!.witness[0]!.slice(0, -1);
    const pubkey = high.ins[0]!.witness[1]!;
    const scriptCode = Uint8Array.of(0x76, 0xa9, 0x14, ...crypto.hash160(pubkey), 0x88, 0xac);
    const hash = high.hashForWitnessV0(0, scriptCode, coin.value, Transaction.SIGHASH_ALL);
    expect(
      secp256k1.verify(der, hash, pubkey, { prehash: false, format: 'der', lowS: false }),
    ).toBe(true);
    expect(secp256k1.verify(der, hash, pubkey, { prehash: false, format: 'der', lowS: true })).toBe(
      false,
    );
    expect(await rejection(devnet.broadcast(high.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'mandatory-script-verify-flag-failed',
    });
    expect(await devnet.broadcast(signSpend([coin], outputs).toBuffer())).toBeTruthy();
  });

  it('rejects taproot script-path spends, which the devnet does not verify', async () => {
    const { devnet, coin } = await funded('p2tr', 'script-path');
    const tx = signSpend([coin], [{ script: other.script, value: coin.value - 200n }]);
    tx.setWitness(0, [
      new Uint8Array([1]),
      new Uint8Array([0x51]),
      new Uint8Array(33).fill(0xc0, 0, 1),
    ]);
    expect(await rejection(devnet.broadcast(tx.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'unsupported-spend',
    });
  });

  it('rejects a signature by the wrong key', async () => {
    const { devnet, coin } = await funded('p2wpkh', 'wrongkey');
    const thief = { ...coin, key: testKey('thief') };
    const tx = signSpend([thief], [{ script: other.script, value: coin.value - 200n }]);
    expect((await rejection(devnet.broadcast(tx.toBuffer()))).code).toBe('TX_REJECTED');
  });

  it('rejects a double spend of a confirmed output as a conflict', async () => {
    const { devnet, coin } = await funded('p2wpkh', 'double');
    await devnet.broadcast(
      signSpend([coin], [{ script: other.script, value: coin.value - 200n }]).toBuffer(),
    );
    await devnet.test.mine(1);
    const again = signSpend([coin], [{ script: other.script, value: coin.value - 300n }]);
    expect(await rejection(devnet.broadcast(again.toBuffer()))).toEqual({
      code: 'TX_CONFLICT',
      reason: 'bad-txns-inputs-missingorspent',
    });
  });

  it('rejects a spend of an unknown output as missing inputs', async () => {
    const { devnet, key } = await funded('p2wpkh', 'missing');
    const ghost = { txid: 'ab'.repeat(32), vout: 0, value: 10_000n, key };
    expect(
      await rejection(
        devnet.broadcast(signSpend([ghost], [{ script: other.script, value: 9_000n }]).toBuffer()),
      ),
    ).toEqual({ code: 'TX_REJECTED', reason: 'missing-inputs' });
  });

  it('rejects dust outputs by type (P2WPKH 294, P2TR 330)', async () => {
    const { devnet, key, coin } = await funded('p2wpkh', 'dust');
    const tr = testKey('dust-tr', 'p2tr');
    const dustW = signSpend(
      [coin],
      [
        { script: other.script, value: 293n },
        { script: key.script, value: coin.value - 1293n },
      ],
    );
    expect(await rejection(devnet.broadcast(dustW.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'dust',
    });
    const dustT = signSpend(
      [coin],
      [
        { script: tr.script, value: 329n },
        { script: key.script, value: coin.value - 1329n },
      ],
    );
    expect(await rejection(devnet.broadcast(dustT.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'dust',
    });
    const ok = signSpend(
      [coin],
      [
        { script: other.script, value: 294n },
        { script: tr.script, value: 330n },
        { script: key.script, value: coin.value - 2000n },
      ],
    );
    expect(await devnet.broadcast(ok.toBuffer())).toBe(ok.getId());
  });

  it('accepts 80 bytes of OP_RETURN data and rejects 81 bytes or two OP_RETURN outputs', async () => {
    const { devnet, key, coin } = await funded('p2wpkh', 'opreturn');
    const change = { script: key.script, value: coin.value - 1000n };
    const big = signSpend([coin], [{ script: opReturn(new Uint8Array(81)), value: 0n }, change]);
    expect(await rejection(devnet.broadcast(big.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'datacarrier',
    });
    const two = signSpend(
      [coin],
      [
        { script: opReturn(new Uint8Array(4)), value: 0n },
        { script: opReturn(new Uint8Array(4)), value: 0n },
        change,
      ],
    );
    expect(await rejection(devnet.broadcast(two.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'multi-op-return',
    });
    const ok = signSpend(
      [coin],
      [{ script: opReturn(new Uint8Array(80).fill(7)), value: 0n }, change],
    );
    expect(await devnet.broadcast(ok.toBuffer())).toBe(ok.getId());
    await devnet.test.mine(1);
    // The OP_RETURN output never becomes a spendable coin.
    expect((await devnet.utxos(opReturn(new Uint8Array(80).fill(7)))).length).toBe(0);
  });

  it('rejects a fee below the minimum relay fee of 1 sat/vB', async () => {
    const { devnet, coin } = await funded('p2wpkh', 'lowfee');
    const cheap = signSpend([coin], [{ script: other.script, value: coin.value - 100n }]);
    expect(cheap.virtualSize()).toBeGreaterThan(100);
    expect(await rejection(devnet.broadcast(cheap.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'min relay fee not met',
    });
    const exact = signSpend(
      [coin],
      [{ script: other.script, value: coin.value - BigInt(cheap.virtualSize()) }],
    );
    expect(await devnet.broadcast(exact.toBuffer())).toBe(exact.getId());
  });

  it('rejects outputs worth more than the inputs', async () => {
    const { devnet, coin } = await funded('p2wpkh', 'inflate');
    const tx = signSpend([coin], [{ script: other.script, value: coin.value + 1n }]);
    expect(await rejection(devnet.broadcast(tx.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'bad-txns-in-belowout',
    });
  });

  it('rejects spending a coinbase before 100 confirmations', async () => {
    const devnet = createDevnet({ seed: 'immature' });
    const key = testKey('immature');
    const [h] = await devnet.test.mine(1, key.script);
    await devnet.test.mine(98);
    const coin = {
      txid: (await devnet.blockInfo(h!)).txids[0]!,
      vout: 0,
      value: 5_000_000_000n,
      key,
    };
    const tx = signSpend([coin], [{ script: other.script, value: coin.value - 500n }]);
    // Tip 99: in block 100 the coinbase of block 1 would have 99 confirmations, one short.
    expect(await rejection(devnet.broadcast(tx.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'bad-txns-premature-spend-of-coinbase',
    });
    await devnet.test.mine(1);
    expect(await devnet.broadcast(tx.toBuffer())).toBe(tx.getId());
  });

  it('rejects bytes that are not a transaction', async () => {
    const devnet = createDevnet({ seed: 'garbage' });
    expect((await rejection(devnet.broadcast(new Uint8Array([1, 2, 3])))).code).toBe(
      'TX_DESERIALIZATION',
    );
  });

  it('rejects non-standard output scripts', async () => {
    const { devnet, key, coin } = await funded('p2wpkh', 'nonstd');
    const tx = signSpend(
      [coin],
      [
        { script: Uint8Array.of(0x51), value: 1000n },
        { script: key.script, value: coin.value - 2000n },
      ],
    );
    expect(await rejection(devnet.broadcast(tx.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'scriptpubkey',
    });
  });
});

describe('devnet mempool: replacement (BIP125 rules, full RBF by default)', () => {
  it('replaces a transaction with one paying a higher fee and fee rate, evicting its descendants', async () => {
    const { devnet, key, coin } = await funded('p2wpkh', 'rbf');
    const first = signSpend([coin], [{ script: key.script, value: coin.value - 200n }], {
      sequence: 0xffffffff,
    });
    await devnet.broadcast(first.toBuffer());
    const child = signSpend(
      [{ txid: first.getId(), vout: 0, value: coin.value - 200n, key }],
      [{ script: other.script, value: coin.value - 400n }],
    );
    await devnet.broadcast(child.toBuffer());
    // Same fee plus less than the relay fee of the replacement: refused.
    const stingy = signSpend([coin], [{ script: key.script, value: coin.value - 450n }]);
    expect(await rejection(devnet.broadcast(stingy.toBuffer()))).toEqual({
      code: 'TX_REJECTED',
      reason: 'insufficient fee',
    });
    const bump = signSpend([coin], [{ script: key.script, value: coin.value - 1000n }]);
    expect(await devnet.broadcast(bump.toBuffer())).toBe(bump.getId());
    expect(await devnet.test.mempool()).toEqual([bump.getId()]);
    await expect(devnet.txStatus(first.getId())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await devnet.test.mine(1);
    expect((await devnet.txStatus(bump.getId())).confirmed).toBe(true);
  });

  it('in opt-in mode refuses to replace a transaction that does not signal', async () => {
    const { devnet, key, coin } = await funded('p2wpkh', 'optin', { replacement: 'opt-in' });
    const final = signSpend([coin], [{ script: key.script, value: coin.value - 200n }], {
      sequence: 0xffffffff,
    });
    await devnet.broadcast(final.toBuffer());
    const bump = signSpend([coin], [{ script: key.script, value: coin.value - 5000n }]);
    expect(await rejection(devnet.broadcast(bump.toBuffer()))).toEqual({
      code: 'TX_CONFLICT',
      reason: 'txn-mempool-conflict',
    });
  });
});

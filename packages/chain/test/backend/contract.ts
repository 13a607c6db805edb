// The behaviour every Backend must show, as a reusable suite: call
// `backendContract('esplora over devnet', makeSubject)` from a test file. It needs a
// chain it may mine on (regtest-like: coinbase maturity 100, segwit active); the
// subject gives the backend under test plus the test capabilities of the same chain.
import { isMedanchorError, sha256, toHex } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/index.js';
import type { TestCapabilities } from '../../src/devnet/index.js';
import { opReturn, type Spendable, signSpend, testKey } from '../devnet/wallet.js';

export interface ContractSubject {
  backend: Backend;
  /** Mining and invalidation on the chain the backend reads. */
  test: TestCapabilities;
  close?: () => Promise<void>;
}

function sha256d(b: Uint8Array): Uint8Array {
  return sha256(sha256(b));
}

function displayHash(header: Uint8Array): string {
  return toHex(sha256d(header).reverse());
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

const UNKNOWN = '11'.repeat(32);

/** Registers the Backend contract tests for the subject `make` creates (once per suite). */
export function backendContract(label: string, make: () => Promise<ContractSubject>): void {
  describe(`Backend contract: ${label}`, () => {
    let subject: ContractSubject;
    let backend: Backend;
    const key = testKey(`contract ${label}`);
    const payee = testKey(`contract payee ${label}`);
    let funding: Spendable[] = [];

    beforeAll(async () => {
      subject = await make();
      backend = subject.backend;
      await subject.test.mine(3, key.script);
      await subject.test.mine(100);
      const utxos = await backend.utxos(key.script);
      funding = utxos
        .filter((u) => u.height !== undefined)
        .map((u) => ({ txid: u.txid, vout: u.vout, value: u.value, key }));
    });

    afterAll(async () => {
      await subject?.close?.();
    });

    it('reports a tip whose header hashes to its hash, and finds it by hash and by height', async () => {
      const tip = await backend.tip();
      expect(tip.header).toHaveLength(80);
      expect(displayHash(tip.header)).toBe(tip.hash);
      expect(await backend.headerByHash(tip.hash)).toEqual(tip);
      expect(await backend.headerByHeight(tip.height)).toEqual(tip);
    });

    it('serves headers that link to their parents', async () => {
      const tip = await backend.tip();
      for (let h = tip.height; h > tip.height - 3; h--) {
        const cur = await backend.headerByHeight(h);
        const parent = await backend.headerByHeight(h - 1);
        expect(toHex(cur.header.subarray(4, 36).slice().reverse())).toBe(parent.hash);
      }
    });

    it('answers NOT_FOUND for unknown blocks, heights and transactions', async () => {
      const tip = await backend.tip();
      expect(await codeOf(backend.headerByHeight(tip.height + 1000))).toBe('NOT_FOUND');
      expect(await codeOf(backend.headerByHash(UNKNOWN))).toBe('NOT_FOUND');
      expect(await codeOf(backend.transaction(UNKNOWN))).toBe('NOT_FOUND');
      expect(await codeOf(backend.txStatus(UNKNOWN))).toBe('NOT_FOUND');
    });

    it('lists matured coinbase outputs paying a script', () => {
      expect(funding.length).toBeGreaterThanOrEqual(3);
      for (const f of funding) expect(f.value).toBeGreaterThan(0n);
    });

    it('gives a positive fee estimate', async () => {
      const rate = await backend.feeRate(6);
      expect(rate).toBeGreaterThan(0);
    });

    it('broadcasts, tracks and proves an anchor-like transaction through confirmation', async () => {
      const coin = funding[0]!;
      const tx = signSpend(
        [coin],
        [
          { script: opReturn(sha256(new TextEncoder().encode(`checkpoint ${label}`))), value: 0n },
          { script: payee.script, value: coin.value - 2_000n },
        ],
      );
      const raw = tx.toBuffer();
      const txid = await backend.broadcast(raw);
      expect(txid).toBe(tx.getId());
      // Sending the same transaction again is a success.
      expect(await backend.broadcast(raw)).toBe(txid);
      expect(await backend.txStatus(txid)).toEqual({ confirmed: false });
      expect(toHex(await backend.transaction(txid))).toBe(toHex(raw));
      expect(await codeOf(backend.merkleBranch(txid))).toBe('NOT_CONFIRMED');
      const pending = await backend.utxos(payee.script);
      expect(pending.find((u) => u.txid === txid)?.height).toBeUndefined();

      const [blockHash] = await subject.test.mine(1);
      const tip = await backend.tip();
      expect(tip.hash).toBe(blockHash);
      expect(await backend.txStatus(txid)).toEqual({
        confirmed: true,
        blockHash,
        blockHeight: tip.height,
      });
      const confirmed = await backend.utxos(payee.script);
      expect(confirmed.find((u) => u.txid === txid)).toMatchObject({
        vout: 1,
        value: coin.value - 2_000n,
        height: tip.height,
      });

      const branch = await backend.merkleBranch(txid);
      expect(branch.blockHash).toBe(blockHash);
      expect(branch.blockHeight).toBe(tip.height);
      expect(branch.txCount).toBeGreaterThanOrEqual(2);
      expect(branch.position).toBeGreaterThan(0);
      expect(branch.siblings).toHaveLength(Math.ceil(Math.log2(branch.txCount)));
      // Fold the branch (internal order) up to the header's merkle root.
      let node = Transaction.fromBuffer(raw).getHash();
      let index = branch.position;
      for (const s of branch.siblings) {
        const pair = new Uint8Array(64);
        pair.set(index & 1 ? s : node, 0);
        pair.set(index & 1 ? node : s, 32);
        node = sha256d(pair);
        index >>= 1;
      }
      expect(toHex(node)).toBe(toHex(tip.header.subarray(36, 68)));
      // Already in the chain also counts as success.
      expect(await backend.broadcast(raw)).toBe(txid);
    });

    it('rejects a double spend of a confirmed output with TX_CONFLICT', async () => {
      const coin = funding[0]!;
      const again = signSpend([coin], [{ script: payee.script, value: coin.value - 5_000n }]);
      expect(await codeOf(backend.broadcast(again.toBuffer()))).toBe('TX_CONFLICT');
    });

    it('rejects a fee below the minimum relay fee with TX_REJECTED', async () => {
      const coin = funding[1]!;
      const cheap = signSpend([coin], [{ script: payee.script, value: coin.value - 10n }]);
      expect(await codeOf(backend.broadcast(cheap.toBuffer()))).toBe('TX_REJECTED');
    });

    it('rejects a bad signature with TX_REJECTED', async () => {
      const coin = funding[1]!;
      const bad = signSpend([coin], [{ script: payee.script, value: coin.value - 1_000n }], {
        corruptSignature: true,
      });
      expect(await codeOf(backend.broadcast(bad.toBuffer()))).toBe('TX_REJECTED');
    });

    it('rejects bytes that are not a transaction with TX_DESERIALIZATION', async () => {
      expect(await codeOf(backend.broadcast(new Uint8Array([0, 1, 2, 3, 4])))).toBe(
        'TX_DESERIALIZATION',
      );
    });

    it('returns a transaction to unconfirmed when its block is invalidated, and confirms it again', async () => {
      const coin = funding[2]!;
      const tx = signSpend([coin], [{ script: payee.script, value: coin.value - 1_500n }]);
      const txid = await backend.broadcast(tx.toBuffer());
      const [block] = await subject.test.mine(1);
      const before = await backend.tip();
      expect((await backend.txStatus(txid)).blockHash).toBe(block);
      await subject.test.invalidateBlock(block!);
      expect((await backend.tip()).height).toBe(before.height - 1);
      expect(await backend.txStatus(txid)).toEqual({ confirmed: false });
      const [other] = await subject.test.mine(2);
      const status = await backend.txStatus(txid);
      expect(status.confirmed).toBe(true);
      expect(status.blockHash).toBe(other);
      expect((await backend.merkleBranch(txid)).blockHash).toBe(other);
    });
  });
}

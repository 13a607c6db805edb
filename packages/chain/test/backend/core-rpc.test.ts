import { isMedanchorError, MedanchorError } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreRpcBackend } from '../../src/backend/core-rpc.js';
import type { CoreRpcBackend } from '../../src/backend/core-rpc-options.js';
import type { Utxo } from '../../src/backend/types.js';
import { hashFromDisplayHex, hashToDisplayHex, sha256d } from '../../src/bitcoin/hash.js';
import { foldMerkleBranch } from '../../src/bitcoin/merkle.js';
import { headerMeetsTarget, powHashOf } from '../../src/bitcoin/pow.js';
import { regtestControls } from '../../src/devnet/regtest-controls.js';
import type { NetworkParams } from '../../src/network/params.js';
import { coreCookieFile } from '../../src/node/cookie.js';
import { type Litecoind, litecoindPath, startLitecoind } from '../node/litecoind.js';
import { litecoinRegtest, opReturn, signSpend, type TestKey, testKey } from '../node/ltc-wallet.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MedanchorError) return e.code;
    throw e;
  }
  throw new Error('expected a rejection');
}

const bin = litecoindPath();

describe.skipIf(!bin)('coreRpcBackend against a real litecoind regtest node', () => {
  let node: Litecoind;
  let backend: CoreRpcBackend;
  let network: NetworkParams;
  let key: TestKey;
  let anchor: { raw: Uint8Array; txid: string };
  let spentCoinbase: Utxo;
  let firstBlock: string;

  beforeAll(async () => {
    node = await startLitecoind();
    backend = coreRpcBackend({
      url: node.url,
      user: node.user,
      password: node.password,
    });
    // Networks are data: the genesis comes from the running node.
    const genesisHash = await node.rpc<string>('getblockhash', [0]);
    network = litecoinRegtest(await node.rpc<string>('getblockheader', [genesisHash, false]));
    key = testKey('core-rpc funding', network);
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('starts at the genesis block the network parameters were built from', async () => {
    const tip = await backend.tip();
    expect(tip.height).toBe(0);
    expect(tip.hash).toBe(network.genesisHash);
    expect(hashToDisplayHex(sha256d(tip.header))).toBe(tip.hash);
    expect((await backend.headerByHeight(0)).hash).toBe(tip.hash);
    expect(backend.name).toBe(`core-rpc(http://127.0.0.1:${node.rpcPort})`);
    expect(backend.name).not.toContain(node.password);
  });

  it('answers NOT_FOUND for unknown blocks, heights and transactions', async () => {
    expect(await codeOf(backend.headerByHeight(5))).toBe('NOT_FOUND');
    expect(await codeOf(backend.headerByHash('11'.repeat(32)))).toBe('NOT_FOUND');
    expect(await codeOf(backend.transaction('22'.repeat(32)))).toBe('NOT_FOUND');
    expect(await codeOf(backend.txStatus('22'.repeat(32)))).toBe('NOT_FOUND');
    expect(await codeOf(backend.headerByHash('not hex'))).toBe('INVALID_HASH');
  });

  it('authenticates with the cookie file, and refuses a wrong password', async () => {
    const viaCookie = coreRpcBackend({ url: node.url, cookie: coreCookieFile(node.cookiePath) });
    expect((await viaCookie.tip()).height).toBe(0);
    const wrong = coreRpcBackend({ url: node.url, user: node.user, password: 'wrong' });
    expect(await codeOf(wrong.tip())).toBe('RPC_UNAUTHORIZED');
  });

  it('funds our own rltc1 P2WPKH key by mining 101 blocks to it', async () => {
    expect(key.address.startsWith('rltc1q')).toBe(true);
    const check = await node.rpc<{ isvalid: boolean; scriptPubKey: string }>('validateaddress', [
      key.address,
    ]);
    expect(check.isvalid).toBe(true);
    expect(check.scriptPubKey).toBe(Buffer.from(key.script).toString('hex'));

    const hashes = await regtestControls(backend).mine(101, key.script);
    expect(hashes).toHaveLength(101);
    firstBlock = hashes[0]!;
    expect((await backend.tip()).hash).toBe(hashes[100]);
    const utxos = await backend.utxos(key.script);
    expect(utxos).toHaveLength(101);
    expect(utxos.every((u) => u.value === 5_000_000_000n && u.height !== undefined)).toBe(true);
  });

  it('returns the configured floor as fee rate while regtest has no estimate', async () => {
    expect(await backend.feeRate(2)).toBe(1);
    const floor5 = coreRpcBackend({
      url: node.url,
      user: node.user,
      password: node.password,
      feeRateFloor: 5,
    });
    expect(await floor5.feeRate()).toBe(5);
  });

  it('broadcasts a signed spend of the mature coinbase with a 36-byte OP_RETURN', async () => {
    const utxos = await backend.utxos(key.script);
    spentCoinbase = utxos.find((u) => u.height === 1)!;
    const payload = new Uint8Array(36).map((_, i) => i + 1);
    const fee = BigInt(Math.ceil((await backend.feeRate()) * 200));
    anchor = signSpend(
      key,
      network,
      [spentCoinbase],
      [
        { script: opReturn(payload), value: 0n },
        { script: key.script, value: spentCoinbase.value - fee },
      ],
    );
    expect(await backend.broadcast(anchor.raw)).toBe(anchor.txid);

    expect(await backend.txStatus(anchor.txid)).toEqual({ confirmed: false });
    expect(Buffer.from(await backend.transaction(anchor.txid))).toEqual(Buffer.from(anchor.raw));
    expect(await codeOf(backend.merkleBranch(anchor.txid))).toBe('NOT_CONFIRMED');
    // The mempool view: the change is there, unconfirmed; the spent coinbase is gone.
    const after = await backend.utxos(key.script);
    const change = after.find((u) => u.txid === anchor.txid);
    expect(change?.vout).toBe(1);
    expect(change?.height).toBeUndefined();
    expect(after.some((u) => u.txid === spentCoinbase.txid)).toBe(false);
    // Already in the mempool counts as success.
    expect(await backend.broadcast(anchor.raw)).toBe(anchor.txid);
  });

  it('confirms it, with the same merkle branch from getblock and from gettxoutproof', async () => {
    const [blockHash] = await regtestControls(backend).mine(1);
    const status = await backend.txStatus(anchor.txid);
    expect(status).toEqual({ confirmed: true, blockHash, blockHeight: 102 });

    const fromBlock = await backend.merkleBranch(anchor.txid);
    const viaProof = coreRpcBackend({
      url: node.url,
      user: node.user,
      password: node.password,
      merkleSource: 'txoutproof',
    });
    const fromProof = await viaProof.merkleBranch(anchor.txid);
    expect(fromProof).toEqual(fromBlock);
    expect(fromBlock).toMatchObject({ blockHash, blockHeight: 102, position: 1, txCount: 2 });

    const header = (await backend.headerByHash(blockHash!)).header;
    const root = foldMerkleBranch(
      hashFromDisplayHex(anchor.txid),
      fromBlock.position,
      fromBlock.siblings,
    );
    expect(Buffer.from(root)).toEqual(Buffer.from(header.subarray(36, 68)));
  });

  it('sees scrypt proof of work in every header, which sha256d would not satisfy', async () => {
    let sha256dFailures = 0;
    for (let h = 0; h <= 102; h++) {
      const { header } = await backend.headerByHeight(h);
      expect(headerMeetsTarget(header, network)).toBe(true);
      if (!headerMeetsTarget(header, { ...network, powHash: 'sha256d' })) sha256dFailures++;
      expect(Buffer.from(powHashOf(header, network))).not.toEqual(Buffer.from(sha256d(header)));
    }
    // Regtest's target is half the hash space, so about half the blocks fail sha256d.
    expect(sha256dFailures).toBeGreaterThan(0);
  });

  it('re-broadcast of a confirmed transaction is success (Core -27)', async () => {
    expect(await backend.broadcast(anchor.raw)).toBe(anchor.txid);
  });

  it('maps garbage, a spent input and a policy rejection to typed errors', async () => {
    expect(await codeOf(backend.broadcast(new Uint8Array([1, 2, 3, 4])))).toBe(
      'TX_DESERIALIZATION',
    );
    // The coinbase is spent in the chain: Core says "Missing inputs" (-25).
    const again = signSpend(
      key,
      network,
      [spentCoinbase],
      [{ script: key.script, value: spentCoinbase.value - 2000n }],
    );
    const err = await backend.broadcast(again.raw).catch((e: unknown) => e);
    expect(isMedanchorError(err, 'TX_CONFLICT')).toBe(true);
    expect((err as MedanchorError).details['rpcCode']).toBe(-25);

    // Zero fee: a -26 policy rejection that keeps Core's reason.
    const coin = (await backend.utxos(key.script)).find((u) => u.height === 2)!;
    const free = signSpend(key, network, [coin], [{ script: key.script, value: coin.value }]);
    const policy = await backend.broadcast(free.raw).catch((e: unknown) => e);
    expect(isMedanchorError(policy, 'TX_REJECTED')).toBe(true);
    expect((policy as MedanchorError).details['rpcCode']).toBe(-26);
    expect(String((policy as MedanchorError).details['reason'])).toMatch(/fee/);
  });

  it('maps a double spend of a mempool transaction to TX_CONFLICT (no RBF on litecoind)', async () => {
    const coin = (await backend.utxos(key.script)).find((u) => u.height === 3)!;
    const first = signSpend(
      key,
      network,
      [coin],
      [{ script: key.script, value: coin.value - 1000n }],
    );
    const second = signSpend(
      key,
      network,
      [coin],
      [{ script: key.script, value: coin.value - 5000n }],
    );
    expect(await backend.broadcast(first.raw)).toBe(first.txid);
    expect(await codeOf(backend.broadcast(second.raw))).toBe('TX_CONFLICT');
  });

  it('follows a reorg: the transaction returns to the mempool, then confirms again', async () => {
    const before = await backend.txStatus(anchor.txid);
    await regtestControls(backend).invalidateBlock(before.blockHash!);
    expect((await backend.tip()).height).toBe(101);
    expect(await backend.txStatus(anchor.txid)).toEqual({ confirmed: false });
    expect(await codeOf(backend.merkleBranch(anchor.txid))).toBe('NOT_CONFIRMED');

    // Paid to another script than the invalidated block, so the new block differs from it.
    const [replacement] = await regtestControls(backend).mine(1, key.script);
    expect(replacement).not.toBe(before.blockHash);
    const after = await backend.txStatus(anchor.txid);
    expect(after).toEqual({ confirmed: true, blockHash: replacement, blockHeight: 102 });
    const branch = await backend.merkleBranch(anchor.txid);
    const header = (await backend.headerByHash(replacement!)).header;
    const root = foldMerkleBranch(
      hashFromDisplayHex(anchor.txid),
      branch.position,
      branch.siblings,
    );
    expect(Buffer.from(root)).toEqual(Buffer.from(header.subarray(36, 68)));

    // Reconsidering the old block makes it a candidate again with equal work; Core
    // prefers the block it received first, so the chain switches back to it and the
    // transaction is confirmed in its original block once more.
    await regtestControls(backend).reconsiderBlock!(before.blockHash!);
    expect((await backend.tip()).hash).toBe(before.blockHash);
    expect(await backend.txStatus(anchor.txid)).toEqual(before);
    expect((await backend.merkleBranch(anchor.txid)).blockHash).toBe(before.blockHash);
    expect(firstBlock).toBe((await backend.headerByHeight(1)).hash);
  });
});

// What the Electrum backend adds on top of the contract, against the test Electrum server
// answering from a real litecoind: the same branches as Core (with the transaction count
// found through id_from_pos), header checkpoints, OP_RETURN-only transactions, and a
// server that lies.

import { MedanchorError } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreRpcBackend } from '../../src/backend/core-rpc.js';
import type { CoreRpcBackend } from '../../src/backend/core-rpc-options.js';
import { electrumBackend } from '../../src/backend/electrum.js';
import { type ElectrumClient, electrumClient } from '../../src/backend/electrum-client.js';
import { hashFromDisplayHex, hashToDisplayHex } from '../../src/bitcoin/hash.js';
import { bitcoinMerkleRoot } from '../../src/bitcoin/merkle.js';
import { regtestControls } from '../../src/devnet/regtest-controls.js';
import type { NetworkParams } from '../../src/network/params.js';
import { electrumSocketTransport } from '../../src/node/electrum-transport.js';
import { proveBlockDepth } from '../../src/spv/depth.js';
import { type Litecoind, litecoindPath, startLitecoind } from '../node/litecoind.js';
import { litecoinRegtest, opReturn, signSpend, type TestKey, testKey } from '../node/ltc-wallet.js';
import {
  type ElectrumHandler,
  startElectrumServer,
  type TestElectrumServer,
} from './electrum-server.js';
import { litecoindElectrumHandler } from './electrum-server-litecoind.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MedanchorError) return e.code;
    throw e;
  }
  return 'NO_ERROR';
}

const bin = litecoindPath();

describe.skipIf(!bin)('electrumBackend against a litecoind-backed Electrum server', () => {
  let node: Litecoind;
  let core: CoreRpcBackend;
  let network: NetworkParams;
  let key: TestKey;
  const servers: TestElectrumServer[] = [];
  const clients: ElectrumClient[] = [];

  async function electrumOver(handler: ElectrumHandler, extra: Record<string, unknown> = {}) {
    const server = await startElectrumServer(handler);
    servers.push(server);
    const client = electrumClient({
      transport: electrumSocketTransport({ host: server.host, port: server.port }),
    });
    clients.push(client);
    return { server, backend: electrumBackend({ client, ...extra }) };
  }

  beforeAll(async () => {
    node = await startLitecoind();
    core = coreRpcBackend({
      url: node.url,
      user: node.user,
      password: node.password,
    });
    const genesis = await node.rpc<string>('getblockhash', [0]);
    network = litecoinRegtest(await node.rpc<string>('getblockheader', [genesis, false]));
    key = testKey('electrum backend', network);
    await regtestControls(core).mine(110, key.script);
    await regtestControls(core).mine(100); // every coinbase of ours matures
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.close();
    await node?.stop();
  });

  it('lists the same UTXOs as Core and reports the fee floor while regtest has no estimate', async () => {
    const { backend } = await electrumOver(litecoindElectrumHandler(node.rpc), { feeRateFloor: 2 });
    const key = (u: { txid: string; vout: number; value: bigint; height?: number }) =>
      `${u.txid}:${u.vout}:${u.value}:${u.height}`;
    const fromElectrum = (await backend.utxos(testKey('electrum backend', network).script)).map(
      key,
    );
    const fromCore = (await core.utxos(testKey('electrum backend', network).script)).map(key);
    expect(fromElectrum.sort()).toEqual(fromCore.sort());
    expect(fromElectrum).toHaveLength(110);
    expect(await backend.feeRate()).toBe(2);
  });

  it('gives the same merkle branch as Core in a block of 6 transactions (count by id_from_pos)', async () => {
    const { backend, server } = await electrumOver(litecoindElectrumHandler(node.rpc));
    const coins = (await core.utxos(key.script)).filter((u) => u.height !== undefined);
    const txids: string[] = [];
    for (const coin of coins.slice(0, 5)) {
      const tx = signSpend(
        key,
        network,
        [coin],
        [
          { script: opReturn(new Uint8Array(36).fill(txids.length)), value: 0n },
          { script: key.script, value: coin.value - 2_000n },
        ],
      );
      txids.push(await backend.broadcast(tx.raw));
    }
    await regtestControls(core).mine(1);
    for (const txid of txids) {
      const a = await backend.merkleBranch(txid);
      expect(a).toEqual(await core.merkleBranch(txid));
      expect(a.txCount).toBe(6);
    }
    // Depth 3 allows 5 to 8 transactions: a handful of id_from_pos probes, not a scan.
    const probes = server.requests.filter((r) => r.method === 'blockchain.transaction.id_from_pos');
    expect(probes.length).toBeLessThanOrEqual(5 * 3);
  });

  it('locates a transaction whose only output is an OP_RETURN through the script it spends', async () => {
    const { backend } = await electrumOver(litecoindElectrumHandler(node.rpc));
    const coin = (await core.utxos(key.script)).find((u) => u.height === 20)!;
    const split = signSpend(
      key,
      network,
      [coin],
      [
        { script: key.script, value: 20_000n },
        { script: key.script, value: coin.value - 22_000n },
      ],
    );
    await backend.broadcast(split.raw);
    const small = { txid: split.txid, vout: 0, value: 20_000n, script: key.script };
    const burn = signSpend(
      key,
      network,
      [small],
      [{ script: opReturn(new Uint8Array(36).fill(9)), value: 0n }],
    );
    expect(await backend.broadcast(burn.raw)).toBe(burn.txid);
    expect(await backend.txStatus(burn.txid)).toEqual({ confirmed: false });
    const [block] = await regtestControls(core).mine(1);
    expect(await backend.txStatus(burn.txid)).toMatchObject({ confirmed: true, blockHash: block });
    expect((await backend.merkleBranch(burn.txid)).blockHash).toBe(block);
  });

  it('checks headers against a trusted checkpoint, and refuses a server that cannot prove them', async () => {
    const tip = await core.tip();
    const cpHeight = tip.height - 2;
    const hashes: Uint8Array[] = [];
    for (let h = 0; h <= cpHeight; h++) {
      hashes.push(hashFromDisplayHex((await core.headerByHeight(h)).hash));
    }
    const checkpoint = { height: cpHeight, root: hashToDisplayHex(bitcoinMerkleRoot(hashes)) };
    const honest = litecoindElectrumHandler(node.rpc);
    const { backend, server } = await electrumOver(honest, { checkpoint });
    expect(await backend.headerByHeight(37)).toEqual(await core.headerByHeight(37));
    expect(server.requests.at(-1)).toEqual({
      method: 'blockchain.block.header',
      params: [37, cpHeight],
    });
    // Above the checkpoint, headers come without a proof.
    expect((await backend.headerByHeight(tip.height)).hash).toBe(tip.hash);

    // A server that swaps in another header at height 37 and keeps the honest proof.
    const liar: ElectrumHandler = async (method, params) => {
      const answer = await honest(method, params);
      if (method === 'blockchain.block.header' && params[0] === 37 && params[1]) {
        const other = (await honest(method, [38, params[1]])) as { header: string };
        return { ...(answer as object), header: other.header };
      }
      return answer;
    };
    const lying = await electrumOver(liar, { checkpoint });
    expect(await codeOf(lying.backend.headerByHeight(37))).toBe('CHECKPOINT_MISMATCH');
    expect((await lying.backend.headerByHeight(36)).hash).toBe(
      (await core.headerByHeight(36)).hash,
    );
  });

  it('finds headers by hash near the tip only, and says so', async () => {
    const { backend } = await electrumOver(litecoindElectrumHandler(node.rpc), {
      hashSearchDepth: 10,
    });
    const tip = await core.tip();
    const near = await core.headerByHeight(tip.height - 5);
    expect(await backend.headerByHash(near.hash)).toEqual(near);
    const far = await core.headerByHeight(3);
    const e = (await backend.headerByHash(far.hash).catch((x: unknown) => x)) as MedanchorError;
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/by hash/);
    // Once its height is known (it was read by height), the hash is found again.
    await backend.headerByHeight(3);
    expect(await backend.headerByHash(far.hash)).toEqual(far);
  });

  it('serves header ranges in one request, and a level-3 depth proof uses them', async () => {
    const { backend, server } = await electrumOver(litecoindElectrumHandler(node.rpc));
    const tip = await core.tip();
    const range = await backend.headers(tip.height - 9, 10);
    for (const [i, h] of range.entries())
      expect(h).toEqual((await core.headerByHeight(tip.height - 9 + i)).header);
    expect(await codeOf(backend.headers(tip.height - 1, 5))).toBe('NOT_FOUND');
    const before = server.requests.length;
    const block = await core.headerByHeight(tip.height - 20);
    const r = await proveBlockDepth({ params: network, block, confirmations: 6, source: backend });
    expect(r).toMatchObject({ ok: true, direction: 'forward' });
    // From genesis to 6 deep: one range request (under 2016 headers), not one per header.
    const methods = server.requests.slice(before).map((q) => q.method);
    expect(methods.filter((m) => m === 'blockchain.block.headers')).toHaveLength(1);
    expect(methods).not.toContain('blockchain.block.header');
  });

  it('refuses a merkle branch that does not reach the header (BACKEND_INCONSISTENT)', async () => {
    const honest = litecoindElectrumHandler(node.rpc);
    const liar: ElectrumHandler = async (method, params) => {
      const answer = await honest(method, params);
      if (method === 'blockchain.transaction.get_merkle') {
        const a = answer as { merkle: string[] };
        return { ...a, merkle: a.merkle.map(() => '00'.repeat(32)) };
      }
      return answer;
    };
    const { backend } = await electrumOver(liar);
    const coin = (await core.utxos(key.script)).find((u) => u.height === 30)!;
    const tx = signSpend(
      key,
      network,
      [coin],
      [{ script: key.script, value: coin.value - 3_000n }],
    );
    await core.broadcast(tx.raw);
    await regtestControls(core).mine(1);
    expect(await codeOf(backend.merkleBranch(tx.txid))).toBe('BACKEND_INCONSISTENT');
  });
});

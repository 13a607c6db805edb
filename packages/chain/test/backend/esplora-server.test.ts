// The devnet's Esplora server speaks Esplora's shapes and byte orders, checked with
// plain fetch (no medanchor client in the loop).
import { toHex } from '@medanchor/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevnet, type Devnet } from '../../src/devnet/index.js';
import { type EsploraServer, serveEsplora } from '../../src/node/index.js';
import { signSpend, testKey } from '../devnet/wallet.js';

describe('serveEsplora over a devnet', () => {
  let devnet: Devnet;
  let server: EsploraServer;
  let txid = '';
  let blockHash = '';
  let coinbaseTxid = '';
  const key = testKey('server');

  beforeAll(async () => {
    devnet = createDevnet({ seed: 'server', feeRate: (t) => (t <= 2 ? 10 : 2) });
    server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
    await devnet.test.mine(1, key.script);
    await devnet.test.mine(100);
    const [coin] = await devnet.utxos(key.script);
    const tx = signSpend(
      [{ ...coin!, key }],
      [{ script: key.script, value: coin!.value - 1_000n }],
    );
    const res = await fetch(`${server.url}/tx`, { method: 'POST', body: tx.toHex() });
    expect(res.status).toBe(200);
    txid = await res.text();
    [blockHash] = (await devnet.test.mine(1)) as [string];
    coinbaseTxid = (await devnet.blockInfo(blockHash)).txids[0]!;
  });

  afterAll(async () => {
    await server.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    return { status: res.status, text: await res.text() };
  };

  it('serves the tip as text', async () => {
    expect(await get('/blocks/tip/height')).toEqual({ status: 200, text: '102' });
    expect(await get('/blocks/tip/hash')).toEqual({ status: 200, text: blockHash });
    expect(await get('/block-height/102')).toEqual({ status: 200, text: blockHash });
    expect((await get('/block-height/103')).status).toBe(404);
  });

  it('serves block JSON with height, tx_count and display-order hashes', async () => {
    const block = JSON.parse((await get(`/block/${blockHash}`)).text);
    const header = (await get(`/block/${blockHash}/header`)).text;
    expect(block).toMatchObject({ id: blockHash, height: 102, tx_count: 2, bits: 0x207fffff });
    expect(block.previousblockhash).toBe((await get('/block-height/101')).text);
    expect(toHex(sha256(sha256(Buffer.from(header, 'hex'))).reverse())).toBe(blockHash);
    expect(JSON.parse((await get(`/block/${blockHash}/txids`)).text)).toEqual([coinbaseTxid, txid]);
    expect(JSON.parse((await get(`/block/${blockHash}/status`)).text)).toEqual({
      in_best_chain: true,
      height: 102,
    });
  });

  it('serves the merkle proof in display order, as Esplora does', async () => {
    const proof = JSON.parse((await get(`/tx/${txid}/merkle-proof`)).text);
    // In a two-transaction block the sibling of position 1 is the coinbase, shown as its txid.
    expect(proof).toEqual({ block_height: 102, merkle: [coinbaseTxid], pos: 1 });
  });

  it('serves transaction status, hex and 404 for unknown txids', async () => {
    const status = JSON.parse((await get(`/tx/${txid}/status`)).text);
    expect(status).toMatchObject({ confirmed: true, block_height: 102, block_hash: blockHash });
    expect(typeof status.block_time).toBe('number');
    expect((await get(`/tx/${txid}/hex`)).text).toBe(toHex(await devnet.transaction(txid)));
    expect((await get(`/tx/${'00'.repeat(32)}/status`)).status).toBe(404);
    expect((await get(`/tx/${'00'.repeat(32)}/hex`)).status).toBe(404);
    expect((await get('/tx/nothex/hex')).status).toBe(400);
  });

  it('serves unspent outputs by scripthash (sha256 of the script, hex)', async () => {
    const list = JSON.parse((await get(`/scripthash/${toHex(sha256(key.script))}/utxo`)).text);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      txid,
      vout: 0,
      value: 5_000_000_000 - 1_000,
      status: { confirmed: true, block_height: 102 },
    });
  });

  it('serves fee estimates by confirmation target', async () => {
    const est = JSON.parse((await get('/fee-estimates')).text);
    expect(est['1']).toBe(10);
    expect(est['6']).toBe(2);
    expect(est['144']).toBe(2);
  });

  it('lets pages on any origin call it (CORS): allow-origin on answers and errors, OPTIONS preflight', async () => {
    const origin = { origin: 'http://127.0.0.1:9' };
    const ok = await fetch(`${server.url}/blocks/tip/hash`, { headers: origin });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    const missing = await fetch(`${server.url}/block-height/999999`, { headers: origin });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    const json = await fetch(`${server.url}/block/${blockHash}`, { headers: origin });
    expect(json.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${server.url}/tx`, {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')?.split(/,\s*/)).toEqual(
      expect.arrayContaining(['GET', 'POST']),
    );
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
    expect(await preflight.text()).toBe('');
    const rejected = await fetch(`${server.url}/tx`, {
      method: 'POST',
      body: '00',
      headers: origin,
    });
    expect(rejected.status).toBe(400);
    expect(rejected.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers a rejected broadcast with 400 and a Core-style RPC error', async () => {
    const res = await fetch(`${server.url}/tx`, { method: 'POST', body: '0011' });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(
      'sendrawtransaction RPC error: {"code":-22,"message":"TX decode failed"}',
    );
    const [coin] = await devnet.utxos(key.script);
    const cheap = signSpend([{ ...coin!, key }], [{ script: key.script, value: coin!.value - 1n }]);
    const r2 = await fetch(`${server.url}/tx`, { method: 'POST', body: cheap.toHex() });
    expect(r2.status).toBe(400);
    expect(await r2.text()).toBe(
      'sendrawtransaction RPC error: {"code":-26,"message":"min relay fee not met"}',
    );
  });
});

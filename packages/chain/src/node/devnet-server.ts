import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromHex, isMedanchorError, MedanchorError, toHex } from '@medanchor/core';
import type { Backend, Utxo } from '../backend/types.js';
import { bitsToTarget } from '../bitcoin/compact.js';
import { hashToDisplayHex } from '../bitcoin/hash.js';
import { parseHeader } from '../bitcoin/header.js';
import type { DevnetBlockInfo } from '../devnet/index.js';

/**
 * What {@link serveEsplora} serves: any {@link Backend}; block JSON, txids and
 * scripthash lookups need the explorer-style extras a devnet has.
 */
export interface EsploraSource extends Backend {
  blockInfo?(hash: string): Promise<DevnetBlockInfo>;
  utxosByScriptHash?(scriptHash: string): Promise<Utxo[]>;
}

/** Options of {@link serveEsplora}. */
export interface ServeEsploraOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
}

/** A running Esplora server. */
export interface EsploraServer {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

// Bitcoin Core RPC codes Esplora forwards inside its broadcast errors.
const RPC_CODE: Record<string, number> = {
  TX_DESERIALIZATION: -22,
  TX_CONFLICT: -25,
  TX_REJECTED: -26,
};
const MAX_BODY = 4_000_000;
// Like blockstream.info and mempool.space: any origin may read, so a verifier page on
// another origin can call the API from the browser.
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '86400',
} as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Serves the Esplora HTTP API over a backend (typically a devnet), so code that
 * talks to Esplora can be tested against a local chain over real HTTP. Endpoints:
 * `GET /blocks/tip/height`, `/blocks/tip/hash`, `/blocks[/:h]` (the block at `:h`, or the
 * tip, and up to 9 below it), `/block-height/:h`, `/block/:hash`,
 * `/block/:hash/header`, `/block/:hash/txids`, `/block/:hash/raw`, `/block/:hash/status`,
 * `/tx/:txid/hex`, `/tx/:txid/raw`, `/tx/:txid/status`, `/tx/:txid/merkle-proof`,
 * `/scripthash/:hash/utxo`, `/fee-estimates`, and `POST /tx`. Every answer allows any
 * origin (CORS, with `OPTIONS` preflight), as public Esplora instances do.
 *
 * @example
 * ```ts
 * const devnet = createDevnet();
 * const server = await serveEsplora(devnet, { port: 0 });
 * const backend = esploraBackend({ url: server.url });
 * // ...
 * await server.close();
 * ```
 */
export async function serveEsplora(
  source: EsploraSource,
  options: ServeEsploraOptions = {},
): Promise<EsploraServer> {
  const server = createServer((req, res) => {
    handle(source, req, res).catch((e: unknown) => sendError(res, e));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  src: EsploraSource,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
  const parts = path.split('/').filter((p) => p.length > 0);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS).end();
    return;
  }
  if (req.method === 'POST' && path === '/tx') return postTx(src, req, res);
  if (req.method !== 'GET') throw new HttpError(405, 'Method not allowed');
  const [a, b, c] = parts;
  if (a === 'blocks' && b === 'tip' && parts.length === 3) {
    const tip = await src.tip();
    if (c === 'height') return sendText(res, String(tip.height));
    if (c === 'hash') return sendText(res, tip.hash);
  }
  if (a === 'blocks' && parts.length <= 2) {
    // Like Esplora: a start height that is not a number means the tip.
    const start = b !== undefined && /^\d+$/.test(b) ? Number(b) : undefined;
    return sendJson(res, await blockList(src, start));
  }
  if (a === 'block-height' && b !== undefined && parts.length === 2) {
    if (!/^\d+$/.test(b)) throw new HttpError(400, 'Invalid height');
    return sendText(res, (await src.headerByHeight(Number(b))).hash);
  }
  if (a === 'block' && b !== undefined && parts.length <= 3)
    return blockRoute(src, hashParam(b), c, res);
  if (a === 'tx' && b !== undefined && parts.length === 3)
    return txRoute(src, hashParam(b), c, res);
  if (a === 'scripthash' && b !== undefined && c === 'utxo' && parts.length === 3) {
    if (src.utxosByScriptHash === undefined)
      throw new HttpError(501, 'Not implemented for this backend');
    const utxos = await src.utxosByScriptHash(hashParam(b));
    const list = await Promise.all(
      utxos.map(async (u) => ({
        txid: u.txid,
        vout: u.vout,
        status:
          u.height === undefined ? { confirmed: false } : await confirmedStatus(src, u.height),
        value: Number(u.value),
      })),
    );
    return sendJson(res, list);
  }
  if (a === 'fee-estimates' && parts.length === 1) {
    const out: Record<string, number> = {};
    for (const t of [1, 2, 3, 4, 5, 6, 10, 20, 144, 504, 1008])
      out[String(t)] = await src.feeRate(t);
    return sendJson(res, out);
  }
  throw new HttpError(404, 'Not found');
}

async function confirmedStatus(src: EsploraSource, height: number) {
  const h = await src.headerByHeight(height);
  return {
    confirmed: true,
    block_height: height,
    block_hash: h.hash,
    block_time: parseHeader(h.header).time,
  };
}

async function blockRoute(
  src: EsploraSource,
  hash: string,
  sub: string | undefined,
  res: ServerResponse,
) {
  const header = await src.headerByHash(hash);
  if (sub === 'header') return sendText(res, toHex(header.header));
  if (sub === 'status') {
    let inBest = false;
    try {
      inBest = (await src.headerByHeight(header.height)).hash === hash;
    } catch {
      inBest = false;
    }
    return sendJson(res, { in_best_chain: inBest, height: header.height });
  }
  if (src.blockInfo === undefined) throw new HttpError(501, 'Not implemented for this backend');
  const info = await src.blockInfo(hash);
  if (sub === 'txids') return sendJson(res, info.txids);
  if (sub === 'raw') return sendBytes(res, info.raw);
  if (sub !== undefined) throw new HttpError(404, 'Not found');
  const times = (await ancestorsOf(src, hash, MEDIAN_SPAN)).map((x) => parseHeader(x.header).time);
  return sendJson(res, blockJson(info, medianOf(times)));
}

// Bitcoin's median time past spans the block and its 10 parents.
const MEDIAN_SPAN = 11;
const BLOCKS_PAGE = 10;
// Difficulty 1: the target of compact bits 0x1d00ffff.
const DIFFICULTY_1 = Number(bitsToTarget(0x1d00ffff));

/** The block `hash` and up to `count - 1` of its ancestors, newest first. */
async function ancestorsOf(src: EsploraSource, hash: string, count: number) {
  const out: { hash: string; height: number; header: Uint8Array }[] = [];
  let at: string | undefined = hash;
  while (at !== undefined && out.length < count) {
    const h = await src.headerByHash(at);
    out.push(h);
    at = h.height === 0 ? undefined : hashToDisplayHex(parseHeader(h.header).prevHash);
  }
  return out;
}

function medianOf(times: number[]): number {
  const sorted = [...times].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A block as Esplora shows it, its fields in Esplora's order. */
function blockJson(info: DevnetBlockInfo, mediantime: number) {
  const h = parseHeader(info.header);
  return {
    id: info.hash,
    height: info.height,
    // Esplora prints the version as an unsigned 32-bit number.
    version: h.version >>> 0,
    timestamp: h.time,
    tx_count: info.txids.length,
    size: info.size,
    weight: info.weight,
    merkle_root: hashToDisplayHex(h.merkleRoot),
    previousblockhash: info.height === 0 ? null : hashToDisplayHex(h.prevHash),
    mediantime,
    nonce: h.nonce,
    bits: h.bits,
    difficulty: DIFFICULTY_1 / Number(bitsToTarget(h.bits)),
  };
}

/**
 * `GET /blocks[/:start]`: the block at `start` (default the tip) and its parents, 10 at
 * most, newest first, as Esplora walks them; 404 above the tip.
 */
async function blockList(src: EsploraSource, start: number | undefined) {
  const blockInfo = src.blockInfo;
  if (blockInfo === undefined) throw new HttpError(501, 'Not implemented for this backend');
  let top: string;
  try {
    top = start === undefined ? (await src.tip()).hash : (await src.headerByHeight(start)).hash;
  } catch (e) {
    if (isMedanchorError(e, 'NOT_FOUND')) throw new HttpError(404, 'Block not found');
    throw e;
  }
  const chain = await ancestorsOf(src, top, BLOCKS_PAGE + MEDIAN_SPAN - 1);
  const listed = chain.slice(0, BLOCKS_PAGE);
  return Promise.all(
    listed.map(async (b, i) => {
      const times = chain.slice(i, i + MEDIAN_SPAN).map((x) => parseHeader(x.header).time);
      return blockJson(await blockInfo.call(src, b.hash), medianOf(times));
    }),
  );
}

async function txRoute(
  src: EsploraSource,
  txid: string,
  sub: string | undefined,
  res: ServerResponse,
) {
  if (sub === 'hex') return sendText(res, toHex(await src.transaction(txid)));
  if (sub === 'raw') return sendBytes(res, await src.transaction(txid));
  if (sub === 'status') {
    const st = await src.txStatus(txid);
    if (!st.confirmed || st.blockHeight === undefined) return sendJson(res, { confirmed: false });
    const h = await src.headerByHeight(st.blockHeight);
    return sendJson(res, {
      confirmed: true,
      block_height: st.blockHeight,
      block_hash: st.blockHash,
      block_time: parseHeader(h.header).time,
    });
  }
  if (sub === 'merkle-proof') {
    let branch: Awaited<ReturnType<Backend['merkleBranch']>>;
    try {
      branch = await src.merkleBranch(txid);
    } catch (e) {
      if (isMedanchorError(e, 'NOT_CONFIRMED'))
        throw new HttpError(404, 'Transaction not found or is unconfirmed');
      throw e;
    }
    return sendJson(res, {
      block_height: branch.blockHeight,
      // Esplora shows siblings like txids: display order.
      merkle: branch.siblings.map((s) => toHex(s.slice().reverse())),
      pos: branch.position,
    });
  }
  throw new HttpError(404, 'Not found');
}

async function postTx(
  src: EsploraSource,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'Payload too large');
    chunks.push(chunk as Buffer);
  }
  const hex = Buffer.concat(chunks).toString('utf8').trim();
  let raw: Uint8Array;
  try {
    raw = fromHex(hex);
  } catch {
    throw new HttpError(400, rpcError(-22, 'TX decode failed'));
  }
  try {
    sendText(res, await src.broadcast(raw));
  } catch (e) {
    if (e instanceof MedanchorError && e.code in RPC_CODE) {
      const reason = typeof e.details['reason'] === 'string' ? e.details['reason'] : e.message;
      throw new HttpError(400, rpcError(RPC_CODE[e.code]!, reason));
    }
    throw e;
  }
}

function rpcError(code: number, message: string): string {
  return `sendrawtransaction RPC error: ${JSON.stringify({ code, message })}`;
}

function hashParam(s: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw new HttpError(400, 'Invalid hex string');
  return s.toLowerCase();
}

function sendText(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, {
    ...CORS,
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, {
    ...CORS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendBytes(res: ServerResponse, bytes: Uint8Array): void {
  res.writeHead(200, {
    ...CORS,
    'content-type': 'application/octet-stream',
    'content-length': bytes.length,
  });
  res.end(bytes);
}

function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof HttpError) sendText(res, e.message, e.status);
  else if (isMedanchorError(e, 'NOT_FOUND')) sendText(res, e.message, 404);
  else if (e instanceof MedanchorError) sendText(res, e.message, 400);
  else sendText(res, 'Internal error', 500);
}

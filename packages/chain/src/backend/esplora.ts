import { fromHex, MedanchorError, sha256, toHex } from '@medanchor/core';
import { checkDisplayHash, reverseBytes } from '../bitcoin/hash.js';
import { blockHashHex, serializeHeader } from '../bitcoin/header.js';
import { txidHex } from '../bitcoin/transaction.js';
import { classifyEsploraRejection } from './esplora-broadcast.js';
import {
  attemptError,
  attemptOnce,
  type FetchLike,
  type HttpSettings,
  httpGet,
  httpSettings,
  isRetryableStatus,
} from './http.js';
import { retryDelayMs, sleep } from './retry.js';
import type { Backend, HeaderInfo, MerkleBranch, TxStatus, Utxo } from './types.js';

/** Options of {@link esploraBackend}. */
export interface EsploraBackendOptions {
  /** Base URL of the API, e.g. `https://blockstream.info/api` (no trailing slash needed). */
  url: string;
  /** The fetch to use; the global `fetch` by default. */
  fetch?: FetchLike;
  /** Per-request timeout in ms. Default 10000. */
  timeoutMs?: number;
  /** Retries of idempotent requests (and of refused broadcasts). Default 3. */
  retries?: number;
  /** First retry delay in ms, doubled each time, with jitter. Default 250. */
  retryBaseDelayMs?: number;
  /** Largest retry delay in ms. Default 5000. */
  retryMaxDelayMs?: number;
  /** Fee rate (sat/vB) to report when the server has no estimates (common on regtest). Without it, `FEE_ESTIMATE_UNAVAILABLE`. */
  fallbackFeeRate?: number;
}

const HASH_RE = /^[0-9a-f]{64}$/;

function badResponse(s: HttpSettings, what: string, why: string): MedanchorError {
  return new MedanchorError(
    'BACKEND_BAD_RESPONSE',
    `${s.label}: ${what} returned ${why}; the server may not speak the Esplora API`,
  );
}

// `GET /blocks/:height` lists the block at :height and up to 9 below it (fewer only at genesis).
const BLOCKS_PAGE = 10;
// Pages of one `headers()` call in flight at once.
const PAGES_IN_FLIGHT = 4;

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

interface EsploraStatus {
  confirmed?: unknown;
  block_height?: unknown;
  block_hash?: unknown;
}

/**
 * A {@link Backend} over an Esplora HTTP API (Blockstream's esplora/electrs,
 * mempool.space, or `serveEsplora` from `@medanchor/chain/node` for a devnet).
 * Browser-safe: only `fetch`.
 *
 * Reads are retried with exponential backoff and jitter on network errors,
 * timeouts, 429 and 5xx. A broadcast is never sent twice blindly: it is retried
 * only when the connection was refused before anything was sent, or after
 * `GET /tx/:txid/status` shows the server does not have the transaction.
 * Responses are checked where that is cheap: headers must hash to the block hash
 * asked for, raw transactions to their txid.
 *
 * Beyond {@link Backend}, `headers(start, count)` serves a range of the best chain's
 * headers from `GET /blocks/:height` (10 blocks per request instead of 2 requests per
 * header): each 80-byte header is rebuilt from the block's fields and must hash to the
 * block's `id`. Linkage and proof of work are left to the caller's validation.
 *
 * @example
 * ```ts
 * const backend = esploraBackend({ url: 'https://blockstream.info/testnet/api' });
 * const tip = await backend.tip();
 * ```
 */
export function esploraBackend(options: EsploraBackendOptions): Backend & {
  /**
   * `count` consecutive headers of the best chain from height `start`, in height order,
   * each rebuilt from `GET /blocks/:height` and checked against its block hash; fetched
   * in pages of 10 from the top down.
   * @throws MedanchorError `NOT_FOUND` when the range reaches past the server's tip,
   * `BACKEND_BAD_RESPONSE` for a block whose fields do not hash to its id or that sits at
   * another height, `INVALID_HEIGHT` for a bad range, the HTTP errors of every request.
   */
  headers(start: number, count: number): Promise<Uint8Array[]>;
} {
  const base = typeof options?.url === 'string' ? options.url.replace(/\/+$/, '') : '';
  let protocol = '';
  try {
    protocol = new URL(base).protocol;
  } catch {
    // Reported below.
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new MedanchorError(
      'INVALID_URL',
      'esploraBackend needs an http(s) URL such as https://blockstream.info/api',
    );
  }
  const name = `esplora(${base})`;
  const s = httpSettings(name, options);
  const get = (path: string, what: string) => httpGet(s, `${base}${path}`, what);

  async function getJson<T>(path: string, what: string): Promise<T> {
    const body = await get(path, what);
    try {
      return JSON.parse(body) as T;
    } catch {
      throw badResponse(s, what, 'invalid JSON');
    }
  }

  async function headerByHash(hash: string): Promise<HeaderInfo> {
    const h = checkDisplayHash(hash, 'block hash');
    const [headerHex, block] = await Promise.all([
      get(`/block/${h}/header`, `block ${h} header`),
      getJson<{ height?: unknown }>(`/block/${h}`, `block ${h}`),
    ]);
    const header = parseHeader(headerHex, h);
    if (typeof block.height !== 'number' || !Number.isInteger(block.height) || block.height < 0) {
      throw badResponse(s, `block ${h}`, 'no height');
    }
    return { hash: h, height: block.height, header };
  }

  function parseHeader(hex: string, expectedHash: string): Uint8Array {
    const t = hex.trim();
    if (!/^[0-9a-fA-F]{160}$/.test(t))
      throw badResponse(s, `block ${expectedHash} header`, 'no 80-byte header');
    const header = fromHex(t);
    if (blockHashHex(header) !== expectedHash)
      throw badResponse(s, `block ${expectedHash} header`, 'a header of another block');
    return header;
  }

  /** The 80-byte header of one entry of `GET /blocks/:height`, which must be at `height`. */
  function headerOfListedBlock(value: unknown, height: number, what: string): Uint8Array {
    const b = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const { id, version, timestamp, bits, nonce } = b;
    const root = b['merkle_root'];
    const prev = b['previousblockhash'];
    if (b['height'] !== height) throw badResponse(s, what, `no block at height ${height}`);
    if (
      typeof id !== 'string' ||
      !HASH_RE.test(id) ||
      typeof root !== 'string' ||
      !HASH_RE.test(root) ||
      !(typeof prev === 'string' ? HASH_RE.test(prev) : prev === null && height === 0) ||
      !isU32(version) ||
      !isU32(timestamp) ||
      !isU32(bits) ||
      !isU32(nonce)
    ) {
      throw badResponse(s, what, `a block at height ${height} without its header fields`);
    }
    const header = serializeHeader({
      version,
      // Genesis has no parent: its header holds 32 zero bytes there.
      prevHash: prev === null ? new Uint8Array(32) : reverseBytes(fromHex(prev as string)),
      merkleRoot: reverseBytes(fromHex(root)),
      time: timestamp,
      bits,
      nonce,
    });
    if (blockHashHex(header) !== id)
      throw badResponse(s, what, `a block at height ${height} whose fields do not hash to its id`);
    return header;
  }

  async function headers(start: number, count: number): Promise<Uint8Array[]> {
    if (!(Number.isSafeInteger(start) && start >= 0 && Number.isSafeInteger(count) && count >= 0))
      throw new MedanchorError(
        'INVALID_HEIGHT',
        'headers(start, count) takes a height >= 0 and a count >= 0',
      );
    const out: Uint8Array[] = new Array(count);
    const tops: number[] = [];
    for (let top = start + count - 1; top >= start; top -= BLOCKS_PAGE) tops.push(top);
    const page = async (top: number) => {
      const what = `blocks from height ${top}`;
      const list = await getJson<unknown>(`/blocks/${top}`, what);
      const want = Math.min(BLOCKS_PAGE, top - start + 1);
      if (!Array.isArray(list) || list.length < want)
        throw badResponse(s, what, `fewer than ${want} blocks`);
      for (let i = 0; i < want; i++)
        out[top - i - start] = headerOfListedBlock(list[i], top - i, what);
    };
    // The top page first: past the tip it is NOT_FOUND, before any other request is sent.
    for (let i = 0; i < tops.length; i += i === 0 ? 1 : PAGES_IN_FLIGHT) {
      const batch = i === 0 ? tops.slice(0, 1) : tops.slice(i, i + PAGES_IN_FLIGHT);
      await Promise.all(batch.map(page));
    }
    return out;
  }

  async function txStatus(txid: string): Promise<TxStatus> {
    const id = checkDisplayHash(txid, 'txid');
    const st = await getJson<EsploraStatus>(`/tx/${id}/status`, `transaction ${id} status`);
    if (st.confirmed === true) {
      if (typeof st.block_hash !== 'string' || typeof st.block_height !== 'number') {
        throw badResponse(s, `transaction ${id} status`, 'a confirmation without block');
      }
      return { confirmed: true, blockHash: st.block_hash, blockHeight: st.block_height };
    }
    // Some Esplora servers answer `confirmed: false` for txids they never saw:
    // the raw transaction tells "in the mempool" from "unknown" (404).
    await get(`/tx/${id}/hex`, `transaction ${id}`);
    return { confirmed: false };
  }

  async function merkleBranch(txid: string): Promise<MerkleBranch> {
    const id = checkDisplayHash(txid, 'txid');
    const st = await txStatus(id);
    if (!st.confirmed || st.blockHash === undefined) {
      throw new MedanchorError(
        'NOT_CONFIRMED',
        `transaction ${id} is not in a block yet: wait for a confirmation`,
      );
    }
    const [proof, block] = await Promise.all([
      getJson<{ block_height?: unknown; merkle?: unknown; pos?: unknown }>(
        `/tx/${id}/merkle-proof`,
        `transaction ${id} merkle proof`,
      ),
      getJson<{ tx_count?: unknown; height?: unknown }>(
        `/block/${st.blockHash}`,
        `block ${st.blockHash}`,
      ),
    ]);
    const { merkle, pos } = proof;
    if (
      !Array.isArray(merkle) ||
      !merkle.every((m) => typeof m === 'string' && HASH_RE.test(m)) ||
      typeof pos !== 'number'
    ) {
      throw badResponse(s, `transaction ${id} merkle proof`, 'no branch');
    }
    if (typeof block.tx_count !== 'number')
      throw badResponse(s, `block ${st.blockHash}`, 'no tx_count');
    if (proof.block_height !== st.blockHeight || block.height !== st.blockHeight) {
      throw new MedanchorError(
        'BACKEND_INCONSISTENT',
        `${name}: the chain changed while reading the proof of ${id}; ask again`,
      );
    }
    return {
      blockHash: st.blockHash,
      blockHeight: st.blockHeight!,
      position: pos,
      // Esplora lists siblings in display order (as txids are shown); the contract wants internal order.
      siblings: (merkle as string[]).map((m) => reverseBytes(fromHex(m))),
      txCount: block.tx_count,
    };
  }

  async function broadcast(rawTx: Uint8Array): Promise<string> {
    let txid: string;
    try {
      txid = txidHex(rawTx);
    } catch {
      throw new MedanchorError(
        'TX_DESERIALIZATION',
        'the bytes are not a serialized transaction; nothing was sent',
        {
          details: { length: rawTx.length },
        },
      );
    }
    const body = toHex(rawTx);
    for (let attempt = 0; ; attempt++) {
      const a = await attemptOnce(s, `${base}/tx`, { method: 'POST', body });
      if (a.kind === 'response' && a.status >= 200 && a.status < 300) return txid;
      if (a.kind === 'response' && !isRetryableStatus(a.status)) {
        const outcome = classifyEsploraRejection(name, a.status, a.body);
        if (outcome.kind === 'known') return txid;
        throw outcome.error;
      }
      const canRetry = attempt < s.retry.retries;
      if (a.kind === 'network' && !a.sent) {
        // Refused before sending: the server never saw it, so sending again is safe.
        if (!canRetry) throw attemptError(s, 'POST /tx', a);
      } else {
        // The server may have it (timeout, reset after sending, 5xx): look before sending again.
        const known = await isKnown(txid);
        if (known === true) return txid;
        if (known === undefined || !canRetry) {
          throw new MedanchorError(
            a.kind === 'timeout' ? 'TIMEOUT' : 'BACKEND_UNAVAILABLE',
            `${name}: the broadcast of ${txid} may not have arrived and its status cannot be checked; check txStatus before sending it again`,
            { cause: attemptError(s, 'POST /tx', a), details: { txid } },
          );
        }
      }
      await sleep(retryDelayMs(attempt, s.retry, a.kind === 'response' ? a.retryAfter : undefined));
    }
  }

  /** True when the server has the transaction, false when it surely does not, undefined when it cannot tell. */
  async function isKnown(txid: string): Promise<boolean | undefined> {
    try {
      await txStatus(txid);
      return true;
    } catch (e) {
      if (e instanceof MedanchorError && e.code === 'NOT_FOUND') return false;
      return undefined;
    }
  }

  return {
    name,
    async tip() {
      const hash = (await get('/blocks/tip/hash', 'tip hash')).trim().toLowerCase();
      if (!HASH_RE.test(hash)) throw badResponse(s, 'tip hash', 'no block hash');
      return headerByHash(hash);
    },
    headerByHash,
    headers,
    async headerByHeight(height) {
      if (!Number.isInteger(height) || height < 0) {
        throw new MedanchorError('INVALID_HEIGHT', 'height must be a non-negative integer');
      }
      const hash = (await get(`/block-height/${height}`, `block at height ${height}`))
        .trim()
        .toLowerCase();
      if (!HASH_RE.test(hash)) throw badResponse(s, `block at height ${height}`, 'no block hash');
      const header = parseHeader(await get(`/block/${hash}/header`, `block ${hash} header`), hash);
      return { hash, height, header };
    },
    async transaction(txid) {
      const id = checkDisplayHash(txid, 'txid');
      const hex = (await get(`/tx/${id}/hex`, `transaction ${id}`)).trim();
      let raw: Uint8Array;
      let actual: string;
      try {
        raw = fromHex(hex);
        actual = txidHex(raw);
      } catch {
        throw badResponse(s, `transaction ${id}`, 'bytes that are not a transaction');
      }
      if (actual !== id) throw badResponse(s, `transaction ${id}`, 'another transaction');
      return raw;
    },
    txStatus,
    merkleBranch,
    async utxos(script) {
      const scriptHash = toHex(sha256(script));
      const list = await getJson<unknown>(`/scripthash/${scriptHash}/utxo`, 'unspent outputs');
      if (!Array.isArray(list)) throw badResponse(s, 'unspent outputs', 'no list');
      return list.map(
        (u: { txid?: unknown; vout?: unknown; value?: unknown; status?: EsploraStatus }): Utxo => {
          if (
            typeof u.txid !== 'string' ||
            typeof u.vout !== 'number' ||
            typeof u.value !== 'number'
          ) {
            throw badResponse(s, 'unspent outputs', 'an entry without txid, vout or value');
          }
          const utxo: Utxo = {
            txid: u.txid,
            vout: u.vout,
            value: BigInt(u.value),
            script: script.slice(),
          };
          if (u.status?.confirmed === true && typeof u.status.block_height === 'number')
            utxo.height = u.status.block_height;
          return utxo;
        },
      );
    },
    async feeRate(targetBlocks = 1) {
      const est = await getJson<Record<string, unknown>>('/fee-estimates', 'fee estimates');
      const rate = pickEstimate(est, targetBlocks);
      if (rate !== undefined) return rate;
      if (options.fallbackFeeRate !== undefined) return options.fallbackFeeRate;
      throw new MedanchorError(
        'FEE_ESTIMATE_UNAVAILABLE',
        `${name} has no fee estimates yet; pass fallbackFeeRate or set a fee rate yourself`,
      );
    },
    broadcast,
  };
}

/**
 * The estimate for the largest confirmation target not above `target` (a faster
 * target's rate is a safe over-estimate), or the fastest one the server has.
 */
export function pickEstimate(
  estimates: Record<string, unknown>,
  target: number,
): number | undefined {
  const entries = Object.entries(estimates)
    .map(([k, v]) => [Number(k), v] as const)
    .filter(
      (e): e is readonly [number, number] =>
        Number.isInteger(e[0]) && typeof e[1] === 'number' && e[1] > 0,
    )
    .sort((a, b) => a[0] - b[0]);
  if (entries.length === 0) return undefined;
  let chosen = entries[0]![1];
  for (const [k, v] of entries) if (k <= target) chosen = v;
  return chosen;
}

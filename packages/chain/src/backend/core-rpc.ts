import { fromHex, MedanchorError, toHex } from '@medanchor/core';
import { hashFromDisplayHex, hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { bitcoinMerkleBranch, checkMerkleBranch } from '../bitcoin/merkle.js';
import { broadcastUnknown, knownTxid } from './broadcast-known.js';
import { classifyBroadcastError, isCoreNotFound } from './core-rpc-errors.js';
import type { CoreRpcBackend, CoreRpcBackendOptions } from './core-rpc-options.js';
import { type CoreVerboseTx, coreUtxoReader, SAT_PER_COIN } from './core-rpc-utxos.js';
import {
  isRpcError,
  type JsonRpcCallOptions,
  type JsonRpcHttpClient,
  jsonRpcHttpClient,
} from './jsonrpc-http.js';
import { decodeTxOutProof } from './merkle-branch.js';
import type { Backend, HeaderInfo, MerkleBranch, TxStatus } from './types.js';

function parseCookie(content: string): { user: string; password: string } {
  const line = content.trim();
  const colon = line.indexOf(':');
  if (colon <= 0) {
    throw new MedanchorError(
      'INVALID_COOKIE',
      'the RPC cookie must look like "__cookie__:<hex>"; pass the content of the .cookie file in the datadir',
    );
  }
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}

function safeName(url: string): string {
  try {
    const u = new URL(url);
    return `core-rpc(${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname})`;
  } catch {
    return 'core-rpc';
  }
}

function assertTxid(txid: string, what = 'txid'): void {
  hashFromDisplayHex(txid, what);
}

/**
 * A {@link Backend} over the JSON-RPC of Bitcoin Core (or a fork with the same RPC,
 * such as Litecoin Core 0.21). Browser-safe (uses `fetch`), but a node's RPC port is
 * usually only reachable from the same host.
 *
 * Node requirements: `-txindex` for `transaction`, `txStatus` and `merkleBranch` of
 * arbitrary confirmed transactions (without it only mempool transactions are found).
 * `utxos` uses `scantxoutset` with a `raw(<script hex>)` descriptor (no wallet needed,
 * works with wallets disabled; it reads the whole UTXO set, about a minute on mainnet)
 * plus a pass over the mempool for unconfirmed outputs and spends.
 *
 * @example
 * ```ts
 * const backend = coreRpcBackend({ url: 'http://127.0.0.1:8332/', user: 'u', password: 'p' });
 * const tip = await backend.tip();
 * ```
 */
export function coreRpcBackend(options: CoreRpcBackendOptions): CoreRpcBackend {
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(options.url);
  } catch (cause) {
    throw new MedanchorError(
      'INVALID_OPTIONS',
      'url must be an absolute http(s) URL of the RPC port',
      {
        cause,
      },
    );
  }
  if (parsedUrl.username !== '' || parsedUrl.password !== '') {
    // The message leaves the URL out: it holds a secret.
    throw new MedanchorError(
      'INVALID_OPTIONS',
      'put RPC credentials in user/password or cookie, not in the url',
    );
  }
  const feeRateFloor = options.feeRateFloor ?? 1;
  const scanTimeoutMs = options.scanTimeoutMs ?? 300_000;
  const merkleSource = options.merkleSource ?? 'block';

  let client: JsonRpcHttpClient | undefined;
  async function connect(fresh: boolean): Promise<JsonRpcHttpClient> {
    if (client !== undefined && !fresh) return client;
    let creds: { user: string; password: string };
    if ('cookie' in options) {
      const c = typeof options.cookie === 'function' ? await options.cookie() : options.cookie;
      creds = parseCookie(c);
    } else {
      creds = { user: options.user, password: options.password };
    }
    client = jsonRpcHttpClient({
      url: options.url,
      ...creds,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.retries === undefined ? {} : { retries: options.retries }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      retryRpcCodes: [-28],
    });
    return client;
  }

  async function call<T>(
    method: string,
    params: unknown[] = [],
    opts: { idempotent?: boolean; timeoutMs?: number } = {},
  ): Promise<T> {
    try {
      return await (await connect(false)).call<T>(method, params, opts);
    } catch (e) {
      // A restarted node writes a new cookie: read it again once. A 401 means the
      // request was not processed, so even a broadcast may be repeated.
      if (
        e instanceof MedanchorError &&
        e.code === 'RPC_UNAUTHORIZED' &&
        'cookie' in options &&
        typeof options.cookie === 'function'
      ) {
        return await (await connect(true)).call<T>(method, params, opts);
      }
      throw e;
    }
  }

  function notFound(what: string, id: string | number, cause: unknown): MedanchorError {
    return new MedanchorError(
      'NOT_FOUND',
      `the node does not know ${what} ${id}; check it, and run the node with -txindex to look up confirmed transactions`,
      { cause, details: { what, id: String(id) } },
    );
  }

  async function headerByHash(hash: string): Promise<HeaderInfo> {
    assertTxid(hash, 'block hash');
    try {
      const [hex, verbose] = await Promise.all([
        call<string>('getblockheader', [hash, false]),
        call<{ height: number }>('getblockheader', [hash, true]),
      ]);
      const header = fromHex(hex, 'block header');
      if (header.length !== 80 || hashToDisplayHex(sha256d(header)) !== hash.toLowerCase()) {
        throw inconsistent('header bytes do not hash to the block hash', { hash });
      }
      return { hash: hash.toLowerCase(), height: verbose.height, header };
    } catch (e) {
      if (isCoreNotFound(e)) throw notFound('block', hash, e);
      throw e;
    }
  }

  async function verboseTx(txid: string): Promise<CoreVerboseTx> {
    assertTxid(txid);
    try {
      return await call<CoreVerboseTx>('getrawtransaction', [txid, true]);
    } catch (e) {
      if (isCoreNotFound(e)) throw notFound('transaction', txid, e);
      throw e;
    }
  }

  async function txStatus(txid: string): Promise<TxStatus> {
    const tx = await verboseTx(txid);
    if (tx.blockhash === undefined) return { confirmed: false };
    if ((tx.confirmations ?? 0) <= 0) {
      // The index still points at a block a reorg left behind, and the mempool does not
      // hold it (Core looks there first): the transaction is gone for now.
      throw new MedanchorError(
        'NOT_FOUND',
        'the transaction is only in a stale block and not in the mempool; broadcast it again',
        { details: { what: 'transaction', id: txid } },
      );
    }
    const { height } = await call<{ height: number }>('getblockheader', [tx.blockhash, true]);
    return { confirmed: true, blockHash: tx.blockhash, blockHeight: height };
  }

  async function confirmedIn(txid: string): Promise<{ blockHash: string; blockHeight: number }> {
    const status = await txStatus(txid);
    if (!status.confirmed || status.blockHash === undefined || status.blockHeight === undefined) {
      throw new MedanchorError(
        'NOT_CONFIRMED',
        'the transaction is not confirmed yet; wait for a block and ask again',
        { details: { txid } },
      );
    }
    return { blockHash: status.blockHash, blockHeight: status.blockHeight };
  }

  function inconsistent(what: string, details: Record<string, string | number>): MedanchorError {
    return new MedanchorError(
      'BACKEND_INCONSISTENT',
      `the node's answers do not agree (${what}); retry, and distrust this node if it persists`,
      { details },
    );
  }

  async function branchFromBlock(txid: string): Promise<MerkleBranch> {
    const { blockHash, blockHeight } = await confirmedIn(txid);
    const block = await call<{ tx: string[]; merkleroot: string; height: number }>('getblock', [
      blockHash,
      1,
    ]);
    const position = block.tx.indexOf(txid.toLowerCase());
    if (position < 0) throw inconsistent('txid missing from its block', { txid, blockHash });
    const leaves = block.tx.map((t) => hashFromDisplayHex(t, 'txid'));
    const siblings = bitcoinMerkleBranch(leaves, position);
    const check = checkMerkleBranch({
      leaf: leaves[position]!,
      position,
      branch: siblings,
      root: hashFromDisplayHex(block.merkleroot, 'merkle root'),
      txCount: leaves.length,
    });
    if (!check.ok) throw inconsistent(`merkle ${check.step}`, { blockHash });
    return { blockHash, blockHeight, position, siblings, txCount: block.tx.length };
  }

  async function txOutProof(txid: string, blockHash?: string): Promise<Uint8Array> {
    assertTxid(txid);
    const params: unknown[] = [[txid]];
    if (blockHash !== undefined) params.push(blockHash);
    try {
      return fromHex(await call<string>('gettxoutproof', params), 'txoutproof');
    } catch (e) {
      if (isCoreNotFound(e)) throw notFound('transaction', txid, e);
      throw e;
    }
  }

  async function branchFromTxOutProof(txid: string): Promise<MerkleBranch> {
    const { blockHash, blockHeight } = await confirmedIn(txid);
    const proof = decodeTxOutProof(await txOutProof(txid, blockHash));
    const match = proof.matches.find((m) => m.txid === txid.toLowerCase());
    if (!proof.rootMatchesHeader || proof.blockHash !== blockHash || match === undefined) {
      throw inconsistent('txoutproof', { txid, blockHash });
    }
    return {
      blockHash,
      blockHeight,
      position: match.position,
      siblings: match.siblings,
      txCount: proof.txCount,
    };
  }

  const utxos = coreUtxoReader(call, verboseTx, {
    scanTimeoutMs,
    mempool: options.mempoolUtxos ?? true,
  });

  async function feeRate(targetBlocks = 3): Promise<number> {
    const r = await call<{ feerate?: number; errors?: string[] }>('estimatesmartfee', [
      targetBlocks,
    ]);
    // BTC per 1000 vB -> sat/vB.
    if (typeof r.feerate !== 'number' || r.feerate <= 0) return feeRateFloor;
    return Math.max(feeRateFloor, (r.feerate * SAT_PER_COIN) / 1000);
  }

  async function broadcast(rawTx: Uint8Array): Promise<string> {
    const hex = toHex(rawTx);
    try {
      return await call<string>('sendrawtransaction', [hex], { idempotent: false });
    } catch (e) {
      if (
        e instanceof MedanchorError &&
        (e.code === 'RPC_TIMEOUT' || e.code === 'RPC_UNREACHABLE')
      ) {
        throw broadcastUnknown('the node', e);
      }
      const outcome = classifyBroadcastError(e);
      if (outcome.kind === 'error') throw outcome.error;
      return knownTxid(rawTx, 'the node');
    }
  }

  return {
    name: safeName(options.url),
    rpc: <T>(method: string, params: unknown[] = [], callOptions: JsonRpcCallOptions = {}) =>
      call<T>(method, params, callOptions),
    txOutProof,
    async tip() {
      return headerByHash(await call<string>('getbestblockhash'));
    },
    headerByHash,
    async headerByHeight(height: number) {
      if (!Number.isInteger(height) || height < 0) {
        throw new MedanchorError('INVALID_HEIGHT', 'height must be a non-negative integer');
      }
      let hash: string;
      try {
        hash = await call<string>('getblockhash', [height]);
      } catch (e) {
        // -8 "Block height out of range".
        if (isRpcError(e) && /out of range/i.test(e.details.rpcMessage)) {
          throw new MedanchorError('NOT_FOUND', `no block at height ${height} yet`, {
            cause: e,
            details: { what: 'height', id: height },
          });
        }
        throw e;
      }
      const info = await headerByHash(hash);
      if (info.height !== height) throw inconsistent('height', { height });
      return info;
    },
    async transaction(txid: string) {
      assertTxid(txid);
      try {
        return fromHex(await call<string>('getrawtransaction', [txid, false]));
      } catch (e) {
        if (isCoreNotFound(e)) throw notFound('transaction', txid, e);
        throw e;
      }
    },
    txStatus,
    merkleBranch: (txid: string) =>
      merkleSource === 'txoutproof' ? branchFromTxOutProof(txid) : branchFromBlock(txid),
    utxos,
    feeRate,
    broadcast,
  };
}

import { fromHex, MedanchorError, toHex } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { hashFromDisplayHex, hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { bitcoinMerkleBranch, checkMerkleBranch } from '../bitcoin/merkle.js';
import { classifyBroadcastError, isCoreNotFound } from './core-rpc-errors.js';
import { isRpcError, type JsonRpcHttpClient, jsonRpcHttpClient } from './jsonrpc-http.js';
import { decodeTxOutProof } from './merkle-branch.js';
import type {
  Backend,
  HeaderInfo,
  MerkleBranch,
  TestCapabilities,
  TxStatus,
  Utxo,
} from './types.js';

/** Options shared by both ways of authenticating to a Core node. */
export interface CoreRpcCommonOptions {
  /** RPC URL, e.g. `http://127.0.0.1:8332/`. Credentials in the URL are not supported. */
  url: string;
  /** Per-request timeout in ms (default 30 000); `scantxoutset` gets `scanTimeoutMs`. */
  timeoutMs?: number;
  /** Timeout of a `scantxoutset` UTXO scan in ms (default 300 000: it reads the whole UTXO set). */
  scanTimeoutMs?: number;
  /** Retries of idempotent calls on network errors and 5xx (default 3). Broadcasts are never retried. */
  retries?: number;
  /**
   * Lowest fee rate returned by `feeRate`, in sat/vB, and the answer when the node has
   * no estimate (always on a fresh regtest). Default 1.
   */
  feeRateFloor?: number;
  /**
   * Where `merkleBranch` reads the block's transactions: `'block'` (default; `getblock
   * <hash> 1`, the full txid list) or `'txoutproof'` (`gettxoutproof`, a BIP37 partial
   * tree: smaller answers for big blocks).
   */
  merkleSource?: 'block' | 'txoutproof';
  /**
   * Include unconfirmed outputs (and drop outputs spent by unconfirmed transactions) in
   * `utxos` by reading the mempool (default true). It costs one `getrawtransaction` per
   * mempool entry: turn it off against a busy mainnet mempool.
   */
  mempoolUtxos?: boolean;
  /**
   * Expose `test` (mining, invalidateblock, reconsiderblock). Off by default so a
   * production node is never told to invalidate a block by mistake.
   */
  testCapabilities?: boolean;
  /** The `fetch` to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/** Connects with `-rpcuser`/`-rpcpassword` (or an `-rpcauth` entry). */
export interface CoreRpcPasswordOptions extends CoreRpcCommonOptions {
  user: string;
  password: string;
}

/**
 * Connects with the node's cookie: the content of its `.cookie` file (`__cookie__:<hex>`),
 * or a function that reads it, called again when the node answers 401 (it writes a new
 * cookie on every restart). In Node, `coreCookieFile(path)` from `@medanchor/chain/node`
 * makes such a function.
 */
export interface CoreRpcCookieOptions extends CoreRpcCommonOptions {
  cookie: string | (() => string | Promise<string>);
}

/** Options of {@link coreRpcBackend}. */
export type CoreRpcBackendOptions = CoreRpcPasswordOptions | CoreRpcCookieOptions;

/** A {@link Backend} over Bitcoin Core's JSON-RPC, with a few Core-only extras. */
export interface CoreRpcBackend extends Backend {
  /** Calls any RPC method (idempotent calls are retried on network errors). */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** The BIP37 merkleblock `gettxoutproof` returns for a confirmed transaction. */
  txOutProof(txid: string, blockHash?: string): Promise<Uint8Array>;
}

interface VerboseTx {
  txid: string;
  blockhash?: string;
  confirmations?: number;
  vin: { txid?: string; vout?: number; coinbase?: string }[];
  vout: { value: number; n: number; scriptPubKey: { hex: string } }[];
}

const SAT_PER_COIN = 100_000_000;
// RPC amounts are JSON numbers with 8 decimals; below 21e6 coins a double rounds back exactly.
const toSats = (amount: number) => BigInt(Math.round(amount * SAT_PER_COIN));

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
  const feeRateFloor = options.feeRateFloor ?? 1;
  const scanTimeoutMs = options.scanTimeoutMs ?? 300_000;
  const merkleSource = options.merkleSource ?? 'block';
  const mempoolUtxos = options.mempoolUtxos ?? true;

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

  async function verboseTx(txid: string): Promise<VerboseTx> {
    assertTxid(txid);
    try {
      return await call<VerboseTx>('getrawtransaction', [txid, true]);
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

  // Core runs one scantxoutset at a time per node; queue ours behind each other.
  let scanQueue: Promise<unknown> = Promise.resolve();
  async function scan(scriptHex: string) {
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await call<{
            unspents: { txid: string; vout: number; amount: number; height: number }[];
          }>('scantxoutset', ['start', [`raw(${scriptHex})`]], { timeoutMs: scanTimeoutMs });
        } catch (e) {
          // Another client's scan is running (-8 "Scan already in progress").
          const busy = isRpcError(e) && /in progress/i.test(e.details.rpcMessage);
          if (!busy || attempt >= 20) throw e;
          await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
        }
      }
    };
    const result = scanQueue.then(run, run);
    scanQueue = result.catch(() => undefined);
    return result;
  }

  async function utxos(script: Uint8Array): Promise<Utxo[]> {
    const scriptHex = toHex(script);
    const found = await scan(scriptHex);
    const out = new Map<string, Utxo>();
    for (const u of found.unspents) {
      out.set(`${u.txid}:${u.vout}`, {
        txid: u.txid,
        vout: u.vout,
        value: toSats(u.amount),
        script: script.slice(),
        height: u.height,
      });
    }
    if (mempoolUtxos) {
      const pool = await call<string[]>('getrawmempool', [false]);
      const spent = new Set<string>();
      // A few requests in flight at a time: a busy mempool has thousands of entries.
      for (let i = 0; i < pool.length; i += 8) {
        const txs = await Promise.all(
          pool.slice(i, i + 8).map((id) => verboseTx(id).catch(() => undefined)),
        );
        for (const tx of txs) {
          if (tx === undefined) continue; // mined or evicted since getrawmempool
          for (const input of tx.vin) {
            if (input.txid !== undefined) spent.add(`${input.txid}:${input.vout}`);
          }
          for (const o of tx.vout) {
            if (o.scriptPubKey.hex !== scriptHex) continue;
            out.set(`${tx.txid}:${o.n}`, {
              txid: tx.txid,
              vout: o.n,
              value: toSats(o.value),
              script: script.slice(),
            });
          }
        }
      }
      for (const key of spent) out.delete(key);
    }
    return [...out.values()];
  }

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
        throw new MedanchorError(
          'BROADCAST_UNKNOWN',
          'the broadcast may or may not have reached the node; check txStatus of the txid before sending it again',
          { cause: e },
        );
      }
      const outcome = classifyBroadcastError(e);
      if (outcome.kind === 'error') throw outcome.error;
      try {
        return Transaction.fromBuffer(rawTx).getId();
      } catch (cause) {
        throw new MedanchorError(
          'TX_DESERIALIZATION',
          'the node reports the transaction as known, but its bytes do not decode here; check the raw bytes',
          { cause },
        );
      }
    }
  }

  const test: TestCapabilities = {
    async mine(n: number, script?: Uint8Array): Promise<string[]> {
      // Without a script, pay a random P2WSH nobody can spend: a fresh script per call
      // also keeps a block mined after invalidateblock from repeating the invalid one.
      const throwaway = () => `0020${toHex(globalThis.crypto.getRandomValues(new Uint8Array(32)))}`;
      const descriptor = `raw(${script === undefined ? throwaway() : toHex(script)})`;
      return await call<string[]>('generatetodescriptor', [n, descriptor], {
        idempotent: false,
        timeoutMs: Math.max(options.timeoutMs ?? 30_000, 120_000),
      });
    },
    async invalidateBlock(hash: string): Promise<void> {
      assertTxid(hash, 'block hash');
      await call('invalidateblock', [hash]);
    },
    async reconsiderBlock(hash: string): Promise<void> {
      assertTxid(hash, 'block hash');
      await call('reconsiderblock', [hash]);
    },
  };

  return {
    name: safeName(options.url),
    rpc: <T>(method: string, params: unknown[] = []) => call<T>(method, params),
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
    ...(options.testCapabilities ? { test } : {}),
  };
}

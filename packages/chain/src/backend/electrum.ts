import { fromHex, MedanchorError, toHex } from '@medanchor/core';
import { hashFromDisplayHex, hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { checkMerkleBranch, foldMerkleBranch } from '../bitcoin/merkle.js';
import { isCoinbase, type ParsedTransaction, parseTransaction } from '../bitcoin/transaction.js';
import { broadcastUnknown, knownTxid } from './broadcast-known.js';
import { type ElectrumClient, type ElectrumTransport, electrumClient } from './electrum-client.js';
import {
  classifyElectrumBroadcastError,
  coinsPerKbToSatPerVb,
  type ElectrumCheckpoint,
  electrumScriptHash,
  headerProvenByCheckpoint,
} from './electrum-protocol.js';
import type { Backend, HeaderInfo, MerkleBranch, TxStatus, Utxo } from './types.js';

/** Options of {@link electrumBackend}. */
export interface ElectrumBackendOptions {
  /** A transport (a client is made with default settings) or a ready client. */
  transport?: ElectrumTransport;
  client?: ElectrumClient;
  /**
   * A trusted checkpoint: headers at or below its height are fetched with `cp_height`
   * and their merkle proof to `root` is checked, so the server cannot invent them.
   */
  checkpoint?: ElectrumCheckpoint;
  /** Lowest fee rate returned by `feeRate`, and the answer when the server has none (default 1 sat/vB). */
  feeRateFloor?: number;
  /**
   * How many blocks below the tip `headerByHash` searches (default 4032). The protocol
   * has no lookup by hash, so headers are read back from the tip in chunks of 2016.
   */
  hashSearchDepth?: number;
}

interface HistoryItem {
  tx_hash: string;
  height: number;
}

interface UnspentItem {
  tx_hash: string;
  tx_pos: number;
  value: number;
  height: number;
}

const OP_RETURN = 0x6a;

/**
 * A {@link Backend} over the Electrum protocol (ElectrumX, Fulcrum, electrs), through
 * any {@link ElectrumTransport}. Browser-safe; the TCP/TLS transport lives in
 * `@medanchor/chain/node`.
 *
 * How the protocol's gaps are filled:
 * - `headerByHash`: searched among the last `hashSearchDepth` headers (and a cache of
 *   headers already seen), since servers only index headers by height.
 * - `txStatus`: the history of one of the transaction's output scripts (or of a spent
 *   script when every output is OP_RETURN) holds the transaction with its height.
 * - `merkleBranch.txCount`: servers do not report it; it is found by asking
 *   `blockchain.transaction.id_from_pos` for the last position the branch length allows
 *   (a binary search, about as many requests as the branch is long).
 *
 * @example
 * ```ts
 * import { electrumSocketTransport } from '@medanchor/chain/node';
 * const backend = electrumBackend({
 *   transport: electrumSocketTransport({ host: 'electrum.example', port: 50002, tls: true }),
 * });
 * const { height } = await backend.tip();
 * ```
 */
export function electrumBackend(options: ElectrumBackendOptions): Backend & {
  readonly client: ElectrumClient;
  /** `count` consecutive headers from `start` (at most 2016) in one request; `NOT_FOUND` past the tip. */
  headers(start: number, count: number): Promise<Uint8Array[]>;
} {
  const given =
    options.client ?? (options.transport && electrumClient({ transport: options.transport }));
  if (given === undefined) {
    throw new MedanchorError('INVALID_OPTIONS', 'electrumBackend needs a transport or a client');
  }
  const client: ElectrumClient = given;
  const feeRateFloor = options.feeRateFloor ?? 1;
  const hashSearchDepth = options.hashSearchDepth ?? 4032;
  const heightsByHash = new Map<string, number>();

  const call = <T>(method: string, params: unknown[] = []) => client.request<T>(method, params);

  function remember(info: HeaderInfo): HeaderInfo {
    if (heightsByHash.size > 50_000) heightsByHash.clear();
    heightsByHash.set(info.hash, info.height);
    return info;
  }

  function toInfo(hex: string, height: number): HeaderInfo {
    const header = fromHex(hex, 'header');
    if (header.length !== 80) {
      throw new MedanchorError(
        'BACKEND_INCONSISTENT',
        'the server sent a header that is not 80 bytes',
        {
          details: { height, length: header.length },
        },
      );
    }
    return remember({ hash: hashToDisplayHex(sha256d(header)), height, header });
  }

  function inconsistent(what: string, details: Record<string, string | number>): MedanchorError {
    return new MedanchorError(
      'BACKEND_INCONSISTENT',
      `the Electrum server's answers do not agree (${what}); use another server`,
      { details },
    );
  }

  async function tip(): Promise<HeaderInfo> {
    const t = await call<{ height: number; hex: string }>('blockchain.headers.subscribe');
    return toInfo(t.hex, t.height);
  }

  async function headerByHeight(height: number): Promise<HeaderInfo> {
    if (!Number.isInteger(height) || height < 0) {
      throw new MedanchorError('INVALID_HEIGHT', 'height must be a non-negative integer');
    }
    const cp = options.checkpoint;
    try {
      if (cp !== undefined && height <= cp.height) {
        const r = await call<{ header: string; branch: string[]; root: string }>(
          'blockchain.block.header',
          [height, cp.height],
        );
        const info = toInfo(r.header, height);
        if (
          r.root.toLowerCase() !== cp.root.toLowerCase() ||
          !headerProvenByCheckpoint(hashFromDisplayHex(info.hash), height, r.branch, cp)
        ) {
          throw new MedanchorError(
            'CHECKPOINT_MISMATCH',
            'the server could not prove this header against the configured checkpoint; use another server or check the checkpoint',
            { details: { height, checkpointHeight: cp.height } },
          );
        }
        return info;
      }
      return toInfo(await call<string>('blockchain.block.header', [height]), height);
    } catch (e) {
      if (e instanceof MedanchorError && e.code === 'ELECTRUM_ERROR') {
        const best = await tip();
        if (height > best.height) {
          throw new MedanchorError('NOT_FOUND', `no block at height ${height} yet`, {
            cause: e,
            details: { what: 'height', id: height, tip: best.height },
          });
        }
      }
      throw e;
    }
  }

  async function headerByHash(hash: string): Promise<HeaderInfo> {
    const wanted = hashToDisplayHex(hashFromDisplayHex(hash, 'block hash'));
    const known = heightsByHash.get(wanted);
    if (known !== undefined) {
      const info = await headerByHeight(known).catch(() => undefined);
      if (info?.hash === wanted) return info;
    }
    const best = await tip();
    if (best.hash === wanted) return best;
    const lowest = Math.max(0, best.height - hashSearchDepth);
    for (let end = best.height; end >= lowest; end -= 2016) {
      const start = Math.max(lowest, end - 2015);
      const r = await call<{ count: number; hex: string }>('blockchain.block.headers', [
        start,
        end - start + 1,
      ]);
      const bytes = fromHex(r.hex, 'headers');
      for (let i = 0; i * 80 + 80 <= bytes.length; i++) {
        const header = bytes.slice(i * 80, i * 80 + 80);
        const info = remember({
          hash: hashToDisplayHex(sha256d(header)),
          height: start + i,
          header,
        });
        if (info.hash === wanted) return info;
      }
      if (start === lowest) break;
    }
    throw new MedanchorError(
      'NOT_FOUND',
      `block ${wanted} is not among the last ${hashSearchDepth} blocks; Electrum servers cannot look blocks up by hash, so ask by height or raise hashSearchDepth`,
      { details: { what: 'block', id: wanted } },
    );
  }

  // Up to 2016 consecutive headers in one request (what level-3 depth proofs use); they are
  // checked by whoever validates them, the count here.
  async function headers(start: number, count: number): Promise<Uint8Array[]> {
    if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(count) || count < 1)
      throw new MedanchorError('INVALID_HEIGHT', 'start and count must be non-negative integers');
    const r = await call<{ count: number; hex: string }>('blockchain.block.headers', [
      start,
      Math.min(count, 2016),
    ]);
    const bytes = fromHex(r.hex, 'headers');
    const got = Math.floor(bytes.length / 80);
    if (got < Math.min(count, 2016))
      throw new MedanchorError('NOT_FOUND', `the server has ${got} of the headers from ${start}`, {
        details: { what: 'height', id: start + got },
      });
    return Array.from({ length: got }, (_, i) => bytes.slice(i * 80, i * 80 + 80));
  }

  async function transaction(txid: string): Promise<Uint8Array> {
    hashFromDisplayHex(txid, 'txid');
    try {
      return fromHex(await call<string>('blockchain.transaction.get', [txid]), 'transaction');
    } catch (e) {
      if (e instanceof MedanchorError && e.code === 'ELECTRUM_ERROR') {
        throw new MedanchorError(
          'NOT_FOUND',
          `the server does not know transaction ${txid}; check the txid, or broadcast it`,
          { cause: e, details: { what: 'transaction', id: txid } },
        );
      }
      throw e;
    }
  }

  // A script whose history must contain the transaction: a spendable output, else the
  // output one of its inputs spends (servers do not index OP_RETURN outputs).
  async function witnessScript(tx: ParsedTransaction): Promise<Uint8Array> {
    const out = tx.outputs.find((o) => o.script.length > 0 && o.script[0] !== OP_RETURN);
    if (out !== undefined) return out.script;
    const input = tx.inputs[0];
    if (input === undefined || isCoinbase(tx)) {
      throw new MedanchorError(
        'NOT_SUPPORTED',
        'cannot locate a transaction without spendable outputs or inputs',
      );
    }
    const prevTxid = hashToDisplayHex(input.prevTxid);
    const prev = parseTransaction(await transaction(prevTxid));
    const spent = prev.outputs[input.vout];
    if (spent === undefined) throw inconsistent('input spends a missing output', { prevTxid });
    return spent.script;
  }

  async function txStatus(txid: string): Promise<TxStatus> {
    const tx = parseTransaction(await transaction(txid));
    const wanted = txid.toLowerCase();
    const script = await witnessScript(tx);
    const history = await call<HistoryItem[]>('blockchain.scripthash.get_history', [
      electrumScriptHash(script),
    ]);
    const item = history.find((h) => h.tx_hash === wanted);
    if (item === undefined) {
      throw new MedanchorError(
        'NOT_FOUND',
        'the transaction is neither in the best chain nor in the mempool; broadcast it again',
        { details: { what: 'transaction', id: wanted } },
      );
    }
    if (item.height <= 0) return { confirmed: false };
    const header = await headerByHeight(item.height);
    return { confirmed: true, blockHash: header.hash, blockHeight: item.height };
  }

  // The number of transactions in a block, from the branch length and id_from_pos.
  async function countTransactions(height: number, position: number, depth: number) {
    if (depth === 0) return 1;
    const exists = async (pos: number) => {
      try {
        await call<string>('blockchain.transaction.id_from_pos', [height, pos]);
        return true;
      } catch (e) {
        if (e instanceof MedanchorError && e.code === 'ELECTRUM_ERROR') return false;
        throw e;
      }
    };
    let lo = Math.max(position, 2 ** (depth - 1)); // a position known (or required) to exist
    let hi = 2 ** depth - 1;
    if (!(await exists(lo))) throw inconsistent('branch length', { height, depth });
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (await exists(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  async function merkleBranch(txid: string): Promise<MerkleBranch> {
    const status = await txStatus(txid);
    if (!status.confirmed || status.blockHeight === undefined) {
      throw new MedanchorError(
        'NOT_CONFIRMED',
        'the transaction is not confirmed yet; wait for a block and ask again',
        { details: { txid } },
      );
    }
    const height = status.blockHeight;
    const r = await call<{ block_height: number; merkle: string[]; pos: number }>(
      'blockchain.transaction.get_merkle',
      [txid, height],
    );
    const siblings = r.merkle.map((h) => hashFromDisplayHex(h, 'merkle branch hash'));
    const header = await headerByHeight(height);
    const leaf = hashFromDisplayHex(txid);
    const root = header.header.slice(36, 68);
    // Checked before the transaction count is looked up: no requests for a bad branch.
    if (toHex(foldMerkleBranch(leaf, r.pos, siblings)) !== toHex(root)) {
      throw inconsistent('merkle branch does not reach the header', { txid, height });
    }
    const txCount = await countTransactions(height, r.pos, siblings.length);
    const check = checkMerkleBranch({ leaf, position: r.pos, branch: siblings, root, txCount });
    if (!check.ok) throw inconsistent(`merkle ${check.step}`, { txid, height });
    return { blockHash: header.hash, blockHeight: height, position: r.pos, siblings, txCount };
  }

  async function utxos(script: Uint8Array): Promise<Utxo[]> {
    const list = await call<UnspentItem[]>('blockchain.scripthash.listunspent', [
      electrumScriptHash(script),
    ]);
    return list.map((u) => ({
      txid: u.tx_hash,
      vout: u.tx_pos,
      value: BigInt(u.value),
      script: script.slice(),
      ...(u.height > 0 ? { height: u.height } : {}),
    }));
  }

  async function feeRate(targetBlocks = 3): Promise<number> {
    const perKb = await call<number>('blockchain.estimatefee', [targetBlocks]);
    if (typeof perKb !== 'number' || perKb <= 0) return feeRateFloor;
    return Math.max(feeRateFloor, coinsPerKbToSatPerVb(perKb));
  }

  async function broadcast(rawTx: Uint8Array): Promise<string> {
    try {
      return await client.request<string>('blockchain.transaction.broadcast', [toHex(rawTx)], {
        idempotent: false,
      });
    } catch (e) {
      if (!(e instanceof MedanchorError)) throw e;
      if (e.code === 'ELECTRUM_TIMEOUT' || e.code === 'ELECTRUM_DISCONNECTED') {
        throw broadcastUnknown('the server', e);
      }
      if (e.code !== 'ELECTRUM_ERROR') throw e;
      const outcome = classifyElectrumBroadcastError(String(e.details['rpcMessage'] ?? ''));
      if (outcome.kind === 'error') throw outcome.error;
      return knownTxid(rawTx, 'the server');
    }
  }

  return {
    name: `electrum(${client.name})`,
    client,
    tip,
    headerByHash,
    headerByHeight,
    headers,
    transaction,
    txStatus,
    merkleBranch,
    utxos,
    feeRate,
    broadcast,
  };
}

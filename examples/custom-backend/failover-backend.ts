// A Backend of your own: several backends behind one, tried in order. A backend that
// cannot answer (down, timing out, overloaded) is skipped for a while and the next one
// answers; an answer that is final (NOT_FOUND, TX_CONFLICT, ...) is returned as it is,
// since asking elsewhere would only hide it. Data that cannot change is cached.

import type { Backend, HeaderInfo, MerkleBranch, TxStatus, Utxo } from '@medanchor/chain';
import { isMedanchorError, MedanchorError } from '@medanchor/core';

/**
 * Error codes that mean "this backend could not answer", not "the answer is no": the
 * next backend is asked. Anything else a backend throws with a code is its answer.
 */
export const FAILOVER_CODES: ReadonlySet<string> = new Set([
  'TIMEOUT',
  'BACKEND_UNAVAILABLE',
  'BACKEND_BAD_RESPONSE',
  'BROADCAST_UNKNOWN',
  'FEE_ESTIMATE_UNAVAILABLE',
  'ELECTRUM_TIMEOUT',
  'ELECTRUM_DISCONNECTED',
  'ELECTRUM_UNREACHABLE',
]);

/** Options of {@link failoverBackend}. */
export interface FailoverBackendOptions {
  /** The backends, most preferred first. */
  backends: readonly Backend[];
  /**
   * A header this many blocks deep (the tip counting as 1) is taken as final and its
   * height is cached. Default 100: a deeper reorganisation is then not followed.
   */
  finalityDepth?: number;
  /** How long a failed backend goes to the back of the queue. Default 30 s. */
  cooldownMs?: number;
  /** Cache entries kept of each kind (oldest dropped first). Default 10,000. */
  maxCacheEntries?: number;
  /** Told each time a backend fails and the next one is asked. */
  onFailover?: (event: { method: string; backend: string; code: string }) => void;
}

/** Counters of a {@link FailoverBackend}. */
export interface FailoverStats {
  /** Calls made to the failover backend. */
  calls: number;
  /** Calls answered from the cache without asking any backend. */
  cacheHits: number;
  /** Times a backend failed and the next one was asked. */
  failovers: number;
}

/** A {@link Backend} over several backends, with its counters. */
export interface FailoverBackend extends Backend {
  /** A snapshot of the counters. */
  stats(): FailoverStats;
}

// A Map that forgets its oldest entries past a size.
function boundedMap<K, V>(max: number) {
  const m = new Map<K, V>();
  return {
    get: (k: K) => m.get(k),
    set(k: K, v: V) {
      m.delete(k);
      m.set(k, v);
      if (m.size > max) m.delete(m.keys().next().value as K);
    },
  };
}

// Callers get copies, so nobody can change what the cache holds.
const copyHeader = (h: HeaderInfo): HeaderInfo => ({ ...h, header: h.header.slice() });

/**
 * Wraps `backends` into one. Cached: headers by hash, raw transactions by txid (both
 * named by their own hash, so they cannot change) and the hash at a height once it is
 * `finalityDepth` deep. Never cached: the tip, transaction status, merkle branches,
 * UTXOs, fee rates and broadcasts, which change as blocks arrive or reorganise.
 *
 * Broadcasting the same bytes to the next backend after an unknown outcome is safe:
 * it is the same transaction, and "already known" counts as success.
 *
 * @throws `MedanchorError` `INVALID_OPTIONS` without backends; its methods throw what
 *   the answering backend threw, or `BACKEND_UNAVAILABLE` (`BROADCAST_UNKNOWN` for a
 *   broadcast) when no backend could answer.
 */
export function failoverBackend(options: FailoverBackendOptions): FailoverBackend {
  const backends = [...options.backends];
  if (backends.length === 0) {
    throw new MedanchorError('INVALID_OPTIONS', 'give failoverBackend at least one backend');
  }
  const finalityDepth = options.finalityDepth ?? 100;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const max = options.maxCacheEntries ?? 10_000;
  const headers = boundedMap<string, HeaderInfo>(max);
  const heights = boundedMap<number, string>(max);
  const txs = boundedMap<string, Uint8Array>(max);
  const downUntil = new Map<Backend, number>();
  const stats: FailoverStats = { calls: 0, cacheHits: 0, failovers: 0 };
  let bestHeight = -1;

  // Healthy backends in preference order, then the cooling-down ones: if all are
  // down, they are still tried rather than failing without asking.
  function order(): Backend[] {
    const now = Date.now();
    const up = backends.filter((b) => (downUntil.get(b) ?? 0) <= now);
    return [...up, ...backends.filter((b) => !up.includes(b))];
  }

  async function ask<T>(method: string, call: (b: Backend) => Promise<T>): Promise<T> {
    const failed: string[] = [];
    let outcomeUnknown = false;
    const queue = order();
    for (const [i, b] of queue.entries()) {
      try {
        const answer = await call(b);
        downUntil.delete(b);
        return answer;
      } catch (e) {
        if (isMedanchorError(e) && !FAILOVER_CODES.has(e.code)) throw e;
        const code = isMedanchorError(e) ? e.code : 'UNEXPECTED';
        outcomeUnknown ||= code === 'BROADCAST_UNKNOWN' || code === 'TIMEOUT';
        downUntil.set(b, Date.now() + cooldownMs);
        failed.push(`${b.name}: ${code}`);
        if (i < queue.length - 1) {
          stats.failovers++;
          options.onFailover?.({ method, backend: b.name, code });
        }
      }
    }
    const code =
      method === 'broadcast' && outcomeUnknown ? 'BROADCAST_UNKNOWN' : 'BACKEND_UNAVAILABLE';
    throw new MedanchorError(
      code,
      `${method}: none of the ${backends.length} backends answered (${failed.join('; ')}); check them or add another`,
    );
  }

  // `inBestChain`: the answer came from tip() or headerByHeight(). A header found by
  // hash may be on a stale branch, so it never says what is at its height.
  function remember(h: HeaderInfo, inBestChain: boolean): HeaderInfo {
    headers.set(h.hash, copyHeader(h));
    if (inBestChain && bestHeight - h.height + 1 >= finalityDepth) heights.set(h.height, h.hash);
    return h;
  }

  function cached<T>(value: T | undefined, copy: (v: T) => T): T | undefined {
    if (value === undefined) return undefined;
    stats.cacheHits++;
    return copy(value);
  }

  return {
    name: `failover(${backends.map((b) => b.name).join(', ')})`,
    stats: () => ({ ...stats }),

    async tip() {
      stats.calls++;
      const tip = await ask('tip', (b) => b.tip());
      bestHeight = Math.max(bestHeight, tip.height);
      return remember(tip, true);
    },

    async headerByHash(hash) {
      stats.calls++;
      const hit = cached(headers.get(hash.toLowerCase()), copyHeader);
      return hit ?? remember(await ask('headerByHash', (b) => b.headerByHash(hash)), false);
    },

    async headerByHeight(height) {
      stats.calls++;
      const hash = heights.get(height);
      const hit = hash === undefined ? undefined : cached(headers.get(hash), copyHeader);
      return hit ?? remember(await ask('headerByHeight', (b) => b.headerByHeight(height)), true);
    },

    async transaction(txid) {
      stats.calls++;
      const hit = cached(txs.get(txid.toLowerCase()), (t) => t.slice());
      if (hit !== undefined) return hit;
      const raw = await ask('transaction', (b) => b.transaction(txid));
      txs.set(txid.toLowerCase(), raw.slice());
      return raw;
    },

    txStatus(txid): Promise<TxStatus> {
      stats.calls++;
      return ask('txStatus', (b) => b.txStatus(txid));
    },

    merkleBranch(txid): Promise<MerkleBranch> {
      stats.calls++;
      return ask('merkleBranch', (b) => b.merkleBranch(txid));
    },

    utxos(script): Promise<Utxo[]> {
      stats.calls++;
      return ask('utxos', (b) => b.utxos(script));
    },

    feeRate(targetBlocks) {
      stats.calls++;
      return ask('feeRate', (b) => b.feeRate(targetBlocks));
    },

    async broadcast(rawTx) {
      stats.calls++;
      return ask('broadcast', (b) => b.broadcast(rawTx));
    },
  };
}

import { equalBytes, fromHex, isMedanchorError } from '@medanchor/core';
import { bitsWork } from '../bitcoin/compact.js';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { HEADER_SIZE, parseHeader } from '../bitcoin/header.js';
import { type HeaderChain, validateHeaderChain } from '../bitcoin/header-chain.js';
import type { NetworkParams } from '../network/params.js';
import { bundledSchedule, defaultMinHeaderWork } from '../schedule/bundled.js';
import type { DifficultySchedule } from '../schedule/types.js';

/** Where headers come from: any `Backend`; `headers` is used when it has one (a range in one call). */
export interface HeaderSource {
  /** A short name for reports. */
  readonly name: string;
  /** The best chain's header at `height`. */
  headerByHeight(height: number): Promise<{ height: number; header: Uint8Array }>;
  /** Optional: `count` consecutive headers of the best chain from `start`. */
  headers?(start: number, count: number): Promise<Uint8Array[]>;
}

/**
 * A header trusted by the verifier (pinned), or a trusted hash prefix at a height; with
 * neither, whatever the source serves there (only on networks without a schedule).
 */
export interface TrustedPoint {
  height: number;
  /** The full header (pinned), or... */
  header?: Uint8Array;
  /** ...the first bytes (internal order) of its hash, as the schedule keeps them. */
  hashPrefix?: Uint8Array;
}

/** Options of {@link proveBlockDepth}. */
export interface ProveDepthInput {
  params: NetworkParams;
  /** The block to prove: its claimed height and its 80-byte header. */
  block: { height: number; header: Uint8Array };
  /** Confirmations required, the block itself counting as one. */
  confirmations: number;
  /** Where to fetch headers. */
  source: HeaderSource;
  /** Default: the schedule bundled for the network; `null` for none (genesis is then the checkpoint). */
  schedule?: DifficultySchedule | null;
  /** A header the verifier trusts, used instead of the schedule's points when nearer below the block. */
  pinned?: { height: number; header: Uint8Array };
  /** Least total work of the block and the headers above it (default: confirmations x `defaultMinHeaderWork`). */
  minChainWork?: bigint;
  /** The most headers one proof may fetch (default 4,200: two epochs and some). */
  maxHeaders?: number;
  /** Headers per request when the source has ranges, or requests in flight otherwise (default 16). */
  concurrency?: number;
}

/** Why a depth proof failed. */
export interface DepthFailure {
  ok: false;
  /**
   * `checkpoint` (no trusted point, or the source's header there is not the trusted one),
   * `cap` (too many headers), `fetch` (the source failed), `linkage`, `pow`, `bits`, `time`
   * (a header breaks a rule), `work` (too little chain work), `block` (the block is not in
   * the validated chain at its height).
   */
  step:
    | 'checkpoint'
    | 'cap'
    | 'fetch'
    | 'input'
    | 'linkage'
    | 'pow'
    | 'bits'
    | 'time'
    | 'work'
    | 'block';
  /** Height of the header at fault, when one is. */
  height?: number;
  reason: string;
  /** True when the check could not be made (source unreachable, cap, missing data), not refuted. */
  undetermined: boolean;
}

/** A block proven to lie `confirmations` deep under a trusted checkpoint. */
export interface DepthProof {
  ok: true;
  /** The validated headers, from the checkpoint (or the block) up. */
  chain: HeaderChain;
  /** Headers fetched. */
  fetched: number;
  /** Height of the trusted point the proof rests on. */
  checkpointHeight: number;
  /** `forward` (validated up from a point below) or `backward` (linked down from a hash above). */
  direction: 'forward' | 'backward';
}

/** Verdict of {@link proveBlockDepth}. */
export type DepthResult = DepthProof | DepthFailure;

const failure = (
  step: DepthFailure['step'],
  reason: string,
  undetermined = false,
  height?: number,
): DepthFailure => ({
  ok: false,
  step,
  reason,
  undetermined,
  ...(height === undefined ? {} : { height }),
});

/**
 * The trusted points of a schedule (the last block of each epoch whose hash it keeps) or, without
 * one, the genesis header; a pinned header joins them.
 */
export function trustedPoints(
  params: NetworkParams,
  schedule: DifficultySchedule | undefined,
  pinned?: { height: number; header: Uint8Array },
): TrustedPoint[] {
  const points: TrustedPoint[] = [{ height: 0, header: fromHex(params.genesisHeader) }];
  schedule?.epochs.forEach((e, k) => {
    if (e.lastHashPrefix !== undefined)
      points.push({ height: (k + 1) * schedule.interval - 1, hashPrefix: e.lastHashPrefix });
  });
  if (pinned !== undefined) points.push({ height: pinned.height, header: pinned.header });
  return points.sort((a, b) => a.height - b.height);
}

function isTrusted(point: TrustedPoint, header: Uint8Array): boolean {
  if (point.header !== undefined) return equalBytes(point.header, header);
  if (point.hashPrefix === undefined) return true;
  const hash = sha256d(header);
  return (
    point.hashPrefix !== undefined &&
    equalBytes(hash.subarray(0, point.hashPrefix.length), point.hashPrefix)
  );
}

/**
 * Fetches `count` headers from `start`: by ranges when the source has them, else one height
 * per request with `concurrency` in flight. Each must be 80 bytes.
 */
export async function fetchHeaderBytes(
  source: HeaderSource,
  start: number,
  count: number,
  concurrency = 16,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  if (typeof source.headers === 'function') {
    for (let at = start; at < start + count; at += 2016) {
      const n = Math.min(2016, start + count - at);
      const got = await source.headers(at, n);
      if (got.length !== n) throw new Error(`asked ${n} headers from ${at}, got ${got.length}`);
      out.push(...got);
    }
  } else {
    for (let at = start; at < start + count; at += concurrency) {
      const heights = Array.from(
        { length: Math.min(concurrency, start + count - at) },
        (_, i) => at + i,
      );
      const got = await Promise.all(heights.map((h) => source.headerByHeight(h)));
      got.forEach((g, i) => {
        if (g.height !== heights[i])
          throw new Error(`asked the header at ${heights[i]}, got ${g.height}`);
      });
      out.push(...got.map((g) => g.header));
    }
  }
  if (out.some((h) => !(h instanceof Uint8Array) || h.length !== HEADER_SIZE))
    throw new Error('a header is not 80 bytes');
  return out;
}

/**
 * Proves that `block` is in the chain that descends from a point the verifier trusts, with
 * `confirmations` blocks of real work (the block included): never on the block's own word.
 * Forward: from the nearest trusted point below the block, every header is validated
 * (linkage, proof of work, the schedule's bits or the retarget rules, median time) up to
 * `height + confirmations - 1`. Backward, when a trusted hash lies above that height and is
 * nearer: the headers above the block must link up to it. Fetches at most `maxHeaders`,
 * by ranges when the source has them. Never throws.
 *
 * @example
 * ```ts
 * const r = await proveBlockDepth({ params: mainnet, block: { height, header }, confirmations: 6, source: esplora });
 * if (!r.ok) console.log(r.step, r.reason, r.undetermined ? '(could not check)' : '(refuted)');
 * ```
 */
export async function proveBlockDepth(input: ProveDepthInput): Promise<DepthResult> {
  try {
    return await prove(input);
  } catch (e) {
    return failure('input', `the depth proof could not run: ${(e as Error).message}`);
  }
}

async function prove(input: ProveDepthInput): Promise<DepthResult> {
  const { params, block, confirmations } = input;
  if (
    !Number.isSafeInteger(block.height) ||
    block.height < 0 ||
    block.header?.length !== HEADER_SIZE
  )
    return failure('input', 'the block needs a non-negative height and an 80-byte header');
  if (!Number.isSafeInteger(confirmations) || confirmations < 1)
    return failure('input', 'confirmations must be a positive integer');
  const schedule =
    input.schedule === undefined ? bundledSchedule(params.name) : (input.schedule ?? undefined);
  const points = trustedPoints(params, schedule, input.pinned);
  const target = block.height + confirmations - 1;
  const below = points.filter((p) => p.height <= block.height).pop();
  const above = points.find((p) => p.height >= target);
  const maxHeaders = input.maxHeaders ?? 4200;
  let start = below;
  // Without a schedule (regtest, devnet) nothing but the source vouches for any header, so
  // when genesis is too far the proof starts just below the block, at a header the source serves.
  if (
    schedule === undefined &&
    input.pinned === undefined &&
    below !== undefined &&
    target - below.height + 1 > maxHeaders
  )
    start = { height: block.height - 1 };
  const forwardCost = start === undefined ? Number.POSITIVE_INFINITY : target - start.height + 1;
  const backwardCost = above === undefined ? Number.POSITIVE_INFINITY : above.height - block.height;
  if (Math.min(forwardCost, backwardCost) > maxHeaders)
    return failure(
      'cap',
      `proving ${confirmations} confirmations at height ${block.height} needs ${Math.min(forwardCost, backwardCost)} headers from the nearest trusted point, more than the cap of ${maxHeaders} (refresh the schedule or pin a nearer header)`,
      true,
    );
  const minWork = input.minChainWork ?? BigInt(confirmations) * defaultMinHeaderWork(params.name);
  return backwardCost < forwardCost
    ? backward(input, above!, minWork)
    : forward(input, start!, target, schedule, minWork);
}

async function fetchOrFail(
  input: ProveDepthInput,
  start: number,
  count: number,
): Promise<Uint8Array[] | DepthFailure> {
  try {
    return await fetchHeaderBytes(input.source, start, count, input.concurrency);
  } catch (e) {
    const unreachable = !isMedanchorError(e, 'NOT_FOUND');
    const why = isMedanchorError(e) ? `${e.code}: ${e.message}` : (e as Error).message;
    return failure(
      'fetch',
      `${input.source.name} could not serve headers ${start}..${start + count - 1} (${why})`,
      unreachable,
    );
  }
}

async function forward(
  input: ProveDepthInput,
  point: TrustedPoint,
  target: number,
  schedule: DifficultySchedule | undefined,
  minWork: bigint,
): Promise<DepthResult> {
  const { params, block } = input;
  const headers = await fetchOrFail(input, point.height, target - point.height + 1);
  if (!Array.isArray(headers)) return headers;
  const [checkpoint, ...rest] = headers as [Uint8Array, ...Uint8Array[]];
  if (!isTrusted(point, checkpoint))
    return failure(
      'checkpoint',
      `${input.source.name}'s header at ${point.height} is not the trusted one`,
      false,
      point.height,
    );
  const r = validateHeaderChain({
    params,
    checkpoint: { height: point.height, header: checkpoint },
    headers: rest,
    ...(schedule === undefined
      ? {}
      : {
          epochBits: (k: number) =>
            k < schedule.epochs.length ? schedule.epochs[k]?.bits : undefined,
        }),
  });
  if (!r.ok) return failure(r.step, r.reason, false, r.height);
  const at = block.height - point.height;
  if (r.chain.hashes[at] !== hashToDisplayHex(sha256d(block.header)))
    return failure(
      'block',
      `the block is not the validated chain's block at height ${block.height} (stale, reorganised or wrong height)`,
      false,
      block.height,
    );
  const work = r.chain.headers
    .slice(at)
    .reduce((sum, h) => sum + bitsWork(parseHeader(h).bits), 0n);
  if (work < minWork)
    return failure(
      'work',
      `the block and the headers above it carry ${work} expected hashes, fewer than ${minWork}`,
    );
  return {
    ok: true,
    chain: r.chain,
    fetched: headers.length,
    checkpointHeight: point.height,
    direction: 'forward',
  };
}

async function backward(
  input: ProveDepthInput,
  point: TrustedPoint,
  minWork: bigint,
): Promise<DepthResult> {
  const { params, block } = input;
  const above = await fetchOrFail(input, block.height + 1, point.height - block.height);
  if (!Array.isArray(above)) return above;
  const all = [block.header, ...above];
  for (let i = 1; i < all.length; i++) {
    if (!equalBytes(parseHeader(all[i]!).prevHash, sha256d(all[i - 1]!)))
      return failure(
        'linkage',
        'header does not point to the hash of the header before it',
        false,
        block.height + i,
      );
  }
  if (!isTrusted(point, all[all.length - 1]!))
    return failure(
      'block',
      `the headers above the block do not lead to the trusted block at ${point.height}: the block is not in the chain at height ${block.height}`,
      false,
      point.height,
    );
  const work = all.reduce((sum, h) => sum + bitsWork(parseHeader(h).bits), 0n);
  if (work < minWork)
    return failure(
      'work',
      `the block and the headers above it carry ${work} expected hashes, fewer than ${minWork}`,
    );
  return {
    ok: true,
    chain: {
      network: params.name,
      startHeight: block.height,
      tipHeight: point.height,
      hashes: all.map((h) => hashToDisplayHex(sha256d(h))),
      headers: all,
      work,
    },
    fetched: above.length,
    checkpointHeight: point.height,
    direction: 'backward',
  };
}

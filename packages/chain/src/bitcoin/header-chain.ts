import { equalBytes } from '@medanchor/core';
import type { NetworkParams } from '../network/params.js';
import { bitsToTarget, bitsWork, targetToBits } from './compact.js';
import { hashToDisplayHex, sha256d } from './hash.js';
import { type BlockHeader, HEADER_SIZE, parseHeader } from './header.js';
import { hashToBigint, powHashOf } from './pow.js';
import { nextBits } from './retarget.js';

/** A header trusted without checks (a checkpoint), with its height. */
export interface TrustedHeader {
  height: number;
  /** The 80 header bytes. */
  header: Uint8Array;
}

/** What {@link validateHeaderChain} checks. */
export interface HeaderChainInput {
  params: NetworkParams;
  /** The trusted starting point; `headers` continue from it. */
  checkpoint: TrustedHeader;
  /** Headers at checkpoint.height + 1, + 2, ... in order. */
  headers: Uint8Array[];
  /**
   * First header of the difficulty epoch in progress at the checkpoint, needed
   * when the headers cross a retarget boundary before that header is among them.
   */
  epochStart?: TrustedHeader;
  /**
   * The real bits of difficulty epoch `k` when known (a difficulty schedule): every header
   * of a known epoch must carry them, and a retarget into one needs no epoch start.
   */
  epochBits?: (epoch: number) => number | undefined;
}

/** A header chain that {@link validateHeaderChain} accepted, checkpoint included. */
export interface HeaderChain {
  /** Network name the chain was validated for. */
  network: string;
  /** Height of the checkpoint (the first header). */
  startHeight: number;
  /** Height of the last header. */
  tipHeight: number;
  /** Block hashes in height order, display order hex. */
  hashes: string[];
  /** Headers in height order, checkpoint first. */
  headers: Uint8Array[];
  /** Sum of the work of every header after the checkpoint. */
  work: bigint;
}

/** Why a header chain was refused: the first failing header and the rule it broke. */
export interface HeaderChainFailure {
  ok: false;
  /** `input`, `linkage`, `pow`, `bits` or `time`. */
  step: 'input' | 'linkage' | 'pow' | 'bits' | 'time';
  /** Height of the offending header. */
  height: number;
  reason: string;
}

/** Verdict of {@link validateHeaderChain}. */
export type HeaderChainResult = { ok: true; chain: HeaderChain } | HeaderChainFailure;

const MEDIAN_SPAN = 11;

/**
 * Validates headers that extend a trusted checkpoint, as an SPV client does: each
 * links to the previous hash (`linkage`), claims a target within `powLimit` that its
 * proof-of-work hash meets (`pow`), carries the bits the network's retarget rules
 * require (`bits`: recomputed at every epoch boundary, unchanged in between, with
 * the testnet minimum-difficulty exception), and is later than the median of the 11
 * headers before it when they are known (`time`). Never throws.
 *
 * @example
 * ```ts
 * const r = validateHeaderChain({ params: mainnet, checkpoint: { height: 0, header: genesis }, headers });
 * if (!r.ok) console.log(r.step, r.height, r.reason);
 * ```
 */
export function validateHeaderChain(input: HeaderChainInput): HeaderChainResult {
  try {
    return validate(input);
  } catch (e) {
    // Only malformed input objects or parameters get here.
    return {
      ok: false,
      step: 'input',
      height: 0,
      reason: `validation could not run: ${(e as Error).message}`,
    };
  }
}

function validate(input: HeaderChainInput): HeaderChainResult {
  const { params, checkpoint, headers, epochStart, epochBits } = input;
  const startHeight = checkpoint?.height ?? -1;
  const bad = (
    step: HeaderChainFailure['step'],
    height: number,
    reason: string,
  ): HeaderChainFailure => ({
    ok: false,
    step,
    height,
    reason,
  });
  if (!Number.isSafeInteger(startHeight) || startHeight < 0 || !isHeader(checkpoint.header)) {
    return bad('input', 0, 'checkpoint must be an 80-byte header with a non-negative height');
  }
  if (!Array.isArray(headers))
    return bad('input', startHeight, 'headers must be an array of 80-byte headers');
  if (
    epochStart !== undefined &&
    (!Number.isSafeInteger(epochStart.height) || !isHeader(epochStart.header))
  ) {
    return bad('input', startHeight, 'epochStart must be an 80-byte header with its height');
  }
  const { interval, targetTimespan, noRetarget, allowMinDifficulty } = params.retarget;
  const spacing = targetTimespan / interval;
  const powLimitBits = targetToBits(params.powLimit);

  const parsed: BlockHeader[] = [parseHeader(checkpoint.header)];
  const all: Uint8Array[] = [checkpoint.header];
  const hashes: Uint8Array[] = [sha256d(checkpoint.header)];
  let work = 0n;

  for (let i = 0; i < headers.length; i++) {
    const height = startHeight + i + 1;
    const bytes = headers[i];
    if (!isHeader(bytes)) return bad('input', height, 'every header must be 80 bytes');
    const h = parseHeader(bytes);
    const prev = parsed[parsed.length - 1]!;
    const hash = sha256d(bytes);
    if (!equalBytes(h.prevHash, hashes[hashes.length - 1]!)) {
      return bad('linkage', height, 'header does not point to the hash of the header before it');
    }
    let target: bigint;
    try {
      target = bitsToTarget(h.bits);
    } catch {
      return bad('pow', height, 'header bits do not encode a valid target');
    }
    if (target === 0n || target > params.powLimit)
      return bad('pow', height, 'header target is above the network powLimit');
    const powHash = params.powHash === 'sha256d' ? hash : powHashOf(bytes, params);
    if (hashToBigint(powHash) > target)
      return bad('pow', height, 'header hash does not meet its target');

    const expected = expectedBits(height, h, prev);
    if (typeof expected === 'string') return bad('bits', height, expected);
    if (h.bits !== expected) {
      return bad(
        'bits',
        height,
        `bits 0x${h.bits.toString(16)} differ from the required 0x${expected.toString(16)}`,
      );
    }
    if (parsed.length >= MEDIAN_SPAN) {
      const times = parsed
        .slice(-MEDIAN_SPAN)
        .map((p) => p.time)
        .sort((a, b) => a - b);
      if (h.time <= times[(MEDIAN_SPAN - 1) / 2]!) {
        return bad('time', height, 'header time is not after the median of the previous 11');
      }
    }
    parsed.push(h);
    all.push(bytes);
    hashes.push(hash);
    work += bitsWork(h.bits);
  }

  return {
    ok: true,
    chain: {
      network: params.name,
      startHeight,
      tipHeight: startHeight + headers.length,
      hashes: hashes.map(hashToDisplayHex),
      headers: all,
      work,
    },
  };

  // The bits a header at `height` must carry, or a reason it cannot be known.
  function expectedBits(height: number, h: BlockHeader, prev: BlockHeader): number | string {
    const known = epochBits?.(Math.floor(height / interval));
    if (known !== undefined && !(allowMinDifficulty && h.bits === powLimitBits)) return known;
    if (height % interval === 0) {
      if (noRetarget) return prev.bits;
      const first = headerAt(height - interval);
      if (first === undefined && epochBits !== undefined) return withinRetargetClamp(h, prev);
      if (first === undefined) {
        return `retarget at ${height} needs the epoch's first header (height ${height - interval}): pass it as epochStart`;
      }
      try {
        return nextBits(first, prev, params);
      } catch {
        return 'the epoch headers carry invalid bits';
      }
    }
    if (!allowMinDifficulty) return prev.bits;
    if (h.time > prev.time + 2 * spacing) return powLimitBits;
    // Otherwise the bits of the last block that was not a minimum-difficulty exception.
    for (let j = parsed.length - 1; j >= 0; j--) {
      const p = parsed[j]!;
      if ((startHeight + j) % interval === 0 || p.bits !== powLimitBits) return p.bits;
    }
    return prev.bits;
  }

  // Without the epoch's first header, a retarget can still be held to the factor-4 clamp.
  function withinRetargetClamp(h: BlockHeader, prev: BlockHeader): number | string {
    const next = bitsToTarget(h.bits);
    const before = bitsToTarget(prev.bits);
    if (next > before * 4n || next * 4n < before)
      return 'a retarget moves the target by more than a factor of 4';
    return h.bits;
  }

  function headerAt(height: number): BlockHeader | undefined {
    const j = height - startHeight;
    if (j >= 0 && j < parsed.length) return parsed[j];
    if (epochStart !== undefined && epochStart.height === height)
      return parseHeader(epochStart.header);
    return undefined;
  }
}

function isHeader(b: unknown): b is Uint8Array {
  return b instanceof Uint8Array && b.length === HEADER_SIZE;
}

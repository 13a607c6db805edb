import { isMedanchorError, MedanchorError } from '@medanchor/core';
import type { Backend, HeaderInfo } from '../backend/types.js';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { parseHeader } from '../bitcoin/header.js';
import { validateHeaderChain } from '../bitcoin/header-chain.js';
import type { NetworkParams } from '../network/params.js';
import type { DifficultySchedule } from '../schedule/types.js';
import { createSpvProof } from '../spv/create.js';
import type { HeaderSource } from '../spv/depth.js';
import type { AnchorCommitment, DecodedSpvProof, SpvProof } from '../spv/proof.js';
import { type SpvResult, verifySpvProof } from '../spv/verify.js';
import { type BitcoinAnchorEntry, bitcoinAnchorEntryFromProof } from './entry.js';

/** Headers requested at once; enough to hide latency without flooding a public explorer. */
const HEADER_FETCH_PARALLELISM = 8;

/**
 * The step at which a backend's account of an anchor was refused: a step of
 * `verifySpvProof` (`payload`, `branch-length`, `merkle-root`, `pow`, ...), `height`
 * (the header the backend shows at the claimed height is another block) or `headers`
 * (the headers above the block do not link or lack their proof of work or bits).
 */
export type AnchorProofStep = string;

/** An anchor entry whose proof and depth were checked, from {@link fetchVerifiedAnchorEntry}. */
export interface VerifiedAnchorEntry {
  /** The receipt entry (level 2 verified against the digest). */
  readonly entry: BitcoinAnchorEntry;
  /**
   * Confirmations shown by validated headers: the block itself plus the headers above
   * it that link to it and carry their proof of work and bits. Never more than the
   * `depth` asked for, never taken from the backend's tip height.
   */
  readonly confirmations: number;
}

/**
 * Level 2 of an anchor proof for a writer (anchorer, upgrade, receipt files): every step of
 * `verifySpvProof`, the difficulty schedule included. A height past the bundled schedule's
 * end cannot be judged against it (`undetermined`); the writer then runs every other step
 * and accepts the proof, since it also checks the block and the headers above it against
 * the backend's chain (the schedule step is for offline readers, who rely on level 3 there).
 * `schedule`: as in `verifySpvProof` (default: the one bundled for the network).
 */
export function verifyProofForWriting(
  proof: SpvProof | DecodedSpvProof,
  params: NetworkParams,
  digest: Uint8Array,
  schedule?: DifficultySchedule | null,
): SpvResult {
  const r = verifySpvProof(proof, {
    params,
    expectedPayload: digest,
    ...(schedule === undefined ? {} : { schedule }),
  });
  if (r.ok || r.undetermined !== true) return r;
  return verifySpvProof(proof, { params, expectedPayload: digest, schedule: null });
}

/** The typed refusal of a backend's proof; nothing may be written from it. */
export function anchorProofRefused(
  backend: string,
  txid: string,
  step: AnchorProofStep,
  reason: string,
): MedanchorError {
  return new MedanchorError(
    'ANCHOR_PROOF_REFUSED',
    `${backend} gave a proof of anchor transaction ${txid} that fails at ${step} (${reason}); nothing was written: try again later or use another backend`,
    { details: { backend, txid, step } },
  );
}

/**
 * Up to `count` headers of the backend's best chain from height `from` on, in height
 * order; stops at the first height the backend does not have (above its tip). A backend
 * with a `headers(start, count)` range method is asked once; otherwise one request per
 * height, at most 8 in flight.
 * @throws the backend's errors other than `NOT_FOUND`.
 */
export async function fetchHeaderRange(
  backend: Backend,
  from: number,
  count: number,
): Promise<HeaderInfo[]> {
  const ranged = await fetchByRange(backend, from, count);
  if (ranged !== undefined) return ranged;
  const out: HeaderInfo[] = [];
  for (let start = from; start < from + count; start += HEADER_FETCH_PARALLELISM) {
    const heights: number[] = [];
    for (let h = start; h < Math.min(from + count, start + HEADER_FETCH_PARALLELISM); h++) {
      heights.push(h);
    }
    const got = await Promise.all(
      heights.map((h) =>
        backend.headerByHeight(h).catch((e: unknown) => {
          if (isMedanchorError(e, 'NOT_FOUND')) return undefined;
          throw e;
        }),
      ),
    );
    for (const [i, h] of got.entries()) {
      if (h === undefined) return out;
      if (h.height !== heights[i]) return out;
      out.push(h);
    }
  }
  return out;
}

// A backend that serves headers in ranges (an optional `headers(start, count)`, as
// `HeaderSource` of spv/depth.ts describes) answers in one request; heights and hashes
// are derived here, and linkage is checked by the caller's validation.
async function fetchByRange(
  backend: Backend,
  from: number,
  count: number,
): Promise<HeaderInfo[] | undefined> {
  const source = backend as Backend & Partial<Pick<HeaderSource, 'headers'>>;
  if (typeof source.headers !== 'function' || count <= 0) return undefined;
  let got: Uint8Array[];
  try {
    got = await source.headers(from, count);
  } catch (e) {
    // Past the tip some servers refuse the whole range: ask height by height instead.
    if (isMedanchorError(e, 'NOT_FOUND')) return undefined;
    throw e;
  }
  return got
    .slice(0, count)
    .filter((h) => h instanceof Uint8Array && h.length === 80)
    .map((header, i) => ({ hash: hashOf(header), height: from + i, header }));
}

/**
 * Validates `above` (headers at block.height + 1, + 2, ...) on top of `block`: linkage,
 * proof of work within the network limit, difficulty bits. The first header of the
 * epoch is fetched from the backend when a retarget boundary is among them.
 * Returns why they fail, or undefined.
 */
export async function validateHeadersAbove(
  backend: Backend,
  network: NetworkParams,
  block: { height: number; header: Uint8Array },
  above: readonly Uint8Array[],
): Promise<string | undefined> {
  if (above.length === 0) return undefined;
  const { interval } = network.retarget;
  let epochStart: { height: number; header: Uint8Array } | undefined;
  for (let h = block.height + 1; h <= block.height + above.length; h++) {
    if (h % interval === 0 && h - interval >= 0) {
      const e = await backend.headerByHeight(h - interval);
      epochStart = { height: e.height, header: e.header };
      break;
    }
  }
  const r = validateHeaderChain({
    params: network,
    checkpoint: { height: block.height, header: block.header },
    headers: [...above],
    ...(epochStart === undefined ? {} : { epochStart }),
  });
  return r.ok ? undefined : `${r.step} at height ${r.height}: ${r.reason}`;
}

/**
 * The highest height up to `from + count - 1` that the backend shows by headers that
 * link from its header at `from` and carry valid proof of work and bits: a tip height
 * the backend can back with work, never its bare claim. `from - 1` when it has no header
 * at `from`.
 */
export async function provenHeightFrom(
  backend: Backend,
  network: NetworkParams,
  from: number,
  count: number,
): Promise<number> {
  const got = await fetchHeaderRange(backend, from, count);
  if (got.length === 0) return from - 1;
  const bad = await validateHeadersAbove(
    backend,
    network,
    { height: from, header: got[0]!.header },
    got.slice(1).map((h) => h.header),
  );
  return bad === undefined ? from + got.length - 1 : from;
}

/** What {@link fetchVerifiedAnchorEntry} checks. */
export interface FetchVerifiedAnchorEntryInput {
  backend: Backend;
  network: NetworkParams;
  /** Display-order txid of the confirmed anchor transaction. */
  txid: string;
  /** The 32-byte checkpoint digest the transaction must carry. */
  digest: Uint8Array;
  /** For a taproot-tweak anchor: its committing output (index 0) and internal key. */
  commitment?: AnchorCommitment;
  /** Confirmations worth proving (the finality depth): at most `depth - 1` headers are fetched above the block. */
  depth: number;
}

/**
 * Fetches the receipt entry of a confirmed anchor and believes none of it unchecked:
 * the proof must pass level 2 against `digest` (payload, txid, merkle branch whose
 * length fits the transaction count, proof of work), the backend's header at the
 * claimed height must be the proof's block (so a height the backend made up is
 * refused), and the confirmations are counted from headers above the block that link
 * to it and carry valid proof of work and bits (so a padded tip proves nothing).
 * Requests: the backend's merkle branch and transaction, one header per confirmation
 * up to `depth`, fetched 8 at a time (or in one range request).
 *
 * @example
 * ```ts
 * const { entry, confirmations } = await fetchVerifiedAnchorEntry({ backend, network: regtest, txid, digest, depth: 6 });
 * ```
 * @throws MedanchorError `ANCHOR_PROOF_REFUSED` (details.step names the failing check),
 * `NOT_CONFIRMED`, or the backend's errors; nothing is returned that did not verify.
 */
export async function fetchVerifiedAnchorEntry(
  input: FetchVerifiedAnchorEntryInput,
): Promise<VerifiedAnchorEntry> {
  const { backend, network, txid, digest } = input;
  const depth = Math.max(1, Math.floor(input.depth));
  const refused = (step: AnchorProofStep, reason: string) =>
    anchorProofRefused(backend.name, txid, step, reason);
  const branch = await backend.merkleBranch(txid);
  const [rawTx, atHeight] = await Promise.all([
    backend.transaction(txid),
    backend.headerByHeight(branch.blockHeight).catch((e: unknown) => {
      if (isMedanchorError(e, 'NOT_FOUND')) return undefined;
      throw e;
    }),
  ]);
  if (atHeight === undefined || hashOf(atHeight.header) !== branch.blockHash) {
    throw refused(
      'height',
      `its best chain has no block ${branch.blockHash} at the claimed height ${branch.blockHeight}`,
    );
  }
  let proof: SpvProof;
  try {
    proof = createSpvProof({
      network: network.name,
      rawTx,
      header: atHeight.header,
      height: branch.blockHeight,
      position: branch.position,
      siblings: branch.siblings,
      txCount: branch.txCount,
      ...(input.commitment === undefined ? {} : { outputIndex: 0, commitment: input.commitment }),
    });
  } catch (e) {
    throw refused('format', isMedanchorError(e) ? e.message : 'the proof cannot be assembled');
  }
  const spv = verifyProofForWriting(proof, network, digest);
  if (!spv.ok) throw refused(spv.step, spv.reason);
  if (spv.txid !== txid) throw refused('txid', 'the transaction is not the one asked for');

  const above = await fetchHeaderRange(backend, branch.blockHeight + 1, depth - 1);
  const bad = await validateHeadersAbove(
    backend,
    network,
    { height: branch.blockHeight, header: atHeight.header },
    above.map((h) => h.header),
  );
  if (bad !== undefined) throw refused('headers', bad);
  return { entry: bitcoinAnchorEntryFromProof(proof), confirmations: 1 + above.length };
}

function hashOf(header: Uint8Array): string {
  return hashToDisplayHex(sha256d(header));
}

/** The verdict of {@link checkReorg} on a backend's claim that a block left its best chain. */
export interface ReorgEvidence {
  /** True when the backend's chain provably no longer holds the block. */
  readonly proven: boolean;
  /** In words, for events and errors. */
  readonly reason: string;
}

/**
 * Checks a backend's claim that a block left its best chain. Proven when the backend
 * has no block at that height any more and its tip (`tipHeight`, when given) is below it
 * (its chain got shorter, as after `invalidateblock`), or when the block it shows there descends from the same parent
 * and it and the headers above it (up to `depth`) validate (linkage, proof of work,
 * bits) from that parent up. Not proven when the backend still shows the block there (it contradicts itself)
 * or serves headers that do not validate.
 */
export async function checkReorg(
  backend: Backend,
  network: NetworkParams,
  block: { blockHash: string; height: number },
  depth: number,
  tipHeight?: number,
): Promise<ReorgEvidence> {
  const ours = await backend.headerByHash(block.blockHash).catch((e: unknown) => {
    if (isMedanchorError(e, 'NOT_FOUND')) return undefined;
    throw e;
  });
  const replacing = await fetchHeaderRange(backend, block.height, Math.max(1, depth));
  if (replacing.length === 0) {
    if (tipHeight !== undefined && tipHeight >= block.height) {
      return {
        proven: false,
        reason: `the backend's tip is at height ${tipHeight} but it shows no block at height ${block.height}`,
      };
    }
    return { proven: true, reason: `the backend's chain ends below height ${block.height}` };
  }
  if (replacing[0]!.hash === block.blockHash) {
    return {
      proven: false,
      reason: `the backend says the transaction is not in a block but still shows block ${block.blockHash} at height ${block.height}`,
    };
  }
  if (ours === undefined) {
    // Without our own header the fork point cannot be checked: believe only headers that validate among themselves.
    const bad = await validateHeadersAbove(
      backend,
      network,
      { height: block.height, header: replacing[0]!.header },
      replacing.slice(1).map((h) => h.header),
    );
    return bad === undefined
      ? { proven: true, reason: `block ${block.blockHash} is no longer known to the backend` }
      : { proven: false, reason: `the replacing headers fail: ${bad}` };
  }
  const parent = hashToDisplayHex(parseHeader(ours.header).prevHash);
  const first = parseHeader(replacing[0]!.header);
  if (hashToDisplayHex(first.prevHash) !== parent) {
    return {
      proven: false,
      reason: `the block shown at height ${block.height} does not fork from the anchor block's parent`,
    };
  }
  const parentHeader = await backend.headerByHash(parent);
  const bad = await validateHeadersAbove(
    backend,
    network,
    { height: block.height - 1, header: parentHeader.header },
    replacing.map((h) => h.header),
  );
  if (bad !== undefined) return { proven: false, reason: `the replacing headers fail: ${bad}` };
  return {
    proven: true,
    reason: `block ${block.blockHash} at height ${block.height} was replaced by ${replacing[0]!.hash}`,
  };
}

import type { AnchorContext, AnchorOutcome, AnchorVerifier, ReceiptAnchor } from '@medanchor/core';
import { isMedanchorError } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import type { HeaderChain } from '../bitcoin/header-chain.js';
import type { NetworkParams } from '../network/params.js';
import { bundledSchedule } from '../schedule/bundled.js';
import type { DifficultySchedule } from '../schedule/types.js';
import { type DepthFailure, proveBlockDepth } from '../spv/depth.js';
import type { DecodedSpvProof } from '../spv/proof.js';
import {
  type SpvResult,
  type SpvSuccess,
  type VerifySpvOptions,
  verifySpvProof,
} from '../spv/verify.js';
import { BITCOIN_ANCHOR_TYPE, decodeBitcoinAnchorEntry } from './entry.js';
import { plainEntry, type VerifiedEntries, verifiedEntries } from './verified-entries.js';

/** Options of {@link bitcoinAnchorVerifier}. */
export interface BitcoinAnchorVerifierOptions {
  /** The network receipts must be anchored on. */
  network: NetworkParams;
  /**
   * Backends asked for headers and whether the block is in their best chain (level 3).
   * Without any, verification stops at level 2 (SPV, offline). Use several operators so
   * no single explorer has to be trusted.
   */
  backends?: readonly Backend[];
  /** Confirmations the block needs at level 3, the block itself counting as one (default 6). */
  minConfirmations?: number;
  /** How many backends must agree that the block is deep enough (default: all of them). */
  quorum?: number;
  /**
   * Level 3 validates the headers from a point the verifier trusts (the schedule's epoch
   * hashes, a pinned header, or genesis) through the block to `minConfirmations` deep, as
   * an SPV client does. Default true; false trusts the backends' tip heights.
   */
  checkWork?: boolean;
  /** The difficulty schedule (default: bundled for the network; `null`: none). */
  schedule?: DifficultySchedule | null;
  /** Lowest height accepted at level 2 (default: the schedule's anchor floor). */
  minHeight?: number;
  /** Least work (expected hashes) of the header's target (default: `defaultMinHeaderWork`). */
  minWork?: bigint;
  /** A header the verifier trusts as a level-3 starting point, nearer than the schedule's. */
  pinned?: { height: number; header: Uint8Array };
  /** The most headers one level-3 check may fetch (default 4,200). */
  maxHeaders?: number;
}

/** What one backend said about the anchor's block, in the verifier's details. */
export interface BackendChainReport {
  /** The backend's name. */
  readonly backend: string;
  /** True when its best chain holds the validated headers through the block's depth. */
  readonly inBestChain: boolean;
  /** Its tip height minus the block height plus one (0 when not in its best chain). */
  readonly confirmations: number;
  /** Why it could not answer, or why its answer was refused. */
  readonly error?: string;
  /** Headers it served that were validated (only for the backend that served them). */
  readonly headersChecked?: number;
}

/** A verdict fact and whether verification bound it (checked) or only read it (claimed). */
export interface BoundFact<T> {
  readonly value: T;
  readonly bound: boolean;
}

/**
 * The facts of a Bitcoin anchor in `details.facts`, as core's `verifyReceipt` reads them
 * to state what was proven.
 */
export interface BitcoinAnchorFacts {
  /** `"bitcoin"`. */
  readonly chain: string;
  /** Network name; bound when its difficulty history or its trusted hashes were checked. */
  readonly network: BoundFact<string>;
  /** Block height; bound only at level 3 (validated headers). */
  readonly height: BoundFact<number>;
  /** Block time, Unix seconds; bound at level 3 on a public network. */
  readonly time: BoundFact<number>;
  /**
   * A time (Unix seconds) the record provably existed by: the block time at level 3, the end
   * of the claimed height's epoch at level 2 when the schedule knows it.
   */
  readonly notLaterThan?: number;
  /** Confirmations shown at level 3. */
  readonly confirmations?: number;
  /** Every network but mainnet: its blocks cost nothing, so it proves nothing about time. */
  readonly testNetwork: boolean;
  /** Heights the level-2 schedule check bounds the block to (its epoch), when it ran. */
  readonly epochHeights?: { readonly first: number; readonly last: number };
}

// Validated chains and backend answers live this long in one verifier (a CLI run, a page).
const ANSWER_TTL_MS = 15_000;
const MAX_CHAINS = 64;
const MAX_ANSWERS = 10_000;

interface Level3Context {
  network: NetworkParams;
  backends: readonly Backend[];
  depth: number;
  quorum: number;
  options: BitcoinAnchorVerifierOptions;
  schedule: DifficultySchedule | undefined;
  chains: HeaderChain[];
  answers: Map<string, { at: number; value: Promise<unknown> }>;
}

function blockIds(proof: DecodedSpvProof): { txid: string; blockHash: string } {
  return {
    txid: hashToDisplayHex(sha256d(proof.rawTx)),
    blockHash: hashToDisplayHex(sha256d(proof.header)),
  };
}

/**
 * Step `duplicate`: the receipt holds no other `bitcoin` entry for this entry's network. Two
 * would date the record by two blocks, and which one the verdict reports would depend on
 * their order; a receipt holds at most one per network (anchor-transaction.md section 5).
 */
function checkSingleEntry(
  anchor: ReceiptAnchor,
  context: AnchorContext,
): AnchorOutcome | undefined {
  const anchors: readonly ReceiptAnchor[] = context.receipt?.anchors ?? [];
  // One entry cannot have a second beside it (the usual receipt: one anchor per checkpoint).
  if (anchors.length <= 1) return undefined;
  const network = (anchor as { network?: unknown }).network;
  let count = 0;
  for (let i = 0; i < anchors.length; i++) {
    const a = anchors[i]!;
    if (a.type === BITCOIN_ANCHOR_TYPE && (a as { network?: unknown }).network === network) count++;
  }
  if (count <= 1) return undefined;
  return {
    ok: false,
    reason: `duplicate: the receipt has ${count} bitcoin entries for network ${typeof network === 'string' ? JSON.stringify(network) : '(none)'}; a receipt holds at most one per network`,
  };
}

/** Step `format`: the entry decodes as an SPV proof with a transaction count. */
function decodeEntry(anchor: ReceiptAnchor): DecodedSpvProof | AnchorOutcome {
  let proof: DecodedSpvProof;
  try {
    proof = decodeBitcoinAnchorEntry(anchor);
  } catch (e) {
    return { ok: false, reason: `format: ${isMedanchorError(e) ? e.message : 'unreadable entry'}` };
  }
  if (proof.txCount === undefined)
    return {
      ok: false,
      reason: 'branch-length: the entry has no txCount to check the branch length against',
    };
  return proof;
}

/** The level-2 options of a verifier, read once: its remembered verdicts depend on them. */
function offlineOptions(options: BitcoinAnchorVerifierOptions): VerifySpvOptions {
  return {
    params: options.network,
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    ...(options.minHeight === undefined ? {} : { minHeight: options.minHeight }),
    ...(options.minWork === undefined ? {} : { minWork: options.minWork }),
  };
}

/** A decoded entry with its level-2 verdict and the header's time (read once, then remembered). */
interface OfflineCheck {
  readonly proof: DecodedSpvProof;
  readonly spv: SpvResult;
  readonly time: number;
}

/** The header's time field (bytes 68-71, little-endian): Unix seconds. */
function headerTime(header: Uint8Array): number {
  return (header[68]! | (header[69]! << 8) | (header[70]! << 16) | (header[71]! << 24)) >>> 0;
}

/**
 * Steps `format` to `time`: the entry decoded and the proof checked offline (level 2). An
 * entry equal to one that passed before against the same digest is not checked again
 * (`passed` holds successes only, with a plain copy of every member of the entry).
 */
function checkOffline(
  anchor: ReceiptAnchor,
  context: AnchorContext,
  offline: VerifySpvOptions,
  passed: VerifiedEntries<OfflineCheck>,
): OfflineCheck | AnchorOutcome {
  const { digest } = context;
  const memorable = digest instanceof Uint8Array && digest.length === 32;
  if (memorable) {
    const hit = passed.get(anchor, digest);
    if (hit !== undefined) return hit;
  }
  // One read of each member: what is decoded is what is remembered.
  const plain = memorable ? plainEntry(anchor) : undefined;
  const proof = decodeEntry(plain === undefined ? anchor : (plain.copy as ReceiptAnchor));
  if ('ok' in proof) return proof;
  const spv = verifySpvProof(proof, { ...offline, expectedPayload: digest });
  const checked: OfflineCheck = { proof, spv, time: headerTime(proof.header) };
  if (spv.ok && plain !== undefined) passed.set(plain, digest, checked);
  return checked;
}

/**
 * The facts level 2 establishes: the difficulty binds the network; height and time are
 * claimed. Every call builds objects of its own (a remembered verdict serves many results),
 * as literals: no spread of optional members, in the documented member order.
 */
function offlineFacts(
  network: NetworkParams,
  proof: DecodedSpvProof,
  time: number,
  spv: SpvSuccess | undefined,
): BitcoinAnchorFacts {
  const fit = spv?.schedule;
  const testNetwork = network.name !== 'mainnet';
  if (fit === undefined)
    return {
      chain: 'bitcoin',
      network: { value: network.name, bound: false },
      height: { value: proof.height, bound: false },
      time: { value: time, bound: false },
      testNetwork,
    };
  const epochHeights = { first: fit.heights.first, last: fit.heights.last };
  if (fit.window.to === undefined)
    return {
      chain: 'bitcoin',
      network: { value: network.name, bound: true },
      height: { value: proof.height, bound: false },
      time: { value: time, bound: false },
      testNetwork,
      epochHeights,
    };
  return {
    chain: 'bitcoin',
    network: { value: network.name, bound: true },
    height: { value: proof.height, bound: false },
    time: { value: time, bound: false },
    notLaterThan: fit.window.to,
    testNetwork,
    epochHeights,
  };
}

function cached<T>(ctx: Level3Context, key: string, load: () => Promise<T>): Promise<T> {
  const hit = ctx.answers.get(key);
  if (hit !== undefined && Date.now() - hit.at < ANSWER_TTL_MS) return hit.value as Promise<T>;
  const value = load();
  if (ctx.answers.size >= MAX_ANSWERS) ctx.answers.clear();
  ctx.answers.set(key, { at: Date.now(), value });
  // A failed answer is not remembered: the next receipt asks again.
  value.catch(() => ctx.answers.delete(key));
  return value;
}

/** A validated chain of this run that already covers the block to the depth wanted. */
function knownChain(ctx: Level3Context, height: number, hash: string): HeaderChain | undefined {
  const top = height + ctx.depth - 1;
  return ctx.chains.find(
    (c) =>
      c.startHeight <= height && c.tipHeight >= top && c.hashes[height - c.startHeight] === hash,
  );
}

/** Step `chain` (headers): validated from a trusted point by the first backend that can. */
async function validatedChain(
  ctx: Level3Context,
  block: { height: number; header: Uint8Array; hash: string },
): Promise<
  { chain: HeaderChain; by?: string; fetched: number } | { failures: Map<string, DepthFailure> }
> {
  const known = knownChain(ctx, block.height, block.hash);
  if (known !== undefined) return { chain: known, fetched: 0 };
  const failures = new Map<string, DepthFailure>();
  for (const source of ctx.backends) {
    const r = await proveBlockDepth({
      params: ctx.network,
      block,
      confirmations: ctx.depth,
      source,
      ...(ctx.options.schedule === undefined ? {} : { schedule: ctx.options.schedule }),
      ...(ctx.options.pinned === undefined ? {} : { pinned: ctx.options.pinned }),
      ...(ctx.options.maxHeaders === undefined ? {} : { maxHeaders: ctx.options.maxHeaders }),
    });
    if (r.ok) {
      // A long-lived verifier (a page, a server) keeps the most recent chains only.
      if (ctx.chains.length >= MAX_CHAINS) ctx.chains.shift();
      ctx.chains.push(r.chain);
      return { chain: r.chain, by: source.name, fetched: r.fetched };
    }
    failures.set(source.name, r);
  }
  return { failures };
}

function depthReason(f: DepthFailure): string {
  return f.step === 'fetch' || f.step === 'cap' || f.step === 'checkpoint' || f.step === 'input'
    ? f.reason
    : `headers: ${f.step} at height ${f.height ?? '?'}: ${f.reason}`;
}

/** Step `chain` (best chain): does this backend's best chain hold the validated headers? */
async function askBackend(
  ctx: Level3Context,
  b: Backend,
  block: { height: number; hash: string },
  chain: HeaderChain | undefined,
): Promise<BackendChainReport> {
  const top = block.height + ctx.depth - 1;
  try {
    const [atTop, atBlock, tip] = await Promise.all([
      chain === undefined
        ? undefined
        : cached(ctx, `${b.name}@${top}`, () => b.headerByHeight(top)),
      chain === undefined
        ? cached(ctx, `${b.name}@${block.height}`, () => b.headerByHeight(block.height))
        : undefined,
      cached(ctx, `${b.name}:tip`, () => b.tip()),
    ]);
    const inBestChain =
      chain === undefined
        ? atBlock?.hash === block.hash
        : atTop?.hash === chain.hashes[top - chain.startHeight];
    const confirmations = inBestChain ? Math.max(0, tip.height - block.height + 1) : 0;
    return { backend: b.name, inBestChain, confirmations };
  } catch (e) {
    if (isMedanchorError(e, 'NOT_FOUND'))
      return { backend: b.name, inBestChain: false, confirmations: 0 };
    const error = isMedanchorError(e) ? e.code : 'the backend failed';
    return { backend: b.name, inBestChain: false, confirmations: 0, error };
  }
}

function describe(r: BackendChainReport): string {
  if (r.error !== undefined) return `${r.backend}: no answer (${r.error})`;
  return r.inBestChain
    ? `${r.backend}: ${r.confirmations} confirmations`
    : `${r.backend}: not in its best chain`;
}

/**
 * Step `chain` (tips): when fewer than a quorum of backends even claim a tip that deep, the
 * answer is known without fetching a header.
 */
async function tooShallow(
  ctx: Level3Context,
  height: number,
): Promise<(AnchorOutcome & { ok: false; details: Record<string, unknown> }) | undefined> {
  const top = height + ctx.depth - 1;
  const reports: BackendChainReport[] = await Promise.all(
    ctx.backends.map(async (b) => {
      try {
        const tip = await cached(ctx, `${b.name}:tip`, () => b.tip());
        const confirmations = Math.max(0, tip.height - height + 1);
        return { backend: b.name, inBestChain: tip.height >= height, confirmations };
      } catch (e) {
        const error = isMedanchorError(e) ? e.code : 'the backend failed';
        return { backend: b.name, inBestChain: false, confirmations: 0, error };
      }
    }),
  );
  const deepEnough = reports.filter((r) => r.error === undefined && r.confirmations >= ctx.depth);
  if (deepEnough.length >= ctx.quorum) return undefined;
  const unreachable = reports.filter((r) => r.error !== undefined).length;
  return {
    ok: false,
    // Refuted only if the backends that answered cannot make up the quorum even with the others.
    undetermined: deepEnough.length + unreachable >= ctx.quorum,
    details: { backends: reports },
    reason: `chain: ${deepEnough.length} of ${ctx.backends.length} backends have a tip ${ctx.depth} confirmations above height ${height} (${top}), ${ctx.quorum} required (${reports
      .map((r) =>
        r.error === undefined
          ? `${r.backend}: tip at ${r.confirmations} confirmations`
          : `${r.backend}: no answer (${r.error})`,
      )
      .join('; ')})`,
  };
}

/** Level 3: validated headers to the wanted depth, then a quorum of backends that agree. */
async function verifyInChain(
  ctx: Level3Context,
  proof: DecodedSpvProof,
  blockHash: string,
  facts: BitcoinAnchorFacts,
): Promise<AnchorOutcome> {
  const block = { height: proof.height, header: proof.header, hash: blockHash };
  const checkWork = ctx.options.checkWork !== false;
  const shallow = await tooShallow(ctx, block.height);
  if (shallow !== undefined) return { ...shallow, details: { ...shallow.details, facts } };
  const validated = checkWork ? await validatedChain(ctx, block) : undefined;
  if (validated !== undefined && 'failures' in validated) {
    const all = [...validated.failures.entries()];
    const undetermined = all.every(([, f]) => f.undetermined);
    return {
      ok: false,
      undetermined,
      details: { facts },
      reason: `chain: no backend showed the block ${ctx.depth} deep under a trusted checkpoint (${all
        .map(([name, f]) => `${name}: no answer (${depthReason(f)})`)
        .join('; ')})`,
    };
  }
  const chain = validated?.chain;
  const reports = (
    await Promise.all(ctx.backends.map((b) => askBackend(ctx, b, block, chain)))
  ).map((r) => (validated?.by === r.backend ? { ...r, headersChecked: validated.fetched } : r));
  const deepEnough = (r: BackendChainReport) => r.inBestChain && r.confirmations >= ctx.depth;
  const agreeing = reports.filter(deepEnough);
  const disagreement = new Set(reports.map(deepEnough)).size > 1;
  if (agreeing.length < ctx.quorum) {
    const undetermined = reports.every((r) => r.error !== undefined);
    return {
      ok: false,
      undetermined,
      details: { facts, backends: reports, disagreement },
      reason: `chain: ${agreeing.length} of ${ctx.backends.length} backends show the block with ${ctx.depth} confirmations, ${ctx.quorum} required (${reports.map(describe).join('; ')})${disagreement ? '; the backends disagree' : ''}`,
    };
  }
  const confirmations = Math.min(...agreeing.map((r) => r.confirmations));
  // Headers from a trusted point bind the height; only a public network's history binds
  // the network and the time (on regtest anyone mines any chain from genesis).
  const publicNet = ctx.schedule !== undefined;
  const chainFacts: BitcoinAnchorFacts = {
    ...facts,
    network: { value: facts.network.value, bound: publicNet && (checkWork || facts.network.bound) },
    height: { value: proof.height, bound: checkWork },
    time: { value: facts.time.value, bound: checkWork && publicNet },
    ...(checkWork && publicNet ? { notLaterThan: facts.time.value } : {}),
    confirmations,
  };
  return {
    ok: true,
    level: 3,
    details: {
      facts: chainFacts,
      confirmations,
      backends: reports,
      disagreement,
    },
  };
}

/**
 * The verifier of `bitcoin` anchors, to pass to core's `verifyReceipt`, made of named steps.
 * Level 2 (offline): the entry's OP_RETURN output carries the receipt's checkpoint digest,
 * its txid is in the block by a branch whose length fits the block's transaction count, and
 * the header fits the network's real difficulty history at the height it claims (bits, time,
 * anchor floor, work floor; past the bundled schedule only level 3 can pass). Level 3, when
 * backends are given: the headers from a trusted checkpoint through the block to
 * `minConfirmations` deep are validated (never built on the receipt's own header), and a
 * quorum of backends has them in its best chain; their answers are in `details.backends`,
 * `details.disagreement` is true when they differ. `details.facts` says which of network,
 * height and time are bound ({@link BitcoinAnchorFacts}). Never throws: a failure's reason
 * starts with its step (`duplicate`, `format`, `payload`, `branch-length`, `pow`, `bits`, `time`,
 * `floor`, `schedule`, `chain`, ...) and `undetermined` marks a check that could not be made.
 * Entries that passed level 2 are remembered (up to 1,024, with a plain copy of the entry and
 * the digest; an entry equal member by member is a hit), so the many receipts of one
 * checkpoint decode and check their shared entry once; the options are read when the
 * verifier is made.
 *
 * @example
 * ```ts
 * const anchors = createAnchorRegistry([
 *   bitcoinAnchorVerifier({ network: mainnet, backends: [esploraA, esploraB], minConfirmations: 6 }),
 * ]);
 * const result = await verifyReceipt(receipt, { anchors, requireAnchor: true });
 * ```
 */
export function bitcoinAnchorVerifier(options: BitcoinAnchorVerifierOptions): AnchorVerifier {
  const { network } = options;
  const backends = options.backends ?? [];
  const ctx: Level3Context = {
    network,
    backends,
    depth: options.minConfirmations ?? 6,
    quorum: options.quorum ?? backends.length,
    options,
    schedule:
      options.schedule === undefined
        ? bundledSchedule(network.name)
        : (options.schedule ?? undefined),
    chains: [],
    answers: new Map(),
  };
  const offline = offlineOptions(options);
  const passed = verifiedEntries<OfflineCheck>();
  return {
    type: BITCOIN_ANCHOR_TYPE,
    async verify(anchor: ReceiptAnchor, context: AnchorContext): Promise<AnchorOutcome> {
      const duplicate = checkSingleEntry(anchor, context);
      if (duplicate !== undefined) return duplicate;
      const checked = checkOffline(anchor, context, offline, passed);
      if ('ok' in checked) return checked;
      const { proof, spv, time } = checked;
      const facts = offlineFacts(network, proof, time, spv.ok ? spv : undefined);
      if (!spv.ok && !(spv.undetermined === true && backends.length > 0)) {
        return {
          ok: false,
          reason: `${spv.step}: ${spv.reason}`,
          ...(spv.undetermined === true ? { undetermined: true, details: { facts } } : {}),
        };
      }
      if (backends.length === 0 && spv.ok)
        return {
          ok: true,
          level: 2,
          details: {
            txid: spv.txid,
            blockHash: spv.blockHash,
            height: proof.height,
            network: network.name,
            facts,
          },
        };
      const ids = spv.ok ? { txid: spv.txid, blockHash: spv.blockHash } : blockIds(proof);
      if (backends.length === 0)
        return {
          ok: true,
          level: 2,
          details: { ...ids, height: proof.height, network: network.name, facts },
        };
      if (!Number.isSafeInteger(ctx.quorum) || ctx.quorum < 1 || ctx.quorum > backends.length)
        return { ok: false, reason: `chain: quorum must be from 1 to ${backends.length}` };
      const out = await verifyInChain(ctx, proof, ids.blockHash, facts);
      if (!out.ok) return out;
      return {
        ...out,
        details: { ...out.details, ...ids, height: proof.height, network: network.name },
      };
    },
  };
}

import { equalBytes } from '@medanchor/core';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { type BlockHeader, parseHeader } from '../bitcoin/header.js';
import type { HeaderChain } from '../bitcoin/header-chain.js';
import { type ParsedTransaction, parseTransaction } from '../bitcoin/transaction.js';
import type { NetworkParams } from '../network/params.js';
import { bundledSchedule, defaultMinHeaderWork } from '../schedule/bundled.js';
import { checkHeaderAgainstSchedule, type ScheduleFit } from '../schedule/rules.js';
import type { DifficultySchedule } from '../schedule/types.js';
import { txInclusion } from './inclusion.js';
import { ANCHOR_MAGIC, ANCHOR_PAYLOAD_SIZE, decodeAnchorScript } from './payload.js';
import { type DecodedSpvProof, isSpvProofShape, type SpvProof } from './proof.js';
import { isTaprootCommitment } from './taproot-commitment.js';

/**
 * The verification steps, in the order they run. `floor`, `schedule`, `bits`, `work` and
 * `time` hold the header to the network's difficulty schedule (public networks).
 */
export type SpvStep =
  | 'format'
  | 'network'
  | 'transaction'
  | 'payload'
  | 'txid'
  | 'block-hash'
  | 'branch-length'
  | 'branch'
  | 'merkle-root'
  | 'pow'
  | 'floor'
  | 'schedule'
  | 'bits'
  | 'work'
  | 'time'
  | 'chain';

/** Options of {@link verifySpvProof}. */
export interface VerifySpvOptions {
  /** The network the proof must belong to. */
  params: NetworkParams;
  /**
   * The checkpoint digest the anchor must carry: 32 bytes (the digest) or the full
   * 36-byte payload (magic and digest). Omit to accept any anchor digest (it is
   * returned in the result).
   */
  expectedPayload?: Uint8Array;
  /**
   * The difficulty schedule the header is held to. Default: the one bundled for
   * `params.name` (mainnet, testnet4, signet); `null` checks none (the result then says
   * the height and time are only claimed).
   */
  schedule?: DifficultySchedule | null;
  /** Lowest height accepted (default: the schedule's anchor floor). */
  minHeight?: number;
  /** Least work (expected hashes) of the header's target (default: `defaultMinHeaderWork`). */
  minWork?: bigint;
  /** A chain accepted by `validateHeaderChain`: enables the `chain` step (level 3). */
  headerChain?: HeaderChain;
  /** Confirmations the block needs in `headerChain` (the block itself counts as one). Default 1. */
  minConfirmations?: number;
}

/** A proof that passed every step that ran. */
export interface SpvSuccess {
  ok: true;
  /** Display-order txid of the anchor transaction. */
  txid: string;
  /** Display-order block hash. */
  blockHash: string;
  /** The height the proof claims (bound only by `schedule` to its epoch, exactly by `chain`). */
  height: number;
  /** The header's time, Unix seconds (claimed unless `schedule` bounds it). */
  time: number;
  outputIndex: number;
  /** The anchored 32-byte checkpoint digest. */
  digest: Uint8Array;
  /** Whether the branch length was checked against a transaction count. */
  txCountChecked: boolean;
  /** How the header fits the difficulty schedule, when one was checked. */
  schedule?: ScheduleFit;
  /** Confirmations in the header chain, when one was given. */
  confirmations?: number;
}

/** A proof that failed: the first failing step and why. */
export interface SpvFailure {
  ok: false;
  step: SpvStep;
  reason: string;
  /** True when nothing is wrong with the proof but the check lacked data (past the schedule). */
  undetermined?: boolean;
}

/** Verdict of {@link verifySpvProof}. */
export type SpvResult = SpvSuccess | SpvFailure;

const fail = (step: SpvStep, reason: string): SpvFailure => ({ ok: false, step, reason });

/**
 * Verifies an SPV anchor proof without throwing. Level 2 (anchor): the transaction
 * parses, is not 64 bytes, carries exactly one anchor output at `outputIndex` (with
 * the expected digest), its txid reaches the header's merkle root by a branch whose
 * length fits the block's transaction count, the header meets its own target within
 * the network's powLimit, and on a network with a difficulty schedule the header fits
 * the real history at its claimed height (floor, bits, work, time). Level 3 (chain),
 * when `headerChain` is given: the block is in that validated chain at the claimed
 * height with enough confirmations.
 *
 * @example
 * ```ts
 * const r = verifySpvProof(decodeSpvProof(json), { params: mainnet, expectedPayload: digest });
 * if (!r.ok) console.log(`anchor proof failed at ${r.step}: ${r.reason}`);
 * ```
 */
export function verifySpvProof(
  proof: SpvProof | DecodedSpvProof,
  options: VerifySpvOptions,
): SpvResult {
  try {
    return verifySteps(proof, options);
  } catch (e) {
    // Only malformed options (for example network parameters that are not data) get here.
    return fail('format', `verification could not run: ${(e as Error).message}`);
  }
}

function verifySteps(proof: SpvProof | DecodedSpvProof, options: VerifySpvOptions): SpvResult {
  if (!isSpvProofShape(proof))
    return fail('format', 'the proof members have the wrong types or sizes');
  const networkFail = checkNetwork(proof, options.params);
  if (networkFail) return networkFail;
  const tx = checkTransaction(proof.rawTx);
  if (!('outputs' in tx)) return tx;
  const digest =
    proof.commitment === undefined
      ? checkPayload(tx, proof.outputIndex, options.expectedPayload)
      : checkTweak(tx, proof.outputIndex, proof.commitment.internalKey, options.expectedPayload);
  if (!(digest instanceof Uint8Array)) return digest;
  const ids = checkDeclaredIds(proof);
  if ('ok' in ids) return ids;
  const inclusion = checkInclusion(proof, ids, options.params);
  if (inclusion) return inclusion;
  const header = parseHeader(proof.header);
  const schedule = checkSchedule(header, proof.height, options);
  if (schedule !== undefined && !schedule.ok) return schedule;

  const result: SpvSuccess = {
    ok: true,
    txid: ids.txid,
    blockHash: ids.blockHash,
    height: proof.height,
    time: header.time,
    outputIndex: proof.outputIndex,
    digest,
    txCountChecked: proof.txCount !== undefined,
    ...(schedule === undefined ? {} : { schedule }),
  };
  if (options.headerChain !== undefined) {
    const confirmations = checkInChain(
      options.headerChain,
      options.params,
      proof.height,
      ids.blockHash,
      options.minConfirmations ?? 1,
    );
    if (typeof confirmations === 'string') return fail('chain', confirmations);
    result.confirmations = confirmations;
  }
  return result;
}

/** Step `network`: the proof names the network being verified. */
function checkNetwork(proof: SpvProof, params: NetworkParams): SpvFailure | undefined {
  if (proof.network === params.name) return undefined;
  return fail(
    'network',
    `proof is for network "${proof.network}" but verifying on "${params.name}"`,
  );
}

/** Step `transaction`: a legacy-serialised transaction that cannot pass for a merkle node. */
function checkTransaction(rawTx: Uint8Array): ParsedTransaction | SpvFailure {
  let tx: ParsedTransaction;
  try {
    tx = parseTransaction(rawTx);
  } catch (e) {
    return fail('transaction', `the transaction does not parse: ${(e as Error).message}`);
  }
  if (tx.hasWitness) return fail('transaction', 'rawTx must be the non-witness serialization');
  // A 64-byte "transaction" could be two concatenated merkle nodes: refuse the ambiguity.
  if (rawTx.length === 64)
    return fail(
      'transaction',
      'a 64-byte transaction is indistinguishable from an inner merkle node',
    );
  return tx;
}

/** Step `payload`: exactly one anchor output, at `outputIndex`, carrying the expected digest. */
function checkPayload(
  tx: ParsedTransaction,
  outputIndex: number,
  expectedPayload: Uint8Array | undefined,
): Uint8Array | SpvFailure {
  const output = tx.outputs[outputIndex];
  if (output === undefined)
    return fail('payload', 'outputIndex does not name an output of the transaction');
  const digest = decodeAnchorScript(output.script);
  if (digest === undefined)
    return fail(
      'payload',
      'the output is not OP_RETURN with a 36-byte "MDA1" anchor payload or a bare 32-byte digest',
    );
  const anchors = tx.outputs.filter((o) => decodeAnchorScript(o.script) !== undefined).length;
  if (anchors !== 1)
    return fail('payload', `the transaction has ${anchors} anchor outputs; the format allows one`);
  if (expectedPayload === undefined) return digest;
  const expected = expectedDigest(expectedPayload);
  if (expected === undefined)
    return fail(
      'payload',
      'expectedPayload must be a 32-byte digest or a 36-byte payload starting with the magic',
    );
  if (!equalBytes(expected, digest))
    return fail('payload', 'the anchored digest is not the expected checkpoint digest');
  return digest;
}

/**
 * Step `payload` of a taproot commitment: the output at `outputIndex` is the P2TR output
 * of `internalKey` tweaked by the expected digest (which cannot be read back from it).
 */
function checkTweak(
  tx: ParsedTransaction,
  outputIndex: number,
  internalKey: Uint8Array,
  expectedPayload: Uint8Array | undefined,
): Uint8Array | SpvFailure {
  const output = tx.outputs[outputIndex];
  if (output === undefined)
    return fail('payload', 'outputIndex does not name an output of the transaction');
  const expected = expectedPayload === undefined ? undefined : expectedDigest(expectedPayload);
  if (expected === undefined)
    return fail(
      'payload',
      'a p2tr-tweak commitment can only be checked against the expected checkpoint digest: pass it',
    );
  if (!isTaprootCommitment(output.script, internalKey, expected))
    return fail(
      'payload',
      'the output is not the P2TR output of the internal key tweaked by the expected checkpoint digest',
    );
  return expected;
}

/** Steps `txid` and `block-hash`: declared ids, if any, are the hashes of the bytes. */
function checkDeclaredIds(
  proof: SpvProof | DecodedSpvProof,
):
  | { txidInternal: Uint8Array; txid: string; headerHash: Uint8Array; blockHash: string }
  | SpvFailure {
  const txidInternal = sha256d(proof.rawTx);
  const txid = hashToDisplayHex(txidInternal);
  const declared = proof as DecodedSpvProof;
  if (declared.declaredTxid !== undefined && declared.declaredTxid !== txid)
    return fail('txid', 'the declared txid is not the hash of rawTx');
  const headerHash = sha256d(proof.header);
  const blockHash = hashToDisplayHex(headerHash);
  if (declared.declaredBlockHash !== undefined && declared.declaredBlockHash !== blockHash)
    return fail('block-hash', 'the declared block hash is not the hash of the header');
  return { txidInternal, txid, headerHash, blockHash };
}

/** Steps `branch-length`, `branch`, `merkle-root`, `pow`: the txid is in a block with work. */
function checkInclusion(
  proof: SpvProof,
  ids: { txidInternal: Uint8Array; headerHash: Uint8Array },
  params: NetworkParams,
): SpvFailure | undefined {
  // The header was hashed for its block hash: that hash serves the proof of work too.
  const inclusion = txInclusion(
    {
      txid: ids.txidInternal,
      position: proof.position,
      branch: proof.branch,
      header: proof.header,
      ...(proof.txCount === undefined ? {} : { txCount: proof.txCount }),
    },
    params,
    ids.headerHash,
  );
  return inclusion.ok ? undefined : fail(inclusion.step, inclusion.reason);
}

/** Steps `floor` to `time`: the header against the network's real difficulty history. */
function checkSchedule(
  header: BlockHeader,
  height: number,
  options: VerifySpvOptions,
): ScheduleFit | SpvFailure | undefined {
  const schedule =
    options.schedule === undefined ? bundledSchedule(options.params.name) : options.schedule;
  if (schedule === null || schedule === undefined) return undefined;
  const r = checkHeaderAgainstSchedule(header, height, schedule, {
    ...(options.minHeight === undefined ? {} : { minHeight: options.minHeight }),
    minWork: options.minWork ?? defaultMinHeaderWork(options.params.name),
  });
  if (r.ok) return r;
  return { ...fail(r.step, r.reason), ...(r.undetermined ? { undetermined: true } : {}) };
}

function expectedDigest(p: Uint8Array): Uint8Array | undefined {
  if (!(p instanceof Uint8Array)) return undefined;
  if (p.length === 32) return p;
  if (p.length === ANCHOR_PAYLOAD_SIZE && equalBytes(p.subarray(0, 4), ANCHOR_MAGIC))
    return p.subarray(4);
  return undefined;
}

/** Step `chain`: confirmations of `blockHash` at `height` in `chain`, or why it is not there. */
function checkInChain(
  chain: HeaderChain,
  params: NetworkParams,
  height: number,
  blockHash: string,
  minConfirmations: number,
): number | string {
  if (typeof chain !== 'object' || chain === null || !Array.isArray(chain.hashes)) {
    return 'headerChain must be the chain returned by validateHeaderChain';
  }
  if (chain.network !== params.name) return `the header chain is for network "${chain.network}"`;
  if (height < chain.startHeight || height > chain.tipHeight) {
    return `height ${height} is outside the header chain (${chain.startHeight}..${chain.tipHeight})`;
  }
  if (chain.hashes[height - chain.startHeight] !== blockHash) {
    return `the block is not the header chain's block at height ${height} (stale, reorganised or wrong height)`;
  }
  const confirmations = chain.tipHeight - height + 1;
  if (confirmations < minConfirmations) {
    return `the block has ${confirmations} confirmations; ${minConfirmations} required`;
  }
  return confirmations;
}

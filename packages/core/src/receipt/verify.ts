import { fromHex, toHex } from '../bytes.js';
import { isMedanchorError } from '../errors.js';
import { verifyConsistency } from '../merkle/index.js';
import type { AnchorRegistry, AnchorVerifier } from './anchors.js';
import type { Checkpoint } from './checkpoint.js';
import { parseReceipt, readReceiptForm } from './parse.js';
import type { Receipt, ReceiptCheckpoint } from './receipt.js';
import { readCheckpointNoteOf } from './signed-checkpoint.js';
import type { TrustChecker } from './trust.js';
import {
  checkpointDigestMatches,
  commitmentMatches,
  contentMatches,
  inclusionMatches,
} from './verify-fast.js';

/**
 * The step of receipt verification that failed, in the order they run:
 * `parse` (shape and version), `content` (record bytes vs digest), `commitment`
 * (salt + digest vs commitment), `checkpoint` (digest of origin, size, root; tree size),
 * `inclusion` (commitment in the checkpoint's tree), `consistency` (carry to a later
 * checkpoint), `signature` (the signed checkpoint against a trust policy), `anchor`
 * (anchor verifiers).
 */
export type ReceiptStep =
  | 'parse'
  | 'content'
  | 'commitment'
  | 'checkpoint'
  | 'inclusion'
  | 'consistency'
  | 'signature'
  | 'anchor';

/** How one anchor of the receipt fared. */
export interface AnchorCheck {
  /** Position in `receipt.anchors`. */
  readonly index: number;
  /** The anchor's type. */
  readonly type: string;
  /** `skipped` when no verifier for the type was given. */
  readonly status: 'verified' | 'failed' | 'skipped';
  /** Level reached when verified. */
  readonly level?: number;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** True when it failed because the check could not be made (backend down, data missing). */
  readonly undetermined?: boolean;
  /** Facts reported by the verifier. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A fact of a verdict, and whether verification bound it (checked) or only read it (claimed). */
export interface VerdictFact<T> {
  readonly value: T;
  /** True when a check ties the value to the proof; false when the receipt only claims it. */
  readonly bound: boolean;
}

/**
 * What an anchor verifier established about where and when (anchor `details.facts`; the
 * Bitcoin verifier reports them). Times are Unix seconds.
 */
export interface AnchorFacts {
  /** The ledger, e.g. `"bitcoin"`. */
  readonly chain: string;
  /** Network, e.g. `mainnet`. */
  readonly network: VerdictFact<string>;
  /** Block height. */
  readonly height: VerdictFact<number>;
  /** Block time. */
  readonly time: VerdictFact<number>;
  /** The time by which the record provably existed, when one is bound. */
  readonly notLaterThan?: number;
  /** Confirmations shown, at level 3. */
  readonly confirmations?: number;
  /** A test network: its blocks cost nothing, so it proves nothing about time. */
  readonly testNetwork: boolean;
}

/** A receipt that verified. */
export interface ReceiptVerified {
  /** Discriminant. */
  readonly ok: true;
  /** Highest level reached: 1 (Merkle) unless an anchor verified at a higher one. */
  readonly level: number;
  /** The parsed receipt. */
  readonly receipt: Receipt;
  /** True when the record bytes were given and matched; false when only the commitment was checked. */
  readonly contentChecked: boolean;
  /** Hex digest of the anchored checkpoint (what an anchor must commit to). */
  readonly anchoredDigest: string;
  /** One entry per anchor, in receipt order (empty for `verifyReceiptMerkle`). */
  readonly anchors: readonly AnchorCheck[];
  /** The log the record is in (bound: the checkpoint digest commits to it). */
  readonly origin: string;
  /**
   * The signature check of the anchored checkpoint, when a trust policy was given: the log
   * key that signed (`name+keyid`) and the listed witnesses that cosigned.
   */
  readonly signature?: {
    readonly logKey: string;
    readonly cosigners: readonly { readonly name: string; readonly timestamp?: bigint }[];
  };
  /** Where and when, from the verified anchor of the highest level that reports facts. */
  readonly facts?: AnchorFacts;
  /**
   * What was proven, in words: "existed no later than <UTC> (block <h> on Bitcoin <network>,
   * <k> confirmations), in log <origin>"; claimed values are said to be claimed, and test
   * networks are labelled "test network: proves nothing about time".
   */
  readonly statement: string;
}

/** A receipt that did not verify, with the step that failed and why. */
export interface ReceiptRejected {
  /** Discriminant. */
  readonly ok: false;
  /** The failing step. */
  readonly step: ReceiptStep;
  /** Why, in words (never secrets). */
  readonly reason: string;
  /** Anchor results, when the failure is at the `anchor` step. */
  readonly anchors?: readonly AnchorCheck[];
  /**
   * True when every failed anchor check could not be made (a backend down, a block past the
   * bundled schedule) rather than refuted: the receipt may be good, it is not proven.
   */
  readonly undetermined?: boolean;
}

/** Result of receipt verification. Verification never throws on bad input. */
export type ReceiptVerification = ReceiptVerified | ReceiptRejected;

/** Options of {@link verifyReceiptMerkle}. */
export interface VerifyReceiptMerkleOptions {
  /** The record bytes; when given, their SHA-256 must equal `record.digest`. */
  content?: Uint8Array;
  /**
   * Which keys may sign which log and how many witnesses must cosign, as made by
   * `trustPolicy(policy)`. When given, the anchored checkpoint must carry a signed note that
   * satisfies it (step `signature`); when absent, signatures are not checked (old receipts
   * have none). A checker object keeps Ed25519 out of bundles that never check signatures.
   */
  trust?: TrustChecker;
}

/** Options of {@link verifyReceipt}. */
export interface VerifyReceiptOptions extends VerifyReceiptMerkleOptions {
  /** Anchor verifiers, as a registry or a list (one per type). */
  anchors?: AnchorRegistry | readonly AnchorVerifier[];
  /**
   * Fail unless at least one anchor verifies at level 2 or more (default false: level 1 is
   * enough). A pending attestation, reported verified at level 1, does not count.
   */
  requireAnchor?: boolean;
}

function reject(step: ReceiptStep, reason: string): ReceiptRejected {
  return { ok: false, step, reason };
}

function toCheckpoint(cp: ReceiptCheckpoint): Checkpoint {
  return { origin: cp.origin, size: cp.size, root: fromHex(cp.root) };
}

// The checkpoint an audit meets receipt after receipt, decoded once: its digest and
// root as bytes (each anchor context gets copies of its own).
let anchoredHex = '';
let anchoredBytes: Uint8Array = new Uint8Array(0);
let anchoredRootHex = '';
let anchoredRoot: Uint8Array = new Uint8Array(0);

function checkCheckpoint(cp: ReceiptCheckpoint, path: string): string | undefined {
  if (cp.note === undefined) {
    return checkpointDigestMatches(cp)
      ? undefined
      : `${path}.digest is not the tagged digest of its origin, size and root`;
  }
  let digest: Uint8Array;
  try {
    digest = readCheckpointNoteOf(toCheckpoint(cp), cp.note).digest;
  } catch (e) {
    return `${path}.note is not a signed note of this checkpoint: ${isMedanchorError(e) ? e.message : 'unreadable'}`;
  }
  return toHex(digest) === cp.digest
    ? undefined
    : `${path}.digest is not the digest of its signed note and log key`;
}

/** Step `signature`: with a trust policy, the anchored checkpoint is signed as the policy asks. */
function checkSignature(
  receipt: Receipt,
  anchored: ReceiptCheckpoint,
  trust: TrustChecker | undefined,
): ReceiptRejected | NonNullable<ReceiptVerified['signature']> | undefined {
  if (trust === undefined) return undefined;
  if (typeof (trust as Partial<TrustChecker>).check !== 'function') {
    return reject('signature', 'options.trust must be made by trustPolicy(policy)');
  }
  if (anchored.note === undefined) {
    return reject(
      'signature',
      `the checkpoint of log ${anchored.origin} is not signed, and the trust policy requires a signature by the log's key`,
    );
  }
  // A signed own checkpoint under a carry must be trusted too: it is what the proof starts from.
  const own = receipt.checkpoint;
  if (own !== anchored && own.note !== undefined) {
    const first = trust.check(own.note);
    if (!first.ok) return reject('signature', `checkpoint: ${first.reason}`);
  }
  const r = trust.check(anchored.note);
  if (!r.ok) return reject('signature', r.reason);
  return { logKey: r.logKey, cosigners: r.cosigners };
}

/**
 * Level 1 verification, synchronous: record -> commitment -> inclusion in the
 * checkpoint (-> consistency with the later checkpoint, if carried). Anchors are not
 * looked at. Accepts JSON text, UTF-8 bytes or an object.
 *
 * @example
 * ```ts
 * const r = verifyReceiptMerkle(receiptJson, { content: recordBytes });
 * if (!r.ok) console.log(`failed at ${r.step}: ${r.reason}`);
 * ```
 */
export function verifyReceiptMerkle(
  input: unknown,
  options: VerifyReceiptMerkleOptions = {},
): ReceiptVerification {
  const level1 = checkLevel1(input, options);
  if ('ok' in level1) return level1;
  const { receipt, anchored, signature } = level1;
  return {
    ok: true,
    level: 1,
    receipt,
    contentChecked: options.content !== undefined,
    anchoredDigest: anchored.digest,
    anchors: [],
    origin: anchored.origin,
    ...(signature === undefined ? {} : { signature }),
    statement: signedStatement(
      statementOf(anchored.origin, 1, undefined, anchored.size),
      signature,
    ),
  };
}

/** What level 1 established, before any result is built (verifyReceipt builds its own). */
interface Level1 {
  readonly receipt: Receipt;
  readonly anchored: ReceiptCheckpoint;
  readonly signature: ReceiptVerified['signature'];
}

/** Level 1's steps: the rejection of the first that fails, or what they established. */
function checkLevel1(
  input: unknown,
  options: VerifyReceiptMerkleOptions,
): Level1 | ReceiptRejected {
  // Hashes are read once: as 64-character strings here, as lowercase hex by the checks
  // (which refuse anything else). Any failure asks the full parse first, so a malformed
  // receipt is reported at step parse exactly as parseReceipt words it.
  let receipt: Receipt;
  try {
    receipt = readReceiptForm(input);
  } catch {
    return parseFailure(input) ?? reject('parse', 'receipt could not be read');
  }
  const failure =
    checkContent(options.content, receipt.record.digest) ??
    checkCommitment(receipt) ??
    checkTree(receipt) ??
    checkInclusion(receipt);
  if (failure !== undefined) return parseFailure(input) ?? failure;
  const anchored = checkCarry(receipt);
  if ('ok' in anchored) return parseFailure(input) ?? anchored;
  const signature = checkSignature(receipt, anchored, options.trust);
  if (signature !== undefined && 'ok' in signature) return parseFailure(input) ?? signature;
  return { receipt, anchored, signature };
}

/** The parse failure of `input` as parseReceipt reports it, or undefined when it parses. */
function parseFailure(input: unknown): ReceiptRejected | undefined {
  try {
    parseReceipt(input);
    return undefined;
  } catch (e) {
    return reject('parse', isMedanchorError(e) ? e.message : 'receipt could not be read');
  }
}

/** Step `content`: the given record bytes hash to `record.digest`. */
function checkContent(content: unknown, digestHex: string): ReceiptRejected | undefined {
  if (content === undefined) return undefined;
  if (!(content instanceof Uint8Array))
    return reject('content', 'content must be a Uint8Array of the record bytes');
  if (!contentMatches(content, digestHex))
    return reject('content', 'the SHA-256 of the given content is not record.digest');
  return undefined;
}

/** Step `commitment`: salt and digest make the commitment. */
function checkCommitment(receipt: Receipt): ReceiptRejected | undefined {
  const { salt, digest, commitment } = receipt.record;
  if (commitmentMatches(salt, digest, commitment)) return undefined;
  return reject(
    'commitment',
    'record.commitment is not the commitment of record.salt and record.digest',
  );
}

/** Step `checkpoint`: the digest is that of origin, size and root, and the sizes agree. */
function checkTree(receipt: Receipt): ReceiptRejected | undefined {
  const cpError = checkCheckpoint(receipt.checkpoint, 'checkpoint');
  if (cpError !== undefined) return reject('checkpoint', cpError);
  if (receipt.treeSize !== receipt.checkpoint.size)
    return reject('checkpoint', 'treeSize differs from checkpoint.size');
  return undefined;
}

/** Step `inclusion`: the commitment's leaf reaches the checkpoint's root. */
function checkInclusion(receipt: Receipt): ReceiptRejected | undefined {
  if (receipt.leafIndex >= receipt.treeSize)
    return reject('inclusion', 'leafIndex is not below treeSize');
  let included = false;
  try {
    included = inclusionMatches(
      receipt.record.commitment,
      receipt.leafIndex,
      receipt.treeSize,
      receipt.inclusionProof,
      receipt.checkpoint.root,
    );
  } catch {
    included = false;
  }
  if (included) return undefined;
  return reject(
    'inclusion',
    'the inclusion proof does not lead from the commitment to checkpoint.root',
  );
}

/** Step `consistency`: a carried receipt's later checkpoint extends its own; the one anchored. */
function checkCarry(receipt: Receipt): ReceiptCheckpoint | ReceiptRejected {
  if (receipt.carry === undefined) return receipt.checkpoint;
  const later = receipt.carry.checkpoint;
  const laterError = checkCheckpoint(later, 'carry.checkpoint');
  if (laterError !== undefined) return reject('checkpoint', laterError);
  if (later.origin !== receipt.checkpoint.origin)
    return reject('consistency', 'carry.checkpoint is for another log (origin differs)');
  if (later.size < receipt.checkpoint.size)
    return reject('consistency', 'carry.checkpoint is smaller than checkpoint');
  let consistent = false;
  try {
    consistent = verifyConsistency(
      receipt.checkpoint.size,
      later.size,
      receipt.carry.consistencyProof.map((h) => fromHex(h)),
      fromHex(receipt.checkpoint.root),
      fromHex(later.root),
    );
  } catch {
    consistent = false;
  }
  if (consistent) return later;
  return reject(
    'consistency',
    'the consistency proof does not link checkpoint to carry.checkpoint',
  );
}

/** The statement with who signed the checkpoint, when a trust policy checked it. */
function signedStatement(statement: string, sig: ReceiptVerified['signature']): string {
  if (sig === undefined) return statement;
  const by = sig.cosigners.map((c) => c.name).join(', ');
  return `${statement}; checkpoint signed by trusted key ${sig.logKey}${by === '' ? '' : ` and cosigned by ${by}`}`;
}

// The last time written: an audit of one checkpoint's receipts states the same block time.
let utcTime = Number.NaN;
let utcText = '';
const utc = (t: number): string => {
  if (t !== utcTime) {
    utcText = `${new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    utcTime = t;
  }
  return utcText;
};

function isFact(f: unknown, type: 'string' | 'number'): boolean {
  const o = f as VerdictFact<unknown> | undefined;
  return (
    typeof o === 'object' && o !== null && typeof o.value === type && typeof o.bound === 'boolean'
  );
}

/** The facts of a verified anchor check, when it reports them in the documented shape. */
function factsOf(check: AnchorCheck): AnchorFacts | undefined {
  const f = check.details?.['facts'] as AnchorFacts | undefined;
  if (typeof f !== 'object' || f === null) return undefined;
  if (!isFact(f.network, 'string') || !isFact(f.height, 'number') || !isFact(f.time, 'number'))
    return undefined;
  return f;
}

/**
 * The sentence of a verdict: the time the record existed by, where, and in which log; what is
 * only claimed says so.
 */
export function statementOf(
  origin: string,
  level: number,
  facts: AnchorFacts | undefined,
  size?: number,
): string {
  if (facts === undefined || level < 2)
    return `is in log ${origin}${size === undefined ? '' : ` (checkpoint of ${size} records)`}; no anchor verified, so no time is proven`;
  const net = `${facts.chain === 'bitcoin' ? 'Bitcoin' : facts.chain} ${facts.network.value}${facts.network.bound ? '' : ' (claimed)'}`;
  const test = facts.testNetwork ? ' (test network: proves nothing about time)' : '';
  const block = facts.height.bound
    ? `block ${facts.height.value} on ${net}${facts.confirmations === undefined ? '' : `, ${facts.confirmations} confirmations`}`
    : `block claimed at height ${facts.height.value} on ${net}, not checked against the chain`;
  if (facts.notLaterThan !== undefined)
    return `existed no later than ${utc(facts.notLaterThan)} (${block}), in log ${origin}${test}`;
  return `existed no later than ${utc(facts.time.value)} as the block claims, time not bound (${block}), in log ${origin}${test}`;
}

function findVerifier(
  anchors: VerifyReceiptOptions['anchors'],
  type: string,
): AnchorVerifier | undefined {
  if (anchors === undefined) return undefined;
  if ('get' in anchors && typeof anchors.get === 'function' && !Array.isArray(anchors)) {
    return (anchors as AnchorRegistry).get(type);
  }
  const list = anchors as readonly AnchorVerifier[];
  for (let i = 0; i < list.length; i++) if (list[i]!.type === type) return list[i];
  return undefined;
}

/**
 * Verifies a receipt: level 1 (see {@link verifyReceiptMerkle}), then every anchor
 * whose type has a verifier in `options.anchors`. Anchors without a verifier are
 * reported as skipped. Never throws: a verifier that throws counts as failed.
 *
 * @example
 * ```ts
 * const r = await verifyReceipt(receipt, { content: recordBytes });
 * if (r.ok) console.log(`level ${r.level}`);
 * else console.log(`failed at ${r.step}: ${r.reason}`);
 * ```
 */
export async function verifyReceipt(
  input: unknown,
  options: VerifyReceiptOptions = {},
): Promise<ReceiptVerification> {
  // Level 1 without its own result: the result below is built once, with its statement.
  const level1 = checkLevel1(input, options);
  if ('ok' in level1) return level1;
  const { receipt, anchored, signature } = level1;
  const cp = anchored;
  // An audit meets one checkpoint receipt after receipt: its digest is decoded once, and
  // each context gets a copy of its own.
  if (cp.digest !== anchoredHex) {
    anchoredBytes = fromHex(cp.digest);
    anchoredHex = cp.digest;
  }
  if (cp.root !== anchoredRootHex) {
    anchoredRoot = fromHex(cp.root);
    anchoredRootHex = cp.root;
  }
  const checkpoint: Checkpoint = { origin: cp.origin, size: cp.size, root: anchoredRoot.slice() };
  const context = { checkpoint, digest: anchoredBytes.slice(), receipt };
  const checks: AnchorCheck[] = [];
  let level = 1;
  for (let index = 0; index < receipt.anchors.length; index++) {
    const anchor = receipt.anchors[index]!;
    const verifier = findVerifier(options.anchors, anchor.type);
    if (verifier === undefined) {
      checks.push({
        index,
        type: anchor.type,
        status: 'skipped',
        reason: 'no verifier for this type',
      });
      continue;
    }
    try {
      const out = await verifier.verify(anchor, context);
      if (out.ok) {
        level = Math.max(level, out.level);
        checks.push(
          out.details === undefined
            ? { index, type: anchor.type, status: 'verified', level: out.level }
            : {
                index,
                type: anchor.type,
                status: 'verified',
                level: out.level,
                details: out.details,
              },
        );
      } else {
        checks.push({
          index,
          type: anchor.type,
          status: 'failed',
          reason: out.reason,
          ...(out.undetermined === true ? { undetermined: true } : {}),
          ...(out.details === undefined ? {} : { details: out.details }),
        });
      }
    } catch (e) {
      const reason = isMedanchorError(e) ? `${e.code}: ${e.message}` : 'the anchor verifier threw';
      checks.push({ index, type: anchor.type, status: 'failed', reason });
    }
  }
  let failed: AnchorCheck | undefined;
  let undetermined = true;
  for (const c of checks) {
    if (c.status !== 'failed') continue;
    failed ??= c;
    if (c.undetermined !== true) undetermined = false;
  }
  if (failed !== undefined) {
    return {
      ok: false,
      step: 'anchor',
      reason: `anchor ${failed.index} (${failed.type}) ${undetermined ? 'could not be checked' : 'failed'}: ${failed.reason}`,
      anchors: checks,
      ...(undetermined ? { undetermined: true } : {}),
    };
  }
  // A level-1 check (a pending calendar attestation) proves no time: it does not count.
  if (
    options.requireAnchor === true &&
    !checks.some((c) => c.status === 'verified' && (c.level ?? 0) >= 2)
  ) {
    return {
      ok: false,
      step: 'anchor',
      reason:
        'no anchor verified: pass a verifier for the receipt anchor types, or wait for the anchor to confirm',
      anchors: checks,
    };
  }
  // The facts of the highest verified level (the first such check on a tie).
  let facts: AnchorFacts | undefined;
  let bestLevel = -1;
  for (const c of checks) {
    if (c.status !== 'verified' || (c.level ?? 0) <= bestLevel) continue;
    const f = factsOf(c);
    if (f === undefined) continue;
    facts = f;
    bestLevel = c.level ?? 0;
  }
  // Members in the order verifyReceiptMerkle gives them, facts last when there are any.
  const statement = signedStatement(statementOf(anchored.origin, level, facts, cp.size), signature);
  const contentChecked = options.content !== undefined;
  const { digest: anchoredDigest, origin } = anchored;
  const verified: ReceiptVerified =
    signature === undefined
      ? {
          ok: true,
          level,
          receipt,
          contentChecked,
          anchoredDigest,
          anchors: checks,
          origin,
          statement,
        }
      : {
          ok: true,
          level,
          receipt,
          contentChecked,
          anchoredDigest,
          anchors: checks,
          origin,
          signature,
          statement,
        };
  if (facts !== undefined) (verified as { facts?: AnchorFacts }).facts = facts;
  return verified;
}

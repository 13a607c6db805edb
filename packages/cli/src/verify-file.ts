import {
  type Backend,
  bitcoinAnchorVerifier,
  type NetworkParams,
  networkByName,
} from '@medanchor/chain';
import {
  type AnchorCheck,
  type AnchorFacts,
  type AnchorVerifier,
  looksLikeTombstone,
  type ReceiptVerification,
  statementOf,
  type TrustPolicy,
  toHex,
  trustPolicy,
  verifyReceipt,
} from '@medanchor/core';
import type { ResolvedConfig } from './config.js';
import { fileDigest } from './file-digest.js';
import { forgottenVerdict } from './forgotten-verdict.js';
import { readReceiptFile } from './read-json.js';
import { backendFor } from './workspace.js';

/** One level of a verdict, as printed and as `--json` reports it. */
export interface LevelReport {
  level: 1 | 2 | 3;
  name: string;
  /** `could-not-check`: the check could not be made (backend down, block past the schedule). */
  status: 'pass' | 'fail' | 'not-checked' | 'could-not-check';
  detail: string;
  step?: string;
}

/** The verdict on one file and its receipt. */
export interface FileVerdict {
  /** False when a check refuted the file or its proof (tampering, a wrong proof). */
  valid: boolean;
  /** Highest level that passed (0 when level 1 failed). */
  reached: number;
  levels: LevelReport[];
  /** The log the receipt names, once level 1 passed. */
  origin?: string;
  /** Network, height and time of the anchor, each bound or claimed. */
  facts?: AnchorFacts;
  /** What was proven, in words (see core's `statementOf`). */
  statement?: string;
  /** Set when the receipt was replaced by a tombstone: the record was erased then (RFC 3339). */
  forgottenAt?: string;
}

/** How {@link verifyFile} checks. */
export interface VerifyFileOptions {
  config: ResolvedConfig;
  /** The network was named explicitly (flag or environment): do not take the receipt's. */
  explicitNetwork: boolean;
  offline: boolean;
  confirmations: number;
}

const LEVEL_NAMES = {
  1: 'record and Merkle proof',
  2: 'Bitcoin transaction and proof of work',
  3: 'block in the best chain',
} as const;

function report(
  level: 1 | 2 | 3,
  status: LevelReport['status'],
  detail: string,
  step?: string,
): LevelReport {
  return {
    level,
    name: LEVEL_NAMES[level],
    status,
    detail,
    ...(step === undefined ? {} : { step }),
  };
}

function bitcoinNetworkOf(receipt: unknown): string | undefined {
  const anchors = (receipt as { anchors?: unknown })?.anchors;
  if (!Array.isArray(anchors)) return undefined;
  const b = anchors.find((a) => (a as { type?: unknown })?.type === 'bitcoin') as
    | { network?: unknown }
    | undefined;
  return typeof b?.network === 'string' ? b.network : undefined;
}

function anchorFailure(r: ReceiptVerification): { step: string; reason: string } | undefined {
  if (r.ok) return undefined;
  const failed = r.anchors?.find((a: AnchorCheck) => a.status === 'failed');
  const reason = failed?.reason ?? r.reason;
  return { step: reason.split(':')[0] ?? r.step, reason };
}

function factsOf(r: ReceiptVerification): AnchorFacts | undefined {
  if (r.ok) return r.facts;
  const f = r.anchors?.find((a) => a.details?.['facts'] !== undefined)?.details?.['facts'];
  return f as AnchorFacts | undefined;
}

// The verifiers of one command run (its resolved config), by network: files share their
// backends and the headers validated for one receipt, never a verdict (each receipt is
// checked at its own height).
interface RunVerifiers {
  offline: AnchorVerifier;
  online?: AnchorVerifier;
  backends: Backend[];
}
const runs = new WeakMap<ResolvedConfig, Map<string, RunVerifiers>>();

function verifiersOf(
  config: ResolvedConfig,
  network: NetworkParams,
  confirmations: number,
): RunVerifiers {
  let byNet = runs.get(config);
  if (byNet === undefined) {
    byNet = new Map();
    runs.set(config, byNet);
  }
  const key = `${network.name}:${confirmations}`;
  let v = byNet.get(key);
  if (v === undefined) {
    const backends = config.backends.map((b) => backendFor({ ...config, network, backend: b }));
    v = {
      offline: bitcoinAnchorVerifier({ network }),
      backends,
      ...(backends.length === 0
        ? {}
        : {
            online: bitcoinAnchorVerifier({
              network,
              backends,
              quorum: config.quorum,
              minConfirmations: confirmations,
            }),
          }),
    };
    byNet.set(key, v);
  }
  return v;
}

/** Level 1: the file's digest (streamed, any size) and the receipt's Merkle proof. */
async function checkLevel1(
  receipt: unknown,
  digest: Uint8Array,
  trust: TrustPolicy | undefined,
): Promise<{ report: LevelReport; origin?: string; size?: number }> {
  // With a trust policy (config key `trust`), the checkpoint's signature is part of level 1.
  const merkle = await verifyReceipt(
    receipt,
    trust === undefined ? {} : { trust: trustPolicy(trust) },
  );
  if (!merkle.ok) return { report: report(1, 'fail', merkle.reason, merkle.step) };
  if (merkle.receipt.record.digest !== toHex(digest))
    return {
      report: report(
        1,
        'fail',
        'the file does not match the digest in the receipt (changed or another file)',
        'content',
      ),
    };
  const cp = merkle.receipt.carry?.checkpoint ?? merkle.receipt.checkpoint;
  return {
    report: report(
      1,
      'pass',
      `leaf ${merkle.receipt.leafIndex} of log ${cp.origin} at size ${cp.size}`,
    ),
    origin: cp.origin,
    size: cp.size,
  };
}

/** The network to verify on: the receipt's, unless one was named explicitly. */
function networkFor(receipt: unknown, options: VerifyFileOptions): NetworkParams {
  const receiptNet = bitcoinNetworkOf(receipt);
  if (options.explicitNetwork || receiptNet === undefined) return options.config.network;
  try {
    return networkByName(receiptNet);
  } catch {
    // An unknown network in the receipt: the verifier reports the mismatch.
    return options.config.network;
  }
}

/** Level 2: the anchor transaction, its branch, and the header against the real difficulty. */
async function checkLevel2(
  receipt: unknown,
  verifier: AnchorVerifier,
  network: NetworkParams,
): Promise<{ report: LevelReport; facts?: AnchorFacts }> {
  const r = await verifyReceipt(receipt, { anchors: [verifier], requireAnchor: true });
  const facts = factsOf(r);
  if (r.ok) {
    const d = r.anchors.find((a) => a.status === 'verified')?.details ?? {};
    const epoch = (d['facts'] as { epochHeights?: { first: number; last: number } } | undefined)
      ?.epochHeights;
    return {
      report: report(
        2,
        'pass',
        `tx ${String(d['txid'])} in block ${String(d['blockHash'])}, claimed height ${String(d['height'])}${epoch ? ` (difficulty of heights ${epoch.first}-${epoch.last} checked)` : ''} (${network.name})`,
      ),
      ...(facts === undefined ? {} : { facts }),
    };
  }
  const f = anchorFailure(r);
  return {
    report: report(
      2,
      r.undetermined === true ? 'could-not-check' : 'fail',
      f?.reason ?? 'the anchor does not verify',
      f?.step ?? 'anchor',
    ),
    ...(facts === undefined ? {} : { facts }),
  };
}

/** Level 3: headers validated from a trusted checkpoint, and a quorum of backends. */
async function checkLevel3(
  receipt: unknown,
  verifiers: RunVerifiers,
  options: VerifyFileOptions,
): Promise<{ report: LevelReport; facts?: AnchorFacts }> {
  const r = await verifyReceipt(receipt, { anchors: [verifiers.online!], requireAnchor: true });
  const facts = factsOf(r);
  const names = verifiers.backends.map((b) => b.name).join(', ');
  if (r.ok) {
    const d = r.anchors.find((a) => a.status === 'verified')?.details ?? {};
    return {
      report: report(
        3,
        'pass',
        `${String(d['confirmations'])} confirmation(s), ${options.confirmations} required, headers validated from a trusted checkpoint; ${options.config.quorum} of ${verifiers.backends.length} backend(s) agree (${names})`,
      ),
      ...(facts === undefined ? {} : { facts }),
    };
  }
  const f = anchorFailure(r);
  return {
    report: report(
      3,
      r.undetermined === true ? 'could-not-check' : 'fail',
      f?.reason ?? r.reason,
      f?.step ?? 'chain',
    ),
    ...(facts === undefined ? {} : { facts }),
  };
}

/**
 * Verifies a file against a receipt file, level by level, each a named step: 1 (the file's
 * SHA-256, streamed, and the Merkle proof), 2 (the Bitcoin transaction and the header
 * against the network's difficulty schedule, offline), 3 (headers from a trusted
 * checkpoint and a quorum of the configured backends, at the receipt's own height).
 * Unreadable files throw input errors; everything else is a verdict.
 */
export async function verifyFile(
  filePath: string,
  receiptPath: string,
  options: VerifyFileOptions,
): Promise<FileVerdict> {
  const receipt = readReceiptFile(receiptPath);
  if (looksLikeTombstone(receipt)) return forgottenVerdict(receipt);
  const digest = await fileDigest(filePath);
  const one = await checkLevel1(receipt, digest, options.config.trust);
  const levels = [one.report];
  if (one.report.status !== 'pass') return { valid: false, reached: 0, levels };
  const verdict = (reached: number, facts?: AnchorFacts): FileVerdict => ({
    valid: !levels.some((l) => l.status === 'fail' && l.level < 3),
    reached,
    levels,
    origin: one.origin!,
    ...(facts === undefined ? {} : { facts }),
    statement: statementOf(one.origin!, reached, facts, one.size),
  });

  if (bitcoinNetworkOf(receipt) === undefined) {
    levels.push(
      report(
        2,
        'not-checked',
        'the receipt has no Bitcoin anchor yet: run `medanchor upgrade` where it was sealed',
      ),
    );
    return verdict(1);
  }
  const network = networkFor(receipt, options);
  const verifiers = verifiersOf(options.config, network, options.confirmations);
  const two = await checkLevel2(receipt, verifiers.offline, network);
  levels.push(two.report);
  if (two.report.status === 'fail') return verdict(1);
  if (options.offline || verifiers.online === undefined) {
    levels.push(
      report(
        3,
        'not-checked',
        options.offline
          ? '--offline'
          : 'no backend configured (pass --esplora <url>, or "backends" in the config)',
      ),
    );
    return verdict(two.report.status === 'pass' ? 2 : 1, two.facts);
  }
  const three = await checkLevel3(receipt, verifiers, options);
  levels.push(three.report);
  if (three.report.status === 'pass') return verdict(3, three.facts);
  return verdict(two.report.status === 'pass' ? 2 : 1, two.facts);
}

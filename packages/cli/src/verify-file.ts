import {
  type Backend,
  bitcoinAnchorVerifier,
  type NetworkParams,
  networkByName,
} from '@medanchor/chain';
import { type AnchorCheck, type ReceiptVerification, toHex, verifyReceipt } from '@medanchor/core';
import type { ResolvedConfig } from './config.js';
import { fileDigest } from './file-digest.js';
import { readJsonFile } from './read-json.js';
import { backendFor } from './workspace.js';

/** One level of a verdict, as printed and as `--json` reports it. */
export interface LevelReport {
  level: 1 | 2 | 3;
  name: string;
  status: 'pass' | 'fail' | 'not-checked';
  detail: string;
  step?: string;
}

/** The verdict on one file and its receipt. */
export interface FileVerdict {
  /** True when every level that could be checked passed (level 1 at least). */
  valid: boolean;
  /** Highest level that passed (0 when level 1 failed). */
  reached: number;
  levels: LevelReport[];
}

/** How {@link verifyFile} checks. */
export interface VerifyFileOptions {
  config: ResolvedConfig;
  /** The network was named explicitly (flag or environment): do not take the receipt's. */
  explicitNetwork: boolean;
  offline: boolean;
  confirmations: number;
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

// One backend per network for a whole run: many files share it.
const backends = new WeakMap<ResolvedConfig, Map<string, Backend>>();
function backendOf(config: ResolvedConfig, network: NetworkParams): Backend {
  let byNet = backends.get(config);
  if (byNet === undefined) {
    byNet = new Map();
    backends.set(config, byNet);
  }
  let b = byNet.get(network.name);
  if (b === undefined) {
    b = backendFor({ ...config, network });
    byNet.set(network.name, b);
  }
  return b;
}

// Level 3 verdicts of one command run (its resolved config), by network, block and depth.
const chainVerdicts = new WeakMap<ResolvedConfig, Map<string, LevelReport>>();

function level3Report(online: ReceiptVerification, required: number, backend: string): LevelReport {
  if (online.ok) {
    const d = online.anchors.find((a) => a.status === 'verified')?.details ?? {};
    return {
      level: 3,
      name: 'block in the best chain',
      status: 'pass',
      detail: `${String(d['confirmations'])} confirmation(s), ${required} required, per ${backend}`,
    };
  }
  const f = anchorFailure(online);
  return {
    level: 3,
    name: 'block in the best chain',
    status: 'fail',
    step: f?.step ?? 'chain',
    detail: f?.reason ?? online.reason,
  };
}

/**
 * Verifies a file against a receipt file, level by level: 1 (the file's SHA-256,
 * streamed, and the Merkle proof), 2 (the Bitcoin transaction and proof of work, offline),
 * 3 (the block's depth per the configured backend). Unreadable files throw input errors;
 * everything else is a verdict.
 */
export async function verifyFile(
  filePath: string,
  receiptPath: string,
  options: VerifyFileOptions,
): Promise<FileVerdict> {
  const { config, confirmations } = options;
  const receipt = readJsonFile(receiptPath, 'receipt');
  const digest = await fileDigest(filePath);

  const levels: LevelReport[] = [];
  // Level 1, with the file's digest standing in for its bytes (streamed, any size).
  const merkle = await verifyReceipt(receipt);
  let valid = true;
  let reached = 0;
  if (!merkle.ok) {
    levels.push({
      level: 1,
      name: 'record and Merkle proof',
      status: 'fail',
      step: merkle.step,
      detail: merkle.reason,
    });
    valid = false;
  } else if (merkle.receipt.record.digest !== toHex(digest)) {
    levels.push({
      level: 1,
      name: 'record and Merkle proof',
      status: 'fail',
      step: 'content',
      detail: 'the file does not match the digest in the receipt (changed or another file)',
    });
    valid = false;
  } else {
    reached = 1;
    const cp = merkle.receipt.carry?.checkpoint ?? merkle.receipt.checkpoint;
    levels.push({
      level: 1,
      name: 'record and Merkle proof',
      status: 'pass',
      detail: `leaf ${merkle.receipt.leafIndex} of log ${cp.origin} at size ${cp.size}`,
    });
  }

  if (valid) {
    const receiptNet = bitcoinNetworkOf(receipt);
    let network: NetworkParams = config.network;
    if (!options.explicitNetwork && receiptNet !== undefined) {
      try {
        network = networkByName(receiptNet);
      } catch {
        // An unknown network in the receipt: the verifier below reports the mismatch.
      }
    }
    if (receiptNet === undefined) {
      levels.push({
        level: 2,
        name: 'Bitcoin transaction and proof of work',
        status: 'not-checked',
        detail:
          'the receipt has no Bitcoin anchor yet: run `medanchor upgrade` where it was sealed',
      });
    } else {
      let blockHash: unknown;
      const offline = await verifyReceipt(receipt, {
        anchors: [bitcoinAnchorVerifier({ network })],
        requireAnchor: true,
      });
      const fail2 = anchorFailure(offline);
      if (offline.ok) {
        reached = 2;
        const d = offline.anchors.find((a) => a.status === 'verified')?.details ?? {};
        levels.push({
          level: 2,
          name: 'Bitcoin transaction and proof of work',
          status: 'pass',
          detail: `tx ${String(d['txid'])} in block ${String(d['blockHash'])} at height ${String(d['height'])} (${network.name})`,
        });
      } else {
        valid = false;
        levels.push({
          level: 2,
          name: 'Bitcoin transaction and proof of work',
          status: 'fail',
          step: fail2?.step ?? 'anchor',
          detail: fail2?.reason ?? 'the anchor does not verify',
        });
      }
      if (valid && !options.offline && config.backend !== undefined) {
        const backend = backendOf(config, network);
        // Level 3 depends only on the block: files anchored in one block share one answer.
        const key = `${network.name}:${String(blockHash)}:${confirmations}`;
        let verdicts = chainVerdicts.get(config);
        if (verdicts === undefined) {
          verdicts = new Map();
          chainVerdicts.set(config, verdicts);
        }
        let report = verdicts.get(key);
        if (report === undefined) {
          report = level3Report(
            await verifyReceipt(receipt, {
              anchors: [
                bitcoinAnchorVerifier({
                  network,
                  backends: [backend],
                  minConfirmations: confirmations,
                }),
              ],
              requireAnchor: true,
            }),
            confirmations,
            backend.name,
          );
          verdicts.set(key, report);
        }
        if (report.status === 'pass') reached = 3;
        levels.push(report);
      } else if (valid) {
        levels.push({
          level: 3,
          name: 'block in the best chain',
          status: 'not-checked',
          detail: options.offline ? '--offline' : 'no backend configured (pass --esplora <url>)',
        });
      }
    }
  }

  return { valid, reached, levels };
}

import { resolve } from 'node:path';
import { bitcoinAnchorVerifier, type NetworkParams, networkByName } from '@medanchor/chain';
import { type AnchorCheck, type ReceiptVerification, toHex, verifyReceipt } from '@medanchor/core';
import type { Command } from '../command.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { fileDigest } from '../file-digest.js';
import { readJsonFile } from '../read-json.js';
import { usageError } from '../usage-error.js';
import { backendFor } from '../workspace.js';

/** One level of the verdict, as printed and as `--json` reports it. */
interface LevelReport {
  level: 1 | 2 | 3;
  name: string;
  status: 'pass' | 'fail' | 'not-checked';
  detail: string;
  step?: string;
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

export const verifyCommand: Command = {
  path: ['verify'],
  summary: 'verify a file against its receipt and say which level passed (exit 0 valid, 1 invalid)',
  usage: '<file> <receipt>',
  description:
    'Level 1: the file matches the receipt and the Merkle proof leads to the checkpoint. Level 2 (offline): the checkpoint is committed in a Bitcoin transaction inside a block with valid proof of work. Level 3: that block is in the best chain with enough confirmations, asked of the configured backend (--esplora). Exit 0 when the file is valid at --min-level or above, 1 when it is not, 2 on usage or unreadable input.',
  options: [
    {
      name: 'min-level',
      type: 'string',
      value: '<1|2|3>',
      description: 'lowest level that counts as valid (default 1)',
    },
    { name: 'offline', type: 'boolean', description: 'never ask a backend (stop at level 2)' },
    {
      name: 'confirmations',
      type: 'string',
      value: '<n>',
      description: 'confirmations level 3 requires (default: config, 6)',
    },
  ],
  examples: [
    ['medanchor verify scan.pdf scan.pdf.receipt.json', 'verify with the configured backend'],
    [
      'medanchor verify --esplora https://blockstream.info/api --min-level 3 a.json a.json.receipt.json',
      'require level 3 against a public explorer',
    ],
    ['medanchor verify --offline --json a.json a.json.receipt.json', 'offline, machine-readable'],
  ],
  arity: [2, 2],
  async run({ args, config, out, io }) {
    const minLevel = Number(args.values['min-level'] ?? 1);
    if (![1, 2, 3].includes(minLevel)) throw usageError('--min-level is 1, 2 or 3');
    const confirmations =
      args.values['confirmations'] === undefined
        ? config.confirmations
        : Number(args.values['confirmations']);
    if (!(Number.isSafeInteger(confirmations) && confirmations >= 1))
      throw usageError('--confirmations takes a positive integer');
    const [filePath, receiptPath] = args.positionals.map((p) => resolve(io.cwd, p)) as [
      string,
      string,
    ];
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
      const explicit =
        typeof args.values['network'] === 'string' || io.env['MEDANCHOR_NETWORK'] !== undefined;
      let network: NetworkParams = config.network;
      if (!explicit && receiptNet !== undefined) {
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
        if (valid && args.values['offline'] !== true && config.backend !== undefined) {
          const backend = backendFor({ ...config, network });
          const online = await verifyReceipt(receipt, {
            anchors: [
              bitcoinAnchorVerifier({
                network,
                backends: [backend],
                minConfirmations: confirmations,
              }),
            ],
            requireAnchor: true,
          });
          if (online.ok) {
            reached = 3;
            const d = online.anchors.find((a) => a.status === 'verified')?.details ?? {};
            levels.push({
              level: 3,
              name: 'block in the best chain',
              status: 'pass',
              detail: `${String(d['confirmations'])} confirmation(s), ${confirmations} required, per ${backend.name}`,
            });
          } else {
            const f = anchorFailure(online);
            levels.push({
              level: 3,
              name: 'block in the best chain',
              status: 'fail',
              step: f?.step ?? 'chain',
              detail: f?.reason ?? online.reason,
            });
          }
        } else if (valid) {
          levels.push({
            level: 3,
            name: 'block in the best chain',
            status: 'not-checked',
            detail:
              args.values['offline'] === true
                ? '--offline'
                : 'no backend configured (pass --esplora <url>)',
          });
        }
      }
    }

    const ok = valid && reached >= minLevel;
    const mark = { pass: 'PASS', fail: 'FAIL', 'not-checked': 'n/a ' } as const;
    const failedLevel = levels.find((l) => l.status === 'fail');
    out.result({ ok, level: reached, minLevel, file: filePath, receipt: receiptPath, levels }, [
      ...levels.map(
        (l) =>
          `${mark[l.status]} level ${l.level} (${l.name}): ${l.step ? `step "${l.step}": ` : ''}${l.detail}`,
      ),
      ok
        ? `VALID at level ${reached}`
        : valid
          ? `NOT VALID at level ${minLevel}: reached level ${reached}`
          : `INVALID: level ${failedLevel?.level} failed at step "${failedLevel?.step}"`,
    ]);
    return ok ? EXIT_OK : EXIT_INVALID;
  },
};

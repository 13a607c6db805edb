import { bitcoinAnchorVerifier, networkByName } from '@medanchor/chain';
import {
  type AnchorVerifier,
  type ReceiptVerification,
  type ReceiptVerified,
  verifyReceipt,
} from '@medanchor/core';
import { type ChainProbe, probedEsplora } from './esplora-probe.js';

/** The Bitcoin anchor of a parsed receipt that names a network built into the chain package. */
function bitcoinNetworkOf(receipt: unknown) {
  const anchors = (receipt as { anchors?: { type?: unknown; network?: unknown }[] } | null)
    ?.anchors;
  const bitcoin = Array.isArray(anchors) ? anchors.find((a) => a?.type === 'bitcoin') : undefined;
  if (typeof bitcoin?.network !== 'string') return undefined;
  try {
    return networkByName(bitcoin.network);
  } catch {
    return undefined;
  }
}

/**
 * Offline (level 2) verifiers for the Bitcoin anchors of a parsed receipt: one for the
 * network its first Bitcoin anchor names, when that network is built in.
 */
export function offlineVerifiersFor(receipt: unknown): AnchorVerifier[] {
  const network = bitcoinNetworkOf(receipt);
  return network ? [bitcoinAnchorVerifier({ network })] : [];
}

/** One row of the page: a verification level and how it fared. */
export interface LevelRow {
  level: 1 | 2 | 3;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
}

const TITLES = {
  1: 'Merkle: record, commitment, log, checkpoint',
  2: 'Anchor: transaction, block, proof of work',
  3: 'Chain: depth in the best chain',
} as const;

/** The level 3 row shown while no Esplora API is named. */
export const LEVEL_3_UNCHECKED: LevelRow = {
  level: 3,
  title: TITLES[3],
  status: 'skip',
  detail: 'not checked (no backend): name an Esplora API to check the depth of the anchor',
};

/** What the offline levels (1 and 2) found. */
export interface OfflineLevels {
  /** False when level 1 or 2 failed. */
  valid: boolean;
  /** Rows of levels 1 and 2, then {@link LEVEL_3_UNCHECKED} unless level 2 failed. */
  rows: LevelRow[];
  result: ReceiptVerification | undefined;
}

/**
 * Verifies `record` against `receiptJson` offline (levels 1 and 2) and describes each
 * level for display. Pure apart from the verifiers it is given: runs the same in the
 * page and in Node.
 */
export async function verifyLevels(
  record: Uint8Array,
  receiptJson: string,
  anchorVerifiers?: readonly AnchorVerifier[],
): Promise<OfflineLevels> {
  let receipt: unknown;
  try {
    receipt = JSON.parse(receiptJson);
  } catch {
    return {
      valid: false,
      result: undefined,
      rows: [{ level: 1, title: TITLES[1], status: 'fail', detail: 'the receipt is not JSON' }],
    };
  }
  const anchors = anchorVerifiers ?? offlineVerifiersFor(receipt);
  const result = await verifyReceipt(receipt, { content: record, anchors });
  if (!result.ok) {
    const level = result.step === 'anchor' ? 2 : 1;
    const rows: LevelRow[] = [];
    if (level === 2)
      rows.push({
        level: 1,
        title: TITLES[1],
        status: 'pass',
        detail: 'the record is in the checkpoint',
      });
    rows.push({
      level,
      title: TITLES[level],
      status: 'fail',
      detail: `failed at step "${result.step}": ${result.reason}`,
    });
    return { valid: false, rows, result };
  }
  const rows: LevelRow[] = [
    {
      level: 1,
      title: TITLES[1],
      status: 'pass',
      detail: `record is leaf ${result.receipt.leafIndex} of ${result.receipt.treeSize}`,
    },
  ];
  const best = result.anchors.find((a) => a.status === 'verified');
  const failed = result.anchors.find((a) => a.status === 'failed');
  if (best) {
    const height = best.details?.['height'];
    rows.push({
      level: 2,
      title: TITLES[2],
      status: 'pass',
      detail: `${best.type} anchor verified${typeof height === 'number' ? ` in block ${height}` : ''}`,
    });
  } else if (failed) {
    rows.push({
      level: 2,
      title: TITLES[2],
      status: 'fail',
      detail: failed.reason ?? 'anchor did not verify',
    });
  } else {
    rows.push({
      level: 2,
      title: TITLES[2],
      status: 'skip',
      detail:
        result.anchors.length === 0
          ? 'the receipt has no anchor yet'
          : 'no verifier for this anchor type',
    });
  }
  if (!failed) rows.push(LEVEL_3_UNCHECKED);
  return { valid: failed === undefined, rows, result };
}

/** Where and how deep level 3 looks. */
export interface ChainSettings {
  /** Base URL of an Esplora API, e.g. `https://blockstream.info/api`. */
  esploraUrl: string;
  /** Confirmations required, the anchoring block counting as one. */
  minConfirmations: number;
}

/**
 * Level 3 for a receipt that passed levels 1 and 2 offline: asks the Esplora API the
 * user named whether the anchoring block is in its best chain with enough
 * confirmations. The verdict is the chain package's `bitcoinAnchorVerifier`'s; what the
 * API answered explains a failure. Never throws; network failures end within the
 * backend's timeout and one retry.
 */
export async function verifyChainLevel(
  record: Uint8Array,
  offline: ReceiptVerified,
  settings: ChainSettings,
): Promise<LevelRow> {
  const fail = (detail: string): LevelRow => ({
    level: 3,
    title: TITLES[3],
    status: 'fail',
    detail,
  });
  const anchored = offline.anchors.find((a) => a.status === 'verified' && a.type === 'bitcoin');
  const height = anchored?.details?.['height'];
  const blockHash = anchored?.details?.['blockHash'];
  const network = bitcoinNetworkOf(offline.receipt);
  if (!anchored || typeof height !== 'number' || typeof blockHash !== 'string' || !network) {
    return { ...LEVEL_3_UNCHECKED, detail: 'not checked: no Bitcoin anchor passed level 2' };
  }
  const min = settings.minConfirmations;
  if (!Number.isSafeInteger(min) || min < 1)
    return fail('confirmations must be a whole number from 1');
  let probe: ChainProbe;
  try {
    probe = probedEsplora(settings.esploraUrl);
  } catch {
    return fail('the Esplora API URL must start with http:// or https://');
  }
  const verifier = bitcoinAnchorVerifier({
    network,
    backends: [probe.backend],
    minConfirmations: min,
  });
  const result = await verifyReceipt(offline.receipt, { content: record, anchors: [verifier] });
  const check = result.ok ? result.anchors[anchored.index] : undefined;
  const where = probe.url;
  if (check?.status === 'verified' && check.level === 3) {
    const confirmations = check.details?.['confirmations'];
    return {
      level: 3,
      title: TITLES[3],
      status: 'pass',
      detail: `block ${height} is in the best chain of ${where} with ${String(confirmations)} confirmations (${min} required)`,
    };
  }
  const seen = probe.seen;
  if (seen.networkError !== undefined) {
    return fail(
      `network failure: ${where} did not answer (${seen.networkError}); check the URL, that the server is up and that it allows cross-origin requests (CORS)`,
    );
  }
  if (seen.error !== undefined) return fail(`${where} answered badly: ${seen.error}`);
  if (seen.noBlockAtHeight) {
    return fail(
      `${where} has no block at height ${height}: its chain is shorter (another network?)`,
    );
  }
  if (seen.hashAtHeight !== undefined && seen.hashAtHeight !== blockHash) {
    return fail(
      `block ${height} is not in the best chain of ${where}: it has another block at that height (another network, or the anchor was reorganized away)`,
    );
  }
  if (seen.tipHeight !== undefined && seen.hashAtHeight === blockHash) {
    const confirmations = seen.tipHeight - height + 1;
    return fail(
      `block ${height} has ${confirmations} confirmation${confirmations === 1 ? '' : 's'} in the best chain of ${where}, ${min} required`,
    );
  }
  // Not expected after level 2 passed: show the verifier's own words.
  const reason = check?.reason ?? (result.ok ? 'the anchor did not verify' : result.reason);
  return fail(reason);
}

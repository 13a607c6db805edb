import { bitcoinAnchorVerifier, networkByName } from '@medanchor/chain';
import { type AnchorVerifier, type ReceiptVerification, verifyReceipt } from '@medanchor/core';

/**
 * Offline (level 2) verifiers for the Bitcoin anchors of a parsed receipt: one for the
 * network its first Bitcoin anchor names, when that network is built in.
 */
export function offlineVerifiersFor(receipt: unknown): AnchorVerifier[] {
  const anchors = (receipt as { anchors?: { type?: unknown; network?: unknown }[] } | null)
    ?.anchors;
  const bitcoin = Array.isArray(anchors) ? anchors.find((a) => a?.type === 'bitcoin') : undefined;
  if (typeof bitcoin?.network !== 'string') return [];
  try {
    return [bitcoinAnchorVerifier({ network: networkByName(bitcoin.network) })];
  } catch {
    return [];
  }
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

/**
 * Verifies `record` against `receiptJson` and describes each level for display.
 * Pure apart from the verifiers it is given: runs the same in the page and in Node.
 */
export async function verifyLevels(
  record: Uint8Array,
  receiptJson: string,
  anchorVerifiers?: readonly AnchorVerifier[],
): Promise<{ valid: boolean; rows: LevelRow[]; result: ReceiptVerification | undefined }> {
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
    rows.push({
      level: 2,
      title: TITLES[2],
      status: 'pass',
      detail: `${best.type} anchor verified`,
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
  const deep = result.anchors.find((a) => a.status === 'verified' && (a.level ?? 0) >= 3);
  rows.push({
    level: 3,
    title: TITLES[3],
    status: deep ? 'pass' : 'skip',
    detail: deep
      ? 'confirmed in the best chain'
      : 'needs a Bitcoin backend; this offline page checks levels 1 and 2',
  });
  return { valid: failed === undefined, rows, result };
}

import {
  type BackendChainReport,
  bitcoinAnchorVerifier,
  blockHashHex,
  decodeBitcoinAnchorEntry,
  type NetworkParams,
  networkByName,
} from '@medanchor/chain/verify';
import {
  type AnchorCheck,
  type AnchorVerifier,
  type ReceiptAnchor,
  type ReceiptVerification,
  type TrustChecker,
  verifyReceipt,
} from '@medanchor/core';
import { type ChainProbe, probedEsplora } from './esplora-probe.js';

/** One technical row of the page: a verification level and how it fared. */
export interface LevelRow {
  level: 1 | 2 | 3;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
}

/** Where and when, as the verifier established it (each fact bound or only claimed). */
export interface ProofFacts {
  network: string;
  networkBound: boolean;
  height: number;
  heightBound: boolean;
  /** Block time, Unix seconds. */
  time: number;
  timeBound: boolean;
  /** The time the record provably existed by, when one is bound (Unix seconds). */
  notLaterThan?: number;
  confirmations?: number;
  /** Every network but mainnet: anyone can make its blocks, so it proves nothing about time. */
  testNetwork: boolean;
}

/** What one explorer answered in the Bitcoin check. */
export interface ExplorerAnswer {
  url: string;
  /** `agrees`: the block is in its best chain, deep enough. */
  answer: 'agrees' | 'too-shallow' | 'other-block' | 'no-block' | 'no-answer' | 'bad-answer';
  confirmations?: number;
  /** Why, in technical words. */
  detail: string;
}

/** The whole outcome the page shows: plain words are made from it (see summary.ts). */
export interface PageVerdict {
  /** `valid`: every check asked for passed; `unconfirmed`: levels 1-2 passed, the chain check did not. */
  state: 'valid' | 'invalid' | 'unconfirmed';
  /** Highest level that passed (0 when none). */
  level: 0 | 1 | 2 | 3;
  rows: LevelRow[];
  /** The log, once level 1 passed. */
  origin?: string;
  /** Records in the checkpoint, once level 1 passed. */
  size?: number;
  /** What was proven in one sentence (the verifier's own words), once level 1 passed. */
  statement?: string;
  facts?: ProofFacts;
  /** The network the receipt's Bitcoin anchor names. */
  network?: string;
  /**
   * Who signed the log's checkpoint, when a trust policy was given and it passed: the log
   * key (`name+keyid`) and the names of the witnesses that cosigned.
   */
  signature?: { logKey: string; cosigners: string[] };
  /** The first failed step, for an invalid or unconfirmed verdict. */
  failure?: { step: string; reason: string; undetermined: boolean };
  /** The Bitcoin check, when explorers were asked. */
  chain?: { answers: ExplorerAnswer[]; quorum: number; confirmations: number };
}

/** Which explorers to ask and how strictly (the Bitcoin check, level 3). */
export interface ChainSettings {
  /** Esplora API base URLs; none means the check is not made. */
  explorers: readonly string[];
  /** How many of them must show the block deep enough. */
  quorum: number;
  /** Confirmations required, the anchoring block counting as one. */
  confirmations: number;
  /**
   * Which keys may sign the log's checkpoint (and which witnesses must cosign); without
   * it the signature is not checked.
   */
  trust?: TrustChecker;
}

const TITLES = {
  1: 'Merkle: record, commitment, log, checkpoint',
  2: 'Anchor: transaction, block, proof of work',
  3: 'Chain: depth in the best chain',
} as const;

/** The network named by a parsed receipt's first Bitcoin anchor. */
export function receiptNetwork(receipt: unknown): string | undefined {
  const anchors = (receipt as { anchors?: { type?: unknown; network?: unknown }[] } | null)
    ?.anchors;
  const bitcoin = Array.isArray(anchors) ? anchors.find((a) => a?.type === 'bitcoin') : undefined;
  return typeof bitcoin?.network === 'string' ? bitcoin.network : undefined;
}

function builtIn(name: string | undefined): NetworkParams | undefined {
  if (name === undefined) return undefined;
  try {
    return networkByName(name);
  } catch {
    return undefined;
  }
}

function factsOf(check: AnchorCheck | undefined): ProofFacts | undefined {
  const f = check?.details?.['facts'] as
    | {
        network?: { value: unknown; bound: unknown };
        height?: { value: unknown; bound: unknown };
        time?: { value: unknown; bound: unknown };
        notLaterThan?: unknown;
        confirmations?: unknown;
        testNetwork?: unknown;
      }
    | undefined;
  if (
    typeof f?.network?.value !== 'string' ||
    typeof f.height?.value !== 'number' ||
    typeof f.time?.value !== 'number'
  )
    return undefined;
  return {
    network: f.network.value,
    networkBound: f.network.bound === true,
    height: f.height.value,
    heightBound: f.height.bound === true,
    time: f.time.value,
    timeBound: f.time.bound === true,
    ...(typeof f.notLaterThan === 'number' ? { notLaterThan: f.notLaterThan } : {}),
    ...(typeof f.confirmations === 'number' ? { confirmations: f.confirmations } : {}),
    testNetwork: f.testNetwork !== false,
  };
}

/** The anchoring block named by a parsed receipt's Bitcoin anchor (its SPV proof's header). */
function anchoredBlock(receipt: unknown): { height: number; hash: string } | undefined {
  const anchors = (receipt as { anchors?: unknown[] } | null)?.anchors;
  const entry = Array.isArray(anchors)
    ? anchors.find((a) => (a as { type?: unknown } | null)?.type === 'bitcoin')
    : undefined;
  try {
    const proof = decodeBitcoinAnchorEntry(entry as ReceiptAnchor);
    return { height: proof.height, hash: blockHashHex(proof.header) };
  } catch {
    return undefined;
  }
}

/**
 * What one explorer said: the verifier's own report when it got that far; otherwise the
 * page asks the explorer for its tip and its block at the anchor's height, to explain in
 * words why the check did not pass (too shallow, another block, no block, no answer).
 */
async function explorerAnswer(
  probe: ChainProbe,
  report: BackendChainReport | undefined,
  block: { height: number; hash: string } | undefined,
  wanted: number,
): Promise<ExplorerAnswer> {
  const url = probe.url;
  const silent = (): ExplorerAnswer => ({
    url,
    answer: 'no-answer',
    detail: `${url} did not answer (${probe.seen.networkError}); check the address, that the server is up and that it allows cross-origin requests (CORS)`,
  });
  if (probe.seen.networkError !== undefined) return silent();
  if (report?.inBestChain === true && report.confirmations >= wanted)
    return {
      url,
      answer: 'agrees',
      confirmations: report.confirmations,
      detail: `${url} has block ${block?.height} in its best chain with ${report.confirmations} confirmations`,
    };
  if (block === undefined)
    return { url, answer: 'bad-answer', detail: `${url}: the receipt names no block to ask about` };
  let tip: number;
  let hash: string | undefined;
  try {
    tip = (await probe.backend.tip()).height;
    hash =
      tip >= block.height ? (await probe.backend.headerByHeight(block.height)).hash : undefined;
  } catch {
    if (probe.seen.networkError !== undefined) return silent();
    return {
      url,
      answer: 'bad-answer',
      detail: `${url} answered badly: ${probe.seen.error ?? 'the request failed'}`,
    };
  }
  if (hash === undefined)
    return {
      url,
      answer: 'no-block',
      detail: `${url} has no block at height ${block.height}: its chain is shorter (another network?)`,
    };
  if (hash !== block.hash)
    return {
      url,
      answer: 'other-block',
      detail: `block ${block.height} is not in the best chain of ${url}: it has another block at that height (another network, or the anchor was reorganized away)`,
    };
  const n = tip - block.height + 1;
  if (n < wanted)
    return {
      url,
      answer: 'too-shallow',
      confirmations: n,
      detail: `block ${block.height} has ${n} confirmation${n === 1 ? '' : 's'} in the best chain of ${url}, ${wanted} required`,
    };
  return {
    url,
    answer: 'bad-answer',
    confirmations: n,
    detail: `${url} shows block ${block.height} with ${n} confirmations, but the headers it served above it did not validate${report?.error === undefined ? '' : ` (${report.error})`}`,
  };
}

function level1Row(status: LevelRow['status'], detail: string): LevelRow {
  return { level: 1, title: TITLES[1], status, detail };
}

/**
 * Verifies `record` against `receiptJson` as far as the settings ask: levels 1 and 2
 * offline; level 3 when explorers are named. Pure apart from the explorers it asks:
 * runs the same in the page and in Node. Never throws.
 */
export async function verifyOnPage(
  record: Uint8Array,
  receiptJson: string,
  settings: ChainSettings,
): Promise<PageVerdict> {
  let receipt: unknown;
  try {
    receipt = JSON.parse(receiptJson);
  } catch {
    return {
      state: 'invalid',
      level: 0,
      rows: [level1Row('fail', 'the receipt file is not JSON')],
      failure: { step: 'format', reason: 'the receipt file is not JSON', undetermined: false },
    };
  }
  const networkName = receiptNetwork(receipt);
  const network = builtIn(networkName);
  const wanted = settings.confirmations;
  const probes = network ? settings.explorers.map((url) => probedEsplora(url)) : [];
  const anchors: AnchorVerifier[] = network
    ? [
        bitcoinAnchorVerifier({
          network,
          ...(probes.length > 0
            ? {
                backends: probes.map((p) => p.backend),
                quorum: settings.quorum,
                minConfirmations: wanted,
              }
            : {}),
        }),
      ]
    : [];
  const result: ReceiptVerification = await verifyReceipt(receipt, {
    content: record,
    anchors,
    ...(settings.trust === undefined ? {} : { trust: settings.trust }),
  });
  const base = { ...(networkName === undefined ? {} : { network: networkName }) };

  if (!result.ok && result.step !== 'anchor') {
    return {
      ...base,
      state: 'invalid',
      level: 0,
      rows: [level1Row('fail', `failed at step "${result.step}": ${result.reason}`)],
      failure: { step: result.step, reason: result.reason, undetermined: false },
    };
  }
  // Level 1 passed: the receipt's own fields are now trustworthy to read.
  const parsed = receipt as { checkpoint: { origin: string; size: number }; leafIndex: number };
  const origin = result.ok ? result.receipt.checkpoint.origin : parsed.checkpoint.origin;
  const size = result.ok ? result.receipt.checkpoint.size : parsed.checkpoint.size;
  const leaf = result.ok ? result.receipt.leafIndex : parsed.leafIndex;
  const checks = result.anchors ?? [];
  const bitcoin = checks.find((c) => c.type === 'bitcoin');
  const facts = factsOf(bitcoin);
  const signed = result.ok ? result.signature : undefined;
  const signature =
    signed === undefined
      ? undefined
      : { logKey: signed.logKey, cosigners: signed.cosigners.map((c) => c.name) };
  const signedBy =
    signature === undefined
      ? ''
      : `; the checkpoint is signed by trusted key ${signature.logKey}${signature.cosigners.length === 0 ? '' : ` and cosigned by ${signature.cosigners.join(', ')}`}`;
  const rows: LevelRow[] = [
    level1Row(
      'pass',
      `the record is leaf ${leaf} of ${size} in the checkpoint of log ${origin}${signedBy}`,
    ),
  ];
  const statement = result.ok
    ? ((result as { statement?: unknown }).statement as string | undefined)
    : undefined;
  const common = {
    ...base,
    origin,
    size,
    ...(signature === undefined ? {} : { signature }),
    ...(typeof statement === 'string' ? { statement } : {}),
    ...(facts === undefined ? {} : { facts }),
  };

  const block = anchoredBlock(receipt);
  const reports = (bitcoin?.details?.['backends'] as BackendChainReport[] | undefined) ?? [];
  const answers = await Promise.all(
    probes.map((p) =>
      explorerAnswer(
        p,
        reports.find((r) => r.backend === p.backend.name),
        block,
        wanted,
      ),
    ),
  );
  const chain =
    probes.length > 0 ? { chain: { answers, quorum: settings.quorum, confirmations: wanted } } : {};

  if (bitcoin === undefined || bitcoin.status === 'skipped') {
    rows.push({
      level: 2,
      title: TITLES[2],
      status: 'skip',
      detail:
        bitcoin === undefined
          ? 'the receipt has no Bitcoin anchor yet'
          : `no verifier for network "${networkName}"`,
    });
    return { ...common, state: 'valid', level: 1, rows };
  }
  if (bitcoin.status === 'failed') {
    const reason = bitcoin.reason ?? 'the anchor did not verify';
    const offlinePassed = reason.startsWith('chain:');
    if (offlinePassed) {
      rows.push({
        level: 2,
        title: TITLES[2],
        status: 'pass',
        detail: `the checkpoint is in a Bitcoin transaction in block ${facts?.height} (${networkName})`,
      });
      rows.push({
        level: 3,
        title: TITLES[3],
        status: 'fail',
        detail: answers.map((a) => a.detail).join('; ') || reason,
      });
    } else rows.push({ level: 2, title: TITLES[2], status: 'fail', detail: reason });
    // A check that could not be made (say, a block newer than the bundled difficulty
    // schedule) is not evidence of tampering: it is "not proven", never "invalid".
    const undetermined = bitcoin.undetermined === true;
    return {
      ...common,
      ...chain,
      state: offlinePassed || undetermined ? 'unconfirmed' : 'invalid',
      level: offlinePassed ? 2 : 1,
      rows,
      failure: {
        step: offlinePassed ? 'chain' : undetermined ? 'anchor-unchecked' : 'anchor',
        reason,
        undetermined,
      },
    };
  }
  rows.push({
    level: 2,
    title: TITLES[2],
    status: 'pass',
    detail: `the checkpoint is in a Bitcoin transaction in block ${facts?.height ?? bitcoin.details?.['height']} (${networkName}), offline`,
  });
  if (bitcoin.level === 3) {
    rows.push({
      level: 3,
      title: TITLES[3],
      status: 'pass',
      detail: `${answers.filter((a) => a.answer === 'agrees').length} of ${answers.length} explorers show block ${facts?.height} with at least ${wanted} confirmations (${settings.quorum} required): ${answers.map((a) => a.detail).join('; ')}`,
    });
    return { ...common, ...chain, state: 'valid', level: 3, rows };
  }
  rows.push({
    level: 3,
    title: TITLES[3],
    status: 'skip',
    detail: 'not checked: no explorer chosen',
  });
  return { ...common, state: 'valid', level: 2, rows };
}

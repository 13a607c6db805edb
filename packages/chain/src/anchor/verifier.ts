import type { AnchorContext, AnchorOutcome, AnchorVerifier, ReceiptAnchor } from '@medanchor/core';
import { isMedanchorError } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import { validateHeaderChain } from '../bitcoin/header-chain.js';
import type { NetworkParams } from '../network/params.js';
import { verifySpvProof } from '../spv/verify.js';
import { BITCOIN_ANCHOR_TYPE, decodeBitcoinAnchorEntry } from './entry.js';

/** Options of {@link bitcoinAnchorVerifier}. */
export interface BitcoinAnchorVerifierOptions {
  /** The network receipts must be anchored on. */
  network: NetworkParams;
  /**
   * Backends asked whether the block is in their best chain (level 3). Without any,
   * verification stops at level 2 (SPV, offline). Use several operators so no single
   * explorer has to be trusted.
   */
  backends?: readonly Backend[];
  /** Confirmations the block needs at level 3, the block itself counting as one (default 6). */
  minConfirmations?: number;
  /** How many backends must agree that the block is deep enough (default: all of them). */
  quorum?: number;
  /**
   * Level 3 also fetches the `minConfirmations - 1` headers above the anchor block from
   * each backend and validates them as an SPV client does (linkage, proof of work,
   * difficulty bits), so a backend cannot claim confirmations without showing the work
   * behind them. Default true; false trusts the backend's tip height.
   */
  checkWork?: boolean;
}

/** What one backend said about the anchor's block, in the verifier's details. */
export interface BackendChainReport {
  /** The backend's name. */
  readonly backend: string;
  /** True when its best chain has the anchor's block at the claimed height. */
  readonly inBestChain: boolean;
  /** Its tip height minus the block height plus one (0 when not in its best chain). */
  readonly confirmations: number;
  /** Why it could not answer, if it could not. */
  readonly error?: string;
  /**
   * Headers above the block that were fetched and validated (linkage, proof of work,
   * bits); absent when work was not checked.
   */
  readonly headersChecked?: number;
}

// Headers above `block` up to `height + depth - 1`, validated on top of it. With a
// retarget boundary among them, the epoch's first header comes from the same backend:
// its bits only bound the next target, the work itself is still checked.
async function checkWorkAbove(
  b: Backend,
  network: NetworkParams,
  block: { height: number; header: Uint8Array },
  depth: number,
): Promise<string | undefined> {
  const heights = Array.from({ length: depth - 1 }, (_, i) => block.height + 1 + i);
  const { interval } = network.retarget;
  const boundary = heights.find((h) => h % interval === 0);
  const [above, epoch] = await Promise.all([
    Promise.all(heights.map((h) => b.headerByHeight(h))),
    boundary === undefined || boundary - interval < 0
      ? undefined
      : b.headerByHeight(boundary - interval),
  ]);
  const r = validateHeaderChain({
    params: network,
    checkpoint: block,
    headers: above.map((h) => h.header),
    ...(epoch === undefined ? {} : { epochStart: { height: epoch.height, header: epoch.header } }),
  });
  return r.ok ? undefined : `headers: ${r.step} at height ${r.height}: ${r.reason}`;
}

async function askBackend(
  b: Backend,
  block: { height: number; header: Uint8Array; hash: string },
  work: { network: NetworkParams; depth: number } | undefined,
): Promise<BackendChainReport> {
  const { height } = block;
  try {
    const [atHeight, tip] = await Promise.all([b.headerByHeight(height), b.tip()]);
    const inBestChain = atHeight.hash === block.hash;
    const confirmations = inBestChain ? tip.height - height + 1 : 0;
    if (work === undefined || confirmations < work.depth)
      return { backend: b.name, inBestChain, confirmations };
    const failure = await checkWorkAbove(b, work.network, block, work.depth);
    if (failure !== undefined)
      return { backend: b.name, inBestChain, confirmations: 0, error: failure };
    return { backend: b.name, inBestChain, confirmations, headersChecked: work.depth - 1 };
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
 * The verifier of `bitcoin` anchors, to pass to core's `verifyReceipt`. Level 2: the
 * entry's OP_RETURN output carries the receipt's checkpoint digest, its txid is in the
 * block by a branch whose length fits the block's transaction count, and the header
 * meets its own target. Level 3, when backends are given: the block is in their best
 * chain at its height with at least `minConfirmations`, and (unless `checkWork` is
 * false) the headers above it that each backend serves link to it and carry valid
 * proof of work and difficulty bits; their answers are reported in
 * `details.backends`, and `details.disagreement` is true when they do not all agree.
 * Never throws: failures name the step (`format`, `payload`, `branch-length`, `pow`, `chain`, ...).
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
  const minConfirmations = options.minConfirmations ?? 6;
  const quorum = options.quorum ?? backends.length;
  const work = options.checkWork === false ? undefined : { network, depth: minConfirmations };
  return {
    type: BITCOIN_ANCHOR_TYPE,
    async verify(anchor: ReceiptAnchor, context: AnchorContext): Promise<AnchorOutcome> {
      let proof: ReturnType<typeof decodeBitcoinAnchorEntry>;
      try {
        proof = decodeBitcoinAnchorEntry(anchor);
      } catch (e) {
        return {
          ok: false,
          reason: `format: ${isMedanchorError(e) ? e.message : 'unreadable entry'}`,
        };
      }
      if (proof.txCount === undefined) {
        return {
          ok: false,
          reason: 'branch-length: the entry has no txCount to check the branch length against',
        };
      }
      const spv = verifySpvProof(proof, { params: network, expectedPayload: context.digest });
      if (!spv.ok) return { ok: false, reason: `${spv.step}: ${spv.reason}` };
      const facts = {
        txid: spv.txid,
        blockHash: spv.blockHash,
        height: spv.height,
        network: network.name,
      };
      if (backends.length === 0) return { ok: true, level: 2, details: facts };
      if (!Number.isSafeInteger(quorum) || quorum < 1 || quorum > backends.length) {
        return { ok: false, reason: `chain: quorum must be from 1 to ${backends.length}` };
      }
      const reports = await Promise.all(
        backends.map((b) =>
          askBackend(b, { height: spv.height, header: proof.header, hash: spv.blockHash }, work),
        ),
      );
      const agreeing = reports.filter((r) => r.inBestChain && r.confirmations >= minConfirmations);
      const verdicts = new Set(
        reports.map((r) => r.inBestChain && r.confirmations >= minConfirmations),
      );
      const disagreement = verdicts.size > 1;
      if (agreeing.length < quorum) {
        return {
          ok: false,
          reason: `chain: ${agreeing.length} of ${backends.length} backends show the block with ${minConfirmations} confirmations, ${quorum} required (${reports.map(describe).join('; ')})${disagreement ? '; the backends disagree' : ''}`,
        };
      }
      const confirmations = Math.min(...agreeing.map((r) => r.confirmations));
      return {
        ok: true,
        level: 3,
        details: { ...facts, confirmations, backends: reports, disagreement },
      };
    },
  };
}

// Consent at an instant, from ledger receipts: each signed grant and revocation was
// committed to a ledger (consentLedgerBytes); its receipt is verified here and the
// anchor time it binds feeds evaluateAnchoredConsent. Verification failures are
// reported per document and leave that document without a time, never a throw.
import {
  type HeadProofStep,
  isMedanchorError,
  type NoteVerifierKey,
  type ReceiptStep,
  toHex,
  type VerifyReceiptOptions,
  verifyHeadProof,
  verifyReceipt,
} from '@medanchor/core';
import {
  type AnchoredConsentDecision,
  type ConsentAnchorTime,
  type ConsentRequest,
  consentLedgerBytes,
  evaluateAnchoredConsent,
} from '@medanchor/crypto';

/** What verifying one consent document's receipt showed. */
export type ConsentReceiptFinding =
  | {
      readonly ok: true;
      /** The anchor time, bound only on a public network at a level that binds time. */
      readonly anchor: ConsentAnchorTime;
      /** The verifier's sentence, e.g. "existed no later than ... (block ...)". */
      readonly statement: string;
    }
  | {
      readonly ok: false;
      /** The failing receipt step, `content` for a document that is not JSON, or `anchor`. */
      readonly step: ReceiptStep | 'anchor';
      readonly reason: string;
    };

/** Options of {@link evaluateConsentAtTime}: the receipt verification options and the time rules. */
export interface ConsentAtTimeOptions
  extends Omit<VerifyReceiptOptions, 'content' | 'requireAnchor'> {
  /** See `AnchoredConsentContext.maxAnchorDelay` (seconds, default one day). */
  readonly maxAnchorDelay?: number;
  /** See `AnchoredConsentContext.useUnboundTimes` (default false; for devnet demos). */
  readonly useUnboundTimes?: boolean;
}

/** The question {@link evaluateConsentAtTime} answers. */
export interface ConsentAtTimeQuery {
  /** The access to decide. */
  readonly request: ConsentRequest;
  /** Its instant; a `Date` or `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly at: Date | string;
  /** The receipt of the signed grant's ledger record. */
  readonly grantReceipt?: unknown;
  /** Signed revocations, each with the receipt of its ledger record when there is one. */
  readonly revocations?: readonly { readonly revocation: unknown; readonly receipt?: unknown }[];
  /**
   * A head proof of the consent's ledger record (the record id the grant and its
   * revocations were added under) at a checkpoint C (docs/spec/head-map.md): the result
   * then says whether the grant is the newest version up to C, i.e. not revoked as of C.
   */
  readonly asOf?: ConsentAsOfQuery;
}

/** The head proof half of {@link ConsentAtTimeQuery}. */
export interface ConsentAsOfQuery {
  /** `ledger.headProof(consentRecordId, { size })`. */
  readonly proof: unknown;
  /** The log's note verifier keys. */
  readonly keys: readonly NoteVerifierKey[];
  /** The consent's record id, when the caller knows it: a proof of another fails. */
  readonly record?: string;
  /** The record's key salt from an earlier proof, if the caller keeps one. */
  readonly keySalt?: Uint8Array;
}

/**
 * What the head proof showed about the consent record at checkpoint C: which document is
 * its newest version there (`grant`: nothing came after it, so no revocation up to C;
 * `revocation`: one of the revocations given; `unseen`: a later version that was not
 * given, so a revocation may be missing).
 */
export type ConsentAsOfFinding =
  | {
      readonly ok: true;
      /** The checkpoint C. */
      readonly checkpoint: { readonly origin: string; readonly size: number };
      /** Which document is the newest version of the consent record up to C. */
      readonly newest: 'grant' | 'revocation' | 'unseen';
      /** Its leaf index. */
      readonly leafIndex: number;
      /** True when the grant itself is the newest version: no revocation up to C. */
      readonly notRevoked: boolean;
      /** In words, for an auditor. */
      readonly statement: string;
    }
  | {
      readonly ok: false;
      /** `head:<step>` for a proof that does not verify, `grant` without a verified grant receipt, `latest` when the proof cannot speak for the grant. */
      readonly step: `head:${HeadProofStep}` | 'grant' | 'latest';
      readonly reason: string;
    };

/** The outcome of {@link evaluateConsentAtTime}: the anchored decision and each receipt's finding. */
export type ConsentAtTimeDecision = AnchoredConsentDecision & {
  /** What the grant's receipt showed (absent when none was given). */
  readonly grantReceipt?: ConsentReceiptFinding;
  /** What each revocation's receipt showed, in input order (undefined where none was given). */
  readonly revocationReceipts: readonly (ConsentReceiptFinding | undefined)[];
  /** With `query.asOf`: what the head proof showed. */
  readonly asOf?: ConsentAsOfFinding;
  /**
   * With `query.asOf`: true when the decision is `permit` and the head proof shows the
   * grant as the newest version of its record at C (valid, and not revoked as of C).
   */
  readonly validAsOf?: boolean;
};

interface LeafOf {
  readonly origin: string;
  readonly leafIndex: number;
  readonly commitment: string;
}

/** The leaf of a receipt that verified (fields read defensively: it is caller data). */
function leafOf(receipt: unknown): LeafOf | undefined {
  const r = receipt as {
    leafIndex?: unknown;
    record?: { commitment?: unknown };
    checkpoint?: { origin?: unknown };
  } | null;
  if (
    typeof r?.leafIndex !== 'number' ||
    typeof r.record?.commitment !== 'string' ||
    typeof r.checkpoint?.origin !== 'string'
  )
    return undefined;
  return { origin: r.checkpoint.origin, leafIndex: r.leafIndex, commitment: r.record.commitment };
}

function asOfFinding(
  asOf: ConsentAsOfQuery,
  grant: LeafOf | undefined,
  revocations: readonly LeafOf[],
): ConsentAsOfFinding {
  const keys = (asOf as Partial<ConsentAsOfQuery>)?.keys;
  const h = verifyHeadProof(asOf?.proof, {
    keys: Array.isArray(keys) ? keys : [],
    ...(typeof asOf?.record === 'string' ? { record: asOf.record } : {}),
    ...(asOf?.keySalt instanceof Uint8Array ? { keySalt: asOf.keySalt } : {}),
  });
  if (!h.ok) return { ok: false, step: `head:${h.step}`, reason: h.reason };
  if (grant === undefined)
    return {
      ok: false,
      step: 'grant',
      reason: 'the grant has no verified receipt to place it in the log',
    };
  const c = h.checkpoint;
  if (grant.origin !== c.origin)
    return {
      ok: false,
      step: 'latest',
      reason: 'the head proof is for another log than the grant',
    };
  if (grant.leafIndex >= c.size)
    return { ok: false, step: 'latest', reason: 'the checkpoint is older than the grant' };
  if (h.head === null)
    return {
      ok: false,
      step: 'latest',
      reason:
        'the head map has no version of that record at the checkpoint: is it the record the grant was added under?',
    };
  const head = { leafIndex: h.head.leafIndex, commitment: toHex(h.head.commitment) };
  const same = (l: LeafOf) =>
    l.origin === c.origin && l.leafIndex === head.leafIndex && l.commitment === head.commitment;
  const newest = same(grant) ? 'grant' : revocations.some(same) ? 'revocation' : 'unseen';
  const where = `up to size ${c.size} of ${c.origin}`;
  return {
    ok: true,
    checkpoint: c,
    newest,
    leafIndex: head.leafIndex,
    notRevoked: newest === 'grant',
    statement:
      newest === 'grant'
        ? `the grant is the newest version of its record ${where}: no revocation was committed`
        : newest === 'revocation'
          ? `a revocation given is the newest version of the grant's record ${where}`
          : `the grant's record has a newer version ${where} (leaf ${head.leafIndex}) than any document given: a revocation may be missing`,
  };
}

/**
 * Verifies the receipt of a consent document's ledger record (the digest of
 * `consentLedgerBytes(document)`) with an anchor, and returns the time it shows. The
 * time is bound only when the verifier bound it (`facts.notLaterThan`) on a network
 * that is not a test network. Never throws.
 * @example
 * ```ts
 * const f = await consentAnchorTime(signedGrant, receipt, { anchors: [verifier] });
 * if (f.ok && f.anchor.bound) console.log(f.statement);
 * ```
 */
export async function consentAnchorTime(
  signedDocument: unknown,
  receipt: unknown,
  options: Omit<VerifyReceiptOptions, 'content' | 'requireAnchor'> = {},
): Promise<ConsentReceiptFinding> {
  let content: Uint8Array;
  try {
    if (signedDocument === null || typeof signedDocument !== 'object')
      return { ok: false, step: 'content', reason: 'the consent document must be an object' };
    content = consentLedgerBytes(signedDocument);
  } catch (e) {
    return {
      ok: false,
      step: 'content',
      reason: isMedanchorError(e) ? e.message : 'the consent document could not be serialized',
    };
  }
  const r = await verifyReceipt(receipt, { ...options, content, requireAnchor: true });
  if (!r.ok) return { ok: false, step: r.step, reason: r.reason };
  const f = r.facts;
  if (f === undefined)
    return { ok: false, step: 'anchor', reason: 'no verified anchor reports a block time' };
  const bound = f.notLaterThan !== undefined && f.time.bound && !f.testNetwork;
  return {
    ok: true,
    anchor: { time: f.notLaterThan ?? f.time.value, bound },
    statement: r.statement,
  };
}

/**
 * Decides whether a signed grant permitted an access at an instant, from the grant's and
 * the revocations' ledger receipts: each receipt is verified (with the given anchor
 * verifiers and trust policy), and the anchor times it binds decide as in
 * `evaluateAnchoredConsent` (a revocation is effective no later than its anchor; a
 * back-dated one is reported; a test-network time is never proven). A receipt that does
 * not verify leaves its document without a time and is reported. Never throws.
 * @example
 * ```ts
 * const d = await evaluateConsentAtTime(signedGrant, {
 *   request, at: event.recorded, grantReceipt,
 *   revocations: [{ revocation, receipt: revocationReceipt }],
 * }, { anchors: [bitcoinAnchorVerifier({ network: mainnet, backends })] });
 * console.log(d.decision, d.timeProven, d.findings);
 * ```
 */
export async function evaluateConsentAtTime(
  signedGrant: unknown,
  query: ConsentAtTimeQuery,
  options: ConsentAtTimeOptions = {},
): Promise<ConsentAtTimeDecision> {
  const { maxAnchorDelay, useUnboundTimes, ...verify } = options;
  const q: Partial<ConsentAtTimeQuery> = query !== null && typeof query === 'object' ? query : {};
  const grantReceipt =
    q.grantReceipt === undefined
      ? undefined
      : await consentAnchorTime(signedGrant, q.grantReceipt, verify);
  const list = Array.isArray(q.revocations) ? q.revocations : [];
  const revocationReceipts: (ConsentReceiptFinding | undefined)[] = [];
  for (const entry of list) {
    const e = entry !== null && typeof entry === 'object' ? entry : {};
    const receipt = (e as { receipt?: unknown }).receipt;
    revocationReceipts.push(
      receipt === undefined
        ? undefined
        : await consentAnchorTime((e as { revocation?: unknown }).revocation, receipt, verify),
    );
  }
  const decision = evaluateAnchoredConsent(signedGrant, {
    request: q.request as ConsentRequest,
    at: q.at as Date | string,
    ...(grantReceipt?.ok ? { grantAnchor: grantReceipt.anchor } : {}),
    revocations: list.map((entry, i) => {
      const f = revocationReceipts[i];
      const revocation = (entry as { revocation?: unknown } | null)?.revocation;
      return f?.ok ? { revocation, anchor: f.anchor } : { revocation };
    }),
    ...(maxAnchorDelay === undefined ? {} : { maxAnchorDelay }),
    ...(useUnboundTimes === undefined ? {} : { useUnboundTimes }),
  });
  if (q.asOf === undefined)
    return {
      ...decision,
      ...(grantReceipt === undefined ? {} : { grantReceipt }),
      revocationReceipts,
    };
  // Only receipts that verified place a document in the log.
  const grantLeaf = grantReceipt?.ok ? leafOf(q.grantReceipt) : undefined;
  const revocationLeaves = list
    .map((entry, i) =>
      revocationReceipts[i]?.ok ? leafOf((entry as { receipt?: unknown }).receipt) : undefined,
    )
    .filter((l): l is LeafOf => l !== undefined);
  const asOf = asOfFinding(q.asOf, grantLeaf, revocationLeaves);
  return {
    ...decision,
    findings: [
      ...decision.findings,
      asOf.ok ? asOf.statement : `as of a checkpoint: ${asOf.reason}`,
    ],
    ...(grantReceipt === undefined ? {} : { grantReceipt }),
    revocationReceipts,
    asOf,
    validAsOf: decision.decision === 'permit' && asOf.ok && asOf.notRevoked,
  };
}

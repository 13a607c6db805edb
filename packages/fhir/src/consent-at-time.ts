// Consent at an instant, from ledger receipts: each signed grant and revocation was
// committed to a ledger (consentLedgerBytes); its receipt is verified here and the
// anchor time it binds feeds evaluateAnchoredConsent. Verification failures are
// reported per document and leave that document without a time, never a throw.
import {
  isMedanchorError,
  type ReceiptStep,
  type VerifyReceiptOptions,
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
}

/** The outcome of {@link evaluateConsentAtTime}: the anchored decision and each receipt's finding. */
export type ConsentAtTimeDecision = AnchoredConsentDecision & {
  /** What the grant's receipt showed (absent when none was given). */
  readonly grantReceipt?: ConsentReceiptFinding;
  /** What each revocation's receipt showed, in input order (undefined where none was given). */
  readonly revocationReceipts: readonly (ConsentReceiptFinding | undefined)[];
};

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
  return {
    ...decision,
    ...(grantReceipt === undefined ? {} : { grantReceipt }),
    revocationReceipts,
  };
}

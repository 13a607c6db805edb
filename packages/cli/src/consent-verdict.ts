import { type ConsentGrant, parseConsentTime } from '@medanchor/crypto';

/**
 * The answer of `consent status`, in the words of `evaluateConsentAtTime`
 * (`@medanchor/fhir`): `in-force`, `revoked`, `expired`, `not-yet-valid`, `unseen` (a newer
 * version of the grant's record that is no revocation given: one may be withheld), plus
 * `not-committed` (the grant is not in the log up to the checkpoint) and `refused` (the
 * head proof cannot speak for this grant).
 */
export type ConsentVerdict =
  | 'in-force'
  | 'revoked'
  | 'expired'
  | 'not-yet-valid'
  | 'unseen'
  | 'not-committed'
  | 'refused';

/** Where a receipt places a consent document in a log. */
export interface PlacedLeaf {
  readonly origin: string;
  readonly leafIndex: number;
  /** The commitment, hex. */
  readonly commitment: string;
  /** True when the receipt's checkpoint is signed by one of the log keys the proof was checked with. */
  readonly signed: boolean;
}

/** A revocation of the grant (signature and grant checked), with its places in the log. */
export interface PlacedRevocation {
  /** How to name it (its file). */
  readonly name: string;
  /** When it takes effect, `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly revokedAt: string;
  readonly leaves: readonly PlacedLeaf[];
}

/** What `consentVerdict` decides from. */
export interface ConsentVerdictInput {
  /** The verified head proof: its checkpoint, record and head. */
  readonly checkpoint: { readonly origin: string; readonly size: number };
  readonly record: string;
  readonly head: { leafIndex: number; count: number; commitment: string } | null;
  /** The grant and the leaves its receipts place it at (none: not sealed). */
  readonly grant: ConsentGrant;
  readonly grantName: string;
  readonly grantLeaves: readonly PlacedLeaf[];
  readonly revocations: readonly PlacedRevocation[];
  /**
   * Versions known by their stamp only (the file is gone or changed, or holds no valid
   * revocation of this grant), named with why: named when the head is one of them.
   */
  readonly unreadable?: readonly { readonly name: string; readonly leafIndex: number }[];
  /** The instant the validity period is checked at, in ms. */
  readonly at: number;
}

/** The verdict, the leaf it rests on, and its statement and notes in words. */
export interface ConsentVerdictResult {
  readonly verdict: ConsentVerdict;
  /** With `refused`: the step, `latest` (as `evaluateConsentAtTime` names it): the proof cannot speak for this grant. */
  readonly step?: 'latest';
  /** The revocation's leaf (`revoked`), the unexplained head (`unseen`), else the grant's. */
  readonly leafIndex?: number;
  /** The revocation that decided (`revoked`). */
  readonly revocation?: {
    readonly name: string;
    readonly revokedAt: string;
    readonly ordered: boolean;
  };
  readonly statement: string;
  readonly notes: readonly string[];
}

const isoAt = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Decides whether a grant was in force as of a head proof's checkpoint C. The head proof
 * says which leaf is the newest version of the grant's record up to C: the grant itself
 * (no revocation was committed as a version of it), a revocation given, or neither
 * (`unseen`). A revocation committed below C as its own record (stamped by an older
 * medanchor) still revokes, when its receipt's checkpoint is signed by the log; the notes
 * say that a head proof alone does not show it. Then the validity period at `at`. Pure.
 */
export function consentVerdict(input: ConsentVerdictInput): ConsentVerdictResult {
  const c = input.checkpoint;
  const where = `up to size ${c.size} of log ${c.origin}`;
  const notes: string[] = [];
  const inLog = input.grantLeaves
    .filter((l) => l.origin === c.origin && l.leafIndex < c.size)
    .sort((a, b) => a.leafIndex - b.leafIndex);
  if (inLog.length === 0)
    return {
      verdict: 'not-committed',
      statement:
        input.grantLeaves.length === 0
          ? `not committed: ${input.grantName} has no sealed receipt, so it is in no checkpoint (stamp and seal it)`
          : `not committed: ${input.grantName} (leaf ${input.grantLeaves.map((l) => l.leafIndex).join(', ')}) is not in log ${c.origin} below size ${c.size}`,
      notes,
    };
  const grantLeaf = inLog[0]!;
  const head = input.head;
  const same = (l: PlacedLeaf) =>
    head !== null &&
    l.origin === c.origin &&
    l.leafIndex === head.leafIndex &&
    l.commitment === head.commitment;
  if (head === null || head.leafIndex < grantLeaf.leafIndex)
    return {
      verdict: 'refused',
      step: 'latest',
      statement: `the head proof is not for the grant's record: ${
        head === null
          ? `it shows no version of ${input.record} ${where}`
          : `the newest version of ${input.record} ${where} is leaf ${head.leafIndex}`
      }, yet ${input.grantName} is leaf ${grantLeaf.leafIndex} (ask for the proof of the record the grant was stamped under)`,
      notes,
    };
  // Two signed statements about one leaf that differ: evidence against the log, no verdict.
  const clash = [...inLog, ...input.revocations.flatMap((r) => r.leaves)].find(
    (l) => l.origin === c.origin && l.leafIndex === head.leafIndex && !same(l),
  );
  if (clash !== undefined)
    return {
      verdict: 'refused',
      step: 'latest',
      statement: `the head proof and a receipt disagree about leaf ${head.leafIndex} of log ${c.origin} (two commitments): one of them is not of this log's history; keep both as evidence`,
      notes,
    };
  const headIsGrant = inLog.some(same);
  const ordered = input.revocations.find((r) => r.leaves.some(same));
  // A revocation placed below C by a signed checkpoint, though not as a version of the record.
  const unordered = input.revocations
    .map((r) => ({
      r,
      leaf: r.leaves.find(
        (l) => l.origin === c.origin && l.leafIndex < c.size && l.signed && !same(l),
      ),
    }))
    .find((x) => x.leaf !== undefined);
  const effective = (r: PlacedRevocation) => (parseConsentTime(r.revokedAt) ?? 0) <= input.at;
  if (ordered !== undefined && effective(ordered))
    return {
      verdict: 'revoked',
      leafIndex: head.leafIndex,
      revocation: { name: ordered.name, revokedAt: ordered.revokedAt, ordered: true },
      statement: `revoked at leaf ${head.leafIndex}: ${ordered.name} (effective ${ordered.revokedAt}) is the newest version of the grant's record ${input.record} ${where}`,
      notes,
    };
  if (unordered !== undefined && effective(unordered.r)) {
    notes.push(
      `${unordered.r.name} was stamped as its own record, not as a version of ${input.record}: a head proof of the grant does not show it, so an auditor without that file would see the grant as not revoked; stamp it again (\`medanchor stamp ${unordered.r.name}\`) and seal to order it after the grant`,
    );
    return {
      verdict: 'revoked',
      leafIndex: unordered.leaf!.leafIndex,
      revocation: { name: unordered.r.name, revokedAt: unordered.r.revokedAt, ordered: false },
      statement: `revoked at leaf ${unordered.leaf!.leafIndex}: ${unordered.r.name} (effective ${unordered.r.revokedAt}) was committed ${where}, as its own record`,
      notes,
    };
  }
  for (const r of [ordered, unordered?.r])
    if (r !== undefined)
      notes.push(`${r.name} was committed ${where} but takes effect only at ${r.revokedAt}`);
  const g = input.grant;
  const from = parseConsentTime(g.validFrom)!;
  const until = g.validUntil === undefined ? undefined : parseConsentTime(g.validUntil)!;
  const atText = isoAt(input.at);
  if (input.at < from)
    return {
      verdict: 'not-yet-valid',
      leafIndex: grantLeaf.leafIndex,
      statement: `not yet valid at ${atText}: the grant is valid from ${g.validFrom}`,
      notes,
    };
  if (until !== undefined && input.at >= until)
    return {
      verdict: 'expired',
      leafIndex: grantLeaf.leafIndex,
      statement: `expired at ${g.validUntil} (checked at ${atText})`,
      notes,
    };
  if (!headIsGrant && ordered === undefined) {
    const known = input.unreadable?.find((u) => u.leafIndex === head.leafIndex);
    return {
      verdict: 'unseen',
      leafIndex: head.leafIndex,
      statement: `not proven in force: the grant's record ${input.record} has a newer version ${where} (leaf ${head.leafIndex}, ${head.count} versions) than ${input.grantName} (leaf ${grantLeaf.leafIndex}), and it is ${
        known === undefined
          ? 'none of the revocations given: a revocation may be withheld'
          : `${known.name} as stamped here: restore the revocation file to judge it`
      }`,
      notes,
    };
  }
  return {
    verdict: 'in-force',
    leafIndex: grantLeaf.leafIndex,
    statement: `in force as of size ${c.size} of log ${c.origin}: ${input.grantName} (leaf ${grantLeaf.leafIndex}) ${
      headIsGrant
        ? `is the newest version of its record ${input.record}, so no revocation was committed`
        : 'has only a revocation not yet in effect after it'
    }; valid from ${g.validFrom} ${g.validUntil === undefined ? 'until revoked' : `until ${g.validUntil}`}, checked at ${atText}`,
    notes,
  };
}

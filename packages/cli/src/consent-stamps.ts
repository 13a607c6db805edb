import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import {
  type ConsentGrant,
  consentRevocationProblem,
  parseJsonStrict,
  verifyConsentGrant,
} from '@medanchor/crypto';
import type { StampBook, StampLine } from './stamp-book.js';

// Signed grants and revocations are a few KiB (a multisig signer list included); a larger
// file is read as an ordinary record, never parsed.
const MAX_CONSENT_BYTES = 64 * 1024;

/** A signed consent document recognised in a stamped file. */
export type ConsentDocument =
  | {
      readonly kind: 'grant';
      /** The grant's hash (hex), as revocations name it. */
      readonly grant: string;
      readonly signed: unknown;
      readonly parsed: ConsentGrant;
    }
  | {
      readonly kind: 'revocation';
      /** The hash of the grant it revokes (hex), as the revocation names it. */
      readonly grant: string;
      readonly signed: unknown;
    };

/**
 * The signed consent grant (signature checked) or revocation (shape checked; its signature
 * needs the grant) that `bytes` hold, or undefined for any other content.
 */
export function consentDocumentOf(bytes: Uint8Array): ConsentDocument | undefined {
  if (bytes.length > MAX_CONSENT_BYTES || bytes[0] !== 0x7b /* { */) return undefined;
  let signed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // Most stamped JSON is no consent: skip parsing it.
    if (!text.includes('medanchor/consent-')) return undefined;
    signed = parseJsonStrict(text);
  } catch {
    return undefined;
  }
  const o = signed as { grant?: unknown; revocation?: unknown } | null;
  if (typeof o !== 'object' || o === null) return undefined;
  if ('grant' in o) {
    const v = verifyConsentGrant(signed);
    return v.valid ? { kind: 'grant', grant: v.grantHash, signed, parsed: v.grant } : undefined;
  }
  if ('revocation' in o && consentRevocationProblem(o.revocation) === undefined)
    return { kind: 'revocation', grant: (o.revocation as { grant: string }).grant, signed };
  return undefined;
}

/**
 * A file small enough to be a consent document, read once: its SHA-256 and the kind of
 * consent document it holds, if any. Undefined for a larger or unreadable file (the
 * caller streams it instead); never throws.
 */
export function smallFileFacts(
  path: string,
): { digest: Uint8Array; kind?: ConsentDocument['kind'] } | undefined {
  try {
    if (statSync(path).size > MAX_CONSENT_BYTES) return undefined;
    const bytes = new Uint8Array(readFileSync(path));
    const kind = consentDocumentOf(bytes)?.kind;
    const digest = new Uint8Array(createHash('sha256').update(bytes).digest());
    return kind === undefined ? { digest } : { digest, kind };
  } catch {
    return undefined;
  }
}

/**
 * Reads a small file whose content is still the one stamped (`digest`, hex); undefined
 * when it is gone, larger than any consent document, or changed since.
 */
export function readStampedSmallFile(path: string, digest: string): Uint8Array | undefined {
  try {
    if (statSync(path).size > MAX_CONSENT_BYTES) return undefined;
    const bytes = new Uint8Array(readFileSync(path));
    const now = createHash('sha256').update(bytes).digest('hex');
    return now === digest ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** A stamp of a consent document, with the document when its file still holds it. */
export interface ConsentStamp {
  readonly line: StampLine;
  /** Undefined when the file is gone or changed since it was stamped. */
  readonly document?: ConsentDocument;
}

/**
 * The stamps of a grant (by its hash) and of its revocations in a stamp list. Stamps made
 * since stamp recognises consents are found by their `consent` mark; older ones (a data
 * directory from before) by reading the small `.json` files that still hold what was
 * stamped, so a revocation stamped before is not missed.
 */
export function consentStamps(
  book: StampBook,
  grant: string,
): { grants: ConsentStamp[]; revocations: ConsentStamp[] } {
  const grants: ConsentStamp[] = [];
  const revocations: ConsentStamp[] = [];
  for (const line of book.all()) {
    let kind = line.consent?.grant === grant ? line.consent.kind : undefined;
    let document: ConsentDocument | undefined;
    if (line.consent === undefined && /\.json$/i.test(line.path)) {
      const bytes = readStampedSmallFile(book.absolute(line.path), line.digest);
      document = bytes === undefined ? undefined : consentDocumentOf(bytes);
      if (document?.grant === grant) kind = document.kind;
    } else if (kind !== undefined) {
      const bytes = readStampedSmallFile(book.absolute(line.path), line.digest);
      const read = bytes === undefined ? undefined : consentDocumentOf(bytes);
      document = read?.grant === grant && read.kind === kind ? read : undefined;
    }
    if (kind === undefined) continue;
    const stamp = document === undefined ? { line } : { line, document };
    (kind === 'grant' ? grants : revocations).push(stamp);
  }
  const byLeaf = (a: ConsentStamp, b: ConsentStamp) =>
    (a.line.leaf ?? Number.MAX_SAFE_INTEGER) - (b.line.leaf ?? Number.MAX_SAFE_INTEGER);
  return { grants: grants.sort(byLeaf), revocations: revocations.sort(byLeaf) };
}

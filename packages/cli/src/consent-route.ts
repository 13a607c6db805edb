import { verifyConsentRevocation } from '@medanchor/crypto';
import { consentDocumentOf, consentStamps, readStampedSmallFile } from './consent-stamps.js';
import { recordOf, type StampBook } from './stamp-book.js';

/** How `stamp` adds a consent document. */
export interface ConsentRoute {
  /** The file, as the stamp list names it. */
  readonly path: string;
  /** The mark its stamp line gets. */
  readonly consent: { kind: 'grant' | 'revocation'; grant: string };
  /** A revocation of a grant stamped here: the grant's record, which it is added under. */
  readonly revokes?: { record: string; grantFile: string };
  /** A revocation added as its own record, and why. */
  readonly unrouted?: string;
}

/**
 * Where a stamped file goes when it holds a signed consent document (undefined for any
 * other file, or one that changed since `digest` was taken): a grant under its own path,
 * marked so its revocations find it; a revocation under its grant's record, so the head
 * map orders it after the grant and a head proof of the grant shows it (docs/spec/head-map.md).
 * A revocation is routed only when it verifies against that grant (or, the grant's file
 * being gone, against the signer it names).
 */
export function consentRoute(
  book: StampBook,
  file: string,
  digest: string,
): ConsentRoute | undefined {
  const bytes = readStampedSmallFile(file, digest);
  const doc = bytes === undefined ? undefined : consentDocumentOf(bytes);
  if (doc === undefined) return undefined;
  const path = book.relative(file);
  const consent = { kind: doc.kind, grant: doc.grant };
  if (doc.kind === 'grant') return { path, consent };
  const { grants } = consentStamps(book, doc.grant);
  const fits = grants.find(
    (g) =>
      g.document?.kind === 'grant' && verifyConsentRevocation(doc.signed, g.document.parsed).valid,
  );
  const fallback =
    fits ??
    (verifyConsentRevocation(doc.signed).valid
      ? grants.find((g) => g.document === undefined)
      : undefined);
  if (fallback !== undefined)
    return {
      path,
      consent,
      revokes: { record: recordOf(fallback.line), grantFile: fallback.line.path },
    };
  return {
    path,
    consent,
    unrouted:
      grants.length === 0
        ? 'the grant it revokes is not stamped in this project'
        : 'it does not verify against the grant stamped here (another patient or signer, or a bad signature)',
  };
}

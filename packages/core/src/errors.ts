import type { CORE_ERROR_CODES } from './error-codes.js';

/** What an error code means and what the caller should do about it. */
export interface ErrorCodeEntry {
  /** What went wrong, in one sentence. */
  readonly meaning: string;
  /** What to do about it. */
  readonly action: string;
}

/** A package's catalogue of error codes: code -> meaning and action. */
export type ErrorCatalogue = Readonly<Record<string, ErrorCodeEntry>>;

/**
 * The codes of a catalogue as a type every package's codes can be merged into: each code
 * maps to {@link ErrorCodeEntry}, so two packages that declare the same code agree.
 */
export type ErrorCodesOf<C extends ErrorCatalogue> = { readonly [K in keyof C]: ErrorCodeEntry };

/**
 * Every error code medanchor knows, as the keys of one interface. Core's codes are here;
 * each package that throws codes of its own adds them by declaration merging from its
 * catalogue, so importing a package makes its codes known to the type checker:
 *
 * ```ts
 * declare module '@medanchor/core' {
 *   interface MedanchorErrorCodes extends ErrorCodesOf<typeof CHAIN_ERROR_CODES> {}
 * }
 * ```
 *
 * `docs/errors.md` lists every code with its meaning and what to do.
 */
export interface MedanchorErrorCodes extends ErrorCodesOf<typeof CORE_ERROR_CODES> {}

/** A code of {@link MedanchorErrorCodes}: the `code` of a {@link MedanchorError}. */
export type MedanchorErrorCode = keyof MedanchorErrorCodes & string;

/**
 * Options accepted by {@link MedanchorError}.
 */
export interface MedanchorErrorOptions {
  /** The underlying error, if this one wraps another. Never put secrets in it. */
  cause?: unknown;
  /** Structured, non-secret facts about the failure (sizes, indices, names). */
  details?: Record<string, string | number | boolean | bigint | null>;
}

/**
 * The one error family of medanchor. Every failure a caller can cause is a
 * `MedanchorError` with a stable, machine-readable `code` (for example
 * `INVALID_LENGTH` or `JOURNAL_CORRUPT`) and a message that says what to do.
 * Codes are typed ({@link MedanchorErrorCode}): a throw or a test of a code that no
 * catalogue declares does not compile.
 *
 * Messages and details never contain record content, salts or keys.
 *
 * @example
 * ```ts
 * try {
 *   log.inclusionProof(10n, 5n);
 * } catch (e) {
 *   if (isMedanchorError(e, 'INDEX_OUT_OF_RANGE')) {
 *     // ask for a smaller index
 *   }
 * }
 * ```
 */
export class MedanchorError<C extends MedanchorErrorCode = MedanchorErrorCode> extends Error {
  /** Stable code: safe to switch on, never changes meaning between versions. */
  readonly code: C;
  /** Structured, non-secret facts about the failure. */
  readonly details: Readonly<Record<string, string | number | boolean | bigint | null>>;

  constructor(code: C, message: string, options: MedanchorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MedanchorError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/** True when `e` is a {@link MedanchorError}, optionally with the given code. */
export function isMedanchorError<C extends MedanchorErrorCode = MedanchorErrorCode>(
  e: unknown,
  code?: C,
): e is MedanchorError<C> {
  return e instanceof MedanchorError && (code === undefined || e.code === code);
}

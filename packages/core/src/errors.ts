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
 *
 * Messages and details never contain record content, salts or keys.
 *
 * @example
 * ```ts
 * try {
 *   log.inclusionProof(10n, 5n);
 * } catch (e) {
 *   if (e instanceof MedanchorError && e.code === 'INDEX_OUT_OF_RANGE') {
 *     // ask for a smaller index
 *   }
 * }
 * ```
 */
export class MedanchorError extends Error {
  /** Stable code: safe to switch on, never changes meaning between versions. */
  readonly code: string;
  /** Structured, non-secret facts about the failure. */
  readonly details: Readonly<Record<string, string | number | boolean | bigint | null>>;

  constructor(code: string, message: string, options: MedanchorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MedanchorError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/** True when `e` is a {@link MedanchorError}, optionally with the given code. */
export function isMedanchorError(e: unknown, code?: string): e is MedanchorError {
  return e instanceof MedanchorError && (code === undefined || e.code === code);
}

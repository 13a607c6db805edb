// The one check of a whole-number setting, for flags (`--confirmations 6`), environment
// variables and config files alike: decimal digits (or a JSON number) within a range.

/** `value` as a whole number from `min` to `max`, or `undefined` when it is not one. */
export function wholeNumber(
  value: unknown,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** The range in words, as error messages say it: "a positive integer", "a whole number from 1 to 3". */
export function wholeNumberWords(min = 0, max?: number): string {
  if (max !== undefined) return `a whole number from ${min} to ${max}`;
  return min === 1 ? 'a positive integer' : `a whole number >= ${min}`;
}

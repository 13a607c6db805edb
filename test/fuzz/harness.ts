// Shared settings of the fuzz suite: every property is seeded (a failure names its
// seed and path, and reruns the same inputs) and runs FUZZ_RUNS inputs (10,000 by
// default; set MEDANCHOR_FUZZ_RUNS to run more, e.g. overnight).
import { isMedanchorError } from '@medanchor/core';
import fc from 'fast-check';

/** Inputs per property: at least 10,000 in CI. */
export const FUZZ_RUNS = Math.max(
  10_000,
  Number.parseInt(process.env['MEDANCHOR_FUZZ_RUNS'] ?? '', 10) || 0,
);

/** The fixed seed; `MEDANCHOR_FUZZ_SEED` replays another. */
export const FUZZ_SEED = Number.parseInt(process.env['MEDANCHOR_FUZZ_SEED'] ?? '', 10) || 0x6d61;

/**
 * fast-check parameters for one property: seeded, FUZZ_RUNS inputs times `share` (a
 * property whose every input costs a signature check takes a share, and the same
 * function's cheaper property the rest, so each function still sees >= FUZZ_RUNS).
 */
export function fuzzParams<T>(share = 1): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.ceil(FUZZ_RUNS * share), endOnFailure: true };
}

/**
 * Runs `f` and reports how it ended: a value, or a typed `MedanchorError` code. Any
 * other exception (TypeError, RangeError, ...) is rethrown, which fails the property.
 */
export function typedOutcome<T>(f: () => T): { value: T } | { code: string } {
  try {
    return { value: f() };
  } catch (e) {
    if (isMedanchorError(e)) return { code: e.code };
    throw e;
  }
}

/** Async form of {@link typedOutcome}. */
export async function typedOutcomeAsync<T>(
  f: () => Promise<T>,
): Promise<{ value: T } | { code: string }> {
  try {
    return { value: await f() };
  } catch (e) {
    if (isMedanchorError(e)) return { code: e.code };
    throw e;
  }
}

/** `bytes` with the mutation `m` applied: flip a bit, set a byte, cut or extend. */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number };

/** Arbitrary mutations of a byte string (positions are taken modulo its length). */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

/** Applies `m` to a copy of `bytes`. */
export function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  const at = n === 0 ? 0 : m.at % (m.kind === 'insert' || m.kind === 'truncate' ? n + 1 : n);
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice();
      if (n > 0) out[at] = out[at]! ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      const out = bytes.slice();
      if (n > 0) out[at] = m.value;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert': {
      const out = new Uint8Array(n + 1);
      out.set(bytes.subarray(0, at));
      out[at] = m.value;
      out.set(bytes.subarray(at), at + 1);
      return out;
    }
    case 'delete': {
      if (n === 0) return bytes.slice();
      const out = new Uint8Array(n - 1);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + 1), at);
      return out;
    }
  }
}

/** Applies one to three mutations in turn. */
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

/** Applies every mutation of `ms` to `bytes`. */
export function mutateAll(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  return ms.reduce((b, m) => mutate(b, m), bytes);
}

/** True when both byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

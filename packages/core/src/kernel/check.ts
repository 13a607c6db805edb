import { MedanchorError } from '../errors.js';

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Throws the typed error of a bad batch-kernel call (shared by every dispatcher). */
export function checkArguments(
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
  out: Uint8Array,
  outOffset: number,
): void {
  if (!(input instanceof Uint8Array) || !(out instanceof Uint8Array)) {
    throw new MedanchorError('INVALID_TYPE', 'input and out must be Uint8Arrays');
  }
  if (!isCount(prefix) || prefix > 255) {
    throw new MedanchorError('INVALID_ARGUMENT', 'prefix must be an integer from 0 to 255');
  }
  if (!isCount(inLen) || !isCount(count) || !isCount(outOffset)) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'inLen, count and outOffset must be non-negative integers',
    );
  }
  if (input.length < inLen * count) {
    throw new MedanchorError(
      'INVALID_LENGTH',
      `input must hold count * inLen = ${inLen * count} bytes, got ${input.length}`,
      { details: { expected: inLen * count, actual: input.length } },
    );
  }
  if (out.length < outOffset + 32 * count) {
    throw new MedanchorError(
      'INVALID_LENGTH',
      `out must hold outOffset + 32 * count = ${outOffset + 32 * count} bytes, got ${out.length}`,
      { details: { expected: outOffset + 32 * count, actual: out.length } },
    );
  }
}

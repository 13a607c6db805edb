import { MedanchorError } from './errors.js';

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Bytes of a hex string (upper or lower case, no `0x`).
 * @throws {@link MedanchorError} `INVALID_HEX` on odd length or a non-hex character.
 */
export function fromHex(hex: string, what = 'hex string'): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new MedanchorError('INVALID_HEX', `${what} must be an even-length hex string`, {
      details: { length: typeof hex === 'string' ? hex.length : -1 },
    });
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Concatenation of byte arrays into a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Byte-wise equality (not constant time: for public values such as hashes). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/**
 * Checks that `value` is a Uint8Array of `length` bytes (any length if omitted).
 * @throws {@link MedanchorError} `INVALID_LENGTH` or `INVALID_TYPE`.
 */
export function assertBytes(
  value: unknown,
  length?: number,
  what = 'value',
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new MedanchorError('INVALID_TYPE', `${what} must be a Uint8Array`);
  }
  if (length !== undefined && value.length !== length) {
    throw new MedanchorError(
      'INVALID_LENGTH',
      `${what} must be ${length} bytes, got ${value.length}`,
      {
        details: { expected: length, actual: value.length },
      },
    );
  }
}

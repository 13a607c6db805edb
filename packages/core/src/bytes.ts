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
  const bad = () =>
    new MedanchorError('INVALID_HEX', `${what} must be an even-length hex string`, {
      details: { length: typeof hex === 'string' ? hex.length : -1 },
    });
  if (typeof hex !== 'string' || hex.length % 2 !== 0) throw bad();
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw bad();
    out[i] = hi * 16 + lo;
  }
  return out;
}

// Value of one hex digit's char code, or -1.
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
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

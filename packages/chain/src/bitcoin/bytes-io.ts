import { MedanchorError, type MedanchorErrorCode } from '@medanchor/core';

/** Little-endian u32 at `offset`. */
export function readU32LE(b: Uint8Array, offset: number): number {
  return (
    (b[offset]! | (b[offset + 1]! << 8) | (b[offset + 2]! << 16) | (b[offset + 3]! << 24)) >>> 0
  );
}

/** Writes `value` as a little-endian u32 at `offset`. */
export function writeU32LE(b: Uint8Array, offset: number, value: number): void {
  b[offset] = value & 0xff;
  b[offset + 1] = (value >>> 8) & 0xff;
  b[offset + 2] = (value >>> 16) & 0xff;
  b[offset + 3] = (value >>> 24) & 0xff;
}

/**
 * A bounds-checked cursor over serialized Bitcoin data. Every read past the end
 * throws `code` so callers can report truncated input as their own error.
 */
export class ByteReader {
  offset = 0;
  constructor(
    readonly bytes: Uint8Array,
    private readonly code: MedanchorErrorCode,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number): void {
    if (n > this.remaining) {
      throw new MedanchorError(
        this.code,
        `${this.what} is truncated: check that the hex is complete`,
        {
          details: { offset: this.offset, needed: n },
        },
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u32(): number {
    this.need(4);
    const v = readU32LE(this.bytes, this.offset);
    this.offset += 4;
    return v;
  }

  u64(): bigint {
    const lo = BigInt(this.u32());
    const hi = BigInt(this.u32());
    return (hi << 32n) | lo;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Bitcoin CompactSize; non-minimal encodings are rejected, as Core does. */
  varint(): number {
    const first = this.u8();
    let v: number;
    let min: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      const b = this.take(2);
      v = b[0]! | (b[1]! << 8);
      min = 0xfd;
    } else if (first === 0xfe) {
      v = this.u32();
      min = 0x10000;
    } else {
      const big = this.u64();
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new MedanchorError(this.code, `${this.what} has an impossible length field`);
      }
      v = Number(big);
      min = 0x100000000;
    }
    if (v < min) {
      throw new MedanchorError(this.code, `${this.what} has a non-canonical length field`, {
        details: { offset: this.offset },
      });
    }
    return v;
  }
}

/** CompactSize encoding of `n`. */
export function encodeVarint(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  if (n <= 0xffffffff) {
    const b = new Uint8Array(5);
    b[0] = 0xfe;
    writeU32LE(b, 1, n);
    return b;
  }
  const b = new Uint8Array(9);
  b[0] = 0xff;
  writeU32LE(b, 1, n >>> 0);
  writeU32LE(b, 5, Math.floor(n / 0x100000000));
  return b;
}

import { script as bscript } from 'bitcoinjs-lib';

/** The output script templates the devnet relays. */
export type OutputType =
  | 'p2pkh'
  | 'p2sh'
  | 'p2wpkh'
  | 'p2wsh'
  | 'p2tr'
  | 'nulldata'
  | 'nonstandard';

const OP_RETURN = 0x6a;

/** Classifies an output script by its template, as Bitcoin Core's `Solver` does for these types. */
export function outputType(s: Uint8Array): OutputType {
  const n = s.length;
  if (
    n === 25 &&
    s[0] === 0x76 &&
    s[1] === 0xa9 &&
    s[2] === 0x14 &&
    s[23] === 0x88 &&
    s[24] === 0xac
  )
    return 'p2pkh';
  if (n === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) return 'p2sh';
  if (n === 22 && s[0] === 0x00 && s[1] === 0x14) return 'p2wpkh';
  if (n === 34 && s[0] === 0x00 && s[1] === 0x20) return 'p2wsh';
  if (n === 34 && s[0] === 0x51 && s[1] === 0x20) return 'p2tr';
  if (n >= 1 && s[0] === OP_RETURN && isPushOnly(s.subarray(1))) return 'nulldata';
  return 'nonstandard';
}

/** Bytes pushed after the OP_RETURN of a nulldata script (0 for a bare OP_RETURN). */
export function nulldataSize(s: Uint8Array): number {
  const chunks = bscript.decompile(s.subarray(1)) ?? [];
  let size = 0;
  for (const c of chunks) if (c instanceof Uint8Array) size += c.length;
  return size;
}

function isPushOnly(s: Uint8Array): boolean {
  const chunks = bscript.decompile(s);
  if (chunks === null) return false;
  // OP_0, pushes, OP_1NEGATE and OP_1..OP_16 are push operations.
  return chunks.every(
    (c) => c instanceof Uint8Array || c === 0 || c === 0x4f || (c >= 0x51 && c <= 0x60),
  );
}

/** The witness program of a segwit output script (P2WPKH, P2WSH, P2TR), else undefined. */
export function witnessProgram(s: Uint8Array): Uint8Array | undefined {
  const t = outputType(s);
  return t === 'p2wpkh' || t === 'p2wsh' || t === 'p2tr' ? s.subarray(2) : undefined;
}

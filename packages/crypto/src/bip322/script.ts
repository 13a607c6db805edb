// Bitcoin script bytes: parsing into operations, minimal pushes, script numbers and
// the standard templates BIP-322 signers use. Data only; running scripts is interpreter.ts.
import { concatBytes } from '@medanchor/core';

/** The opcodes this package names (the rest keep their byte values). */
export const OP = {
  OP_0: 0x00,
  OP_PUSHDATA1: 0x4c,
  OP_PUSHDATA2: 0x4d,
  OP_PUSHDATA4: 0x4e,
  OP_1NEGATE: 0x4f,
  OP_1: 0x51,
  OP_16: 0x60,
  OP_NOP: 0x61,
  OP_IF: 0x63,
  OP_NOTIF: 0x64,
  OP_ELSE: 0x67,
  OP_ENDIF: 0x68,
  OP_VERIFY: 0x69,
  OP_RETURN: 0x6a,
  OP_DROP: 0x75,
  OP_DUP: 0x76,
  OP_SWAP: 0x7c,
  OP_SIZE: 0x82,
  OP_EQUAL: 0x87,
  OP_EQUALVERIFY: 0x88,
  OP_NUMEQUAL: 0x9c,
  OP_NUMEQUALVERIFY: 0x9d,
  OP_GREATERTHANOREQUAL: 0xa2,
  OP_RIPEMD160: 0xa6,
  OP_SHA256: 0xa8,
  OP_HASH160: 0xa9,
  OP_HASH256: 0xaa,
  OP_CHECKSIG: 0xac,
  OP_CHECKSIGVERIFY: 0xad,
  OP_CHECKMULTISIG: 0xae,
  OP_CHECKMULTISIGVERIFY: 0xaf,
  OP_CHECKLOCKTIMEVERIFY: 0xb1,
  OP_CHECKSEQUENCEVERIFY: 0xb2,
  OP_CHECKSIGADD: 0xba,
} as const;

/** One parsed operation: an opcode, with its data when it pushes bytes. */
export interface ScriptOp {
  /** The opcode byte. */
  op: number;
  /** Pushed bytes for OP_0 and the push opcodes (0x01 to 0x4e); undefined otherwise. */
  data?: Uint8Array;
  /** True when the push used the shortest encoding for its data. */
  minimal?: boolean;
}

/** Splits a script into operations, or undefined when a push runs past the end. */
export function parseScript(script: Uint8Array): ScriptOp[] | undefined {
  const ops: ScriptOp[] = [];
  let pos = 0;
  while (pos < script.length) {
    const op = script[pos++]!;
    if (op > OP.OP_PUSHDATA4) {
      ops.push({ op });
      continue;
    }
    let len = op;
    if (op === OP.OP_PUSHDATA1) {
      if (pos + 1 > script.length) return undefined;
      len = script[pos]!;
      pos += 1;
    } else if (op === OP.OP_PUSHDATA2) {
      if (pos + 2 > script.length) return undefined;
      len = script[pos]! | (script[pos + 1]! << 8);
      pos += 2;
    } else if (op === OP.OP_PUSHDATA4) {
      if (pos + 4 > script.length) return undefined;
      len =
        (script[pos]! | (script[pos + 1]! << 8) | (script[pos + 2]! << 16)) +
        script[pos + 3]! * 0x1000000;
      pos += 4;
    }
    if (pos + len > script.length) return undefined;
    const data = script.subarray(pos, pos + len);
    pos += len;
    ops.push({ op, data, minimal: isMinimalPush(op, data) });
  }
  return ops;
}

function isMinimalPush(op: number, data: Uint8Array): boolean {
  const n = data.length;
  if (n === 0) return op === OP.OP_0;
  if (n === 1 && data[0]! >= 1 && data[0]! <= 16) return false; // OP_1..OP_16
  if (n === 1 && data[0] === 0x81) return false; // OP_1NEGATE
  if (n <= 75) return op === n;
  if (n <= 255) return op === OP.OP_PUSHDATA1;
  if (n <= 65535) return op === OP.OP_PUSHDATA2;
  return true;
}

/** The shortest push of `data` (OP_0, OP_1..OP_16 and OP_1NEGATE for the one-byte values). */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n === 0) return Uint8Array.of(OP.OP_0);
  if (n === 1 && data[0]! >= 1 && data[0]! <= 16) return Uint8Array.of(OP.OP_1 - 1 + data[0]!);
  if (n === 1 && data[0] === 0x81) return Uint8Array.of(OP.OP_1NEGATE);
  if (n <= 75) return concatBytes(Uint8Array.of(n), data);
  if (n <= 255) return concatBytes(Uint8Array.of(OP.OP_PUSHDATA1, n), data);
  return concatBytes(Uint8Array.of(OP.OP_PUSHDATA2, n & 0xff, n >> 8), data);
}

/** Encodes a script number (little-endian, sign bit in the top byte, shortest form). */
export function scriptNumBytes(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0);
  const neg = n < 0n;
  let abs = neg ? -n : n;
  const out: number[] = [];
  while (abs > 0n) {
    out.push(Number(abs & 0xffn));
    abs >>= 8n;
  }
  if (out[out.length - 1]! & 0x80) out.push(neg ? 0x80 : 0x00);
  else if (neg) out[out.length - 1]! |= 0x80;
  return Uint8Array.from(out);
}

/**
 * Decodes a script number of at most `maxLength` bytes in its shortest form,
 * or undefined (too long, or padded).
 */
export function scriptNum(bytes: Uint8Array, maxLength = 4): bigint | undefined {
  if (bytes.length > maxLength) return undefined;
  if (bytes.length === 0) return 0n;
  const last = bytes[bytes.length - 1]!;
  // Shortest form: the top byte carries more than the sign, unless the byte below needs it.
  if ((last & 0x7f) === 0 && (bytes.length === 1 || (bytes[bytes.length - 2]! & 0x80) === 0)) {
    return undefined;
  }
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) {
    v = (v << 8n) | BigInt(i === bytes.length - 1 ? bytes[i]! & 0x7f : bytes[i]!);
  }
  return last & 0x80 ? -v : v;
}

/** A push of the small number or script number `n`. */
export function pushNumber(n: number | bigint): Uint8Array {
  const v = BigInt(n);
  if (v === 0n) return Uint8Array.of(OP.OP_0);
  if (v >= 1n && v <= 16n) return Uint8Array.of(OP.OP_1 - 1 + Number(v));
  return pushData(scriptNumBytes(v));
}

/** `OP_m <key>... OP_n OP_CHECKMULTISIG`: the standard bare multisig script. */
export function multisigScript(m: number, keys: readonly Uint8Array[]): Uint8Array {
  return concatBytes(
    pushNumber(m),
    ...keys.map(pushData),
    pushNumber(keys.length),
    Uint8Array.of(OP.OP_CHECKMULTISIG),
  );
}

/** `OP_DUP OP_HASH160 <h> OP_EQUALVERIFY OP_CHECKSIG` (P2PKH, and the P2WPKH script code). */
export function p2pkhScript(keyHash: Uint8Array): Uint8Array {
  return concatBytes(
    Uint8Array.of(OP.OP_DUP, OP.OP_HASH160, 20),
    keyHash,
    Uint8Array.of(OP.OP_EQUALVERIFY, OP.OP_CHECKSIG),
  );
}

/** `OP_HASH160 <h> OP_EQUAL` (P2SH). */
export function p2shScript(scriptHash: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP.OP_HASH160, 20), scriptHash, Uint8Array.of(OP.OP_EQUAL));
}

/** True for a script made of pushes only (what a scriptSig must be). */
export function isPushOnly(ops: readonly ScriptOp[]): boolean {
  return ops.every((o) => o.op <= OP.OP_16 && o.op !== 0x50);
}

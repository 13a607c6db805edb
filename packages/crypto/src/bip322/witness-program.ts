// The standard multisig script shape (OP_m <keys> OP_n OP_CHECKMULTISIG), which signers
// recognise to order their signatures.

/** A standard multisig witness script: threshold and public keys in script order. */
export interface Multisig {
  m: number;
  keys: Uint8Array[];
}

/** Parses `OP_m <pk>... OP_n OP_CHECKMULTISIG` with 33- or 65-byte keys; undefined otherwise. */
export function parseMultisigScript(script: Uint8Array): Multisig | undefined {
  const small = (op: number | undefined) =>
    op !== undefined && op >= 0x51 && op <= 0x60 ? op - 0x50 : 0;
  const m = small(script[0]);
  if (m === 0) return undefined;
  const keys: Uint8Array[] = [];
  let pos = 1;
  while (pos < script.length && (script[pos] === 33 || script[pos] === 65)) {
    const len = script[pos]!;
    if (pos + 1 + len > script.length) return undefined;
    keys.push(script.subarray(pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  const n = small(script[pos]);
  if (
    n === 0 ||
    n !== keys.length ||
    m > n ||
    pos + 2 !== script.length ||
    script[pos + 1] !== 0xae
  ) {
    return undefined;
  }
  return { m, keys };
}

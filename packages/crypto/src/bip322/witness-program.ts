// What the witness of a BIP-322 simple signature must satisfy for each supported
// output type: P2WPKH, P2WSH standard multisig (m-of-n CHECKMULTISIG), P2TR key path.
import { equalBytes, sha256 } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { hash160, type SegwitAddress } from './address.js';
import {
  p2wpkhScriptCode,
  SIGHASH_ALL,
  SIGHASH_DEFAULT,
  sighashSegwitV0,
  sighashTaprootKeyPath,
} from './sighash.js';
import type { Tx, TxOutput } from './tx.js';

/** The output types a witness is checked against. */
export type Bip322AddressType = 'p2wpkh' | 'p2wsh' | 'p2tr';

/** Output type of a decoded address, or undefined when BIP-322 simple signing is not supported for it. */
export function addressType(a: SegwitAddress): Bip322AddressType | undefined {
  if (a.version === 0 && a.program.length === 20) return 'p2wpkh';
  if (a.version === 0 && a.program.length === 32) return 'p2wsh';
  if (a.version === 1 && a.program.length === 32) return 'p2tr';
  return undefined;
}

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

/** Splits `DER || hashType` and checks ECDSA (strict DER, low S) over `digest`. */
function checkEcdsa(sigWithType: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean {
  if (sigWithType.length < 9 || sigWithType[sigWithType.length - 1] !== SIGHASH_ALL) return false;
  try {
    return secp256k1.verify(sigWithType.subarray(0, -1), digest, publicKey, {
      prehash: false,
      format: 'der',
    });
  } catch {
    return false;
  }
}

/**
 * Why the witness of input 0 of `toSign` does not satisfy the output `spent`, or
 * undefined when it does. Never throws.
 */
export function witnessFailure(
  toSign: Tx,
  spent: TxOutput,
  address: SegwitAddress,
): string | undefined {
  const type = addressType(address);
  const stack = toSign.inputs[0]?.witness ?? [];
  if (stack.length === 0) return 'invalid signature: the witness stack is empty';
  if (type === 'p2wpkh') {
    const [sig, pub] = stack;
    if (stack.length !== 2 || sig === undefined || pub === undefined) {
      return 'invalid signature: a P2WPKH witness is <signature> <public key>';
    }
    if (pub.length !== 33 || !equalBytes(hash160(pub), address.program)) {
      return 'invalid signature: the public key does not hash to the address';
    }
    const digest = sighashSegwitV0(toSign, 0, p2wpkhScriptCode(address.program), spent.value);
    return checkEcdsa(sig, digest, pub) ? undefined : 'invalid signature: ECDSA check failed';
  }
  if (type === 'p2wsh') {
    const script = stack[stack.length - 1]!;
    if (!equalBytes(sha256(script), address.program)) {
      return 'invalid signature: the witness script does not hash to the address';
    }
    const ms = parseMultisigScript(script);
    if (!ms) return 'invalid signature: only standard multisig witness scripts are supported';
    const sigs = stack.slice(1, -1);
    if (stack.length !== ms.m + 2 || stack[0]!.length !== 0) {
      return `invalid signature: expected an empty dummy then ${ms.m} signatures`;
    }
    const digest = sighashSegwitV0(toSign, 0, script, spent.value);
    // CHECKMULTISIG: signatures match keys in script order, each key used at most once.
    let k = 0;
    for (const sig of sigs) {
      while (k < ms.keys.length && !checkEcdsa(sig, digest, ms.keys[k]!)) k++;
      if (k === ms.keys.length)
        return 'invalid signature: a multisig signature matches no remaining key';
      k++;
    }
    return undefined;
  }
  if (type === 'p2tr') {
    if (stack.length !== 1)
      return 'invalid signature: only taproot key-path spends (one witness item) are supported';
    const sig = stack[0]!;
    if (sig.length !== 64 && !(sig.length === 65 && sig[64] === SIGHASH_ALL)) {
      return 'invalid signature: a taproot signature is 64 bytes, or 65 ending in SIGHASH_ALL';
    }
    const hashType = sig.length === 65 ? SIGHASH_ALL : SIGHASH_DEFAULT;
    const digest = sighashTaprootKeyPath(toSign, 0, [spent], hashType);
    let ok = false;
    try {
      ok = schnorr.verify(sig.subarray(0, 64), digest, address.program);
    } catch {
      ok = false;
    }
    return ok ? undefined : 'invalid signature: Schnorr check failed';
  }
  return 'unsupported address type for BIP-322 simple signatures';
}

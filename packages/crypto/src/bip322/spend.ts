// Whether input 0 of a BIP-322 to_sign transaction validly spends to_spend's output:
// Bitcoin Core's VerifyScript order (scriptSig, scriptPubKey, P2SH, witness program,
// clean stack) for P2PKH, P2SH (bare or wrapping segwit), P2WPKH, P2WSH and P2TR
// (key path and tapscript), with Core's standard-policy flags.
import { equalBytes, sha256 } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { castToBool, runScript, type ScriptContext, type SigCheck } from './interpreter.js';
import { isPushOnly, p2pkhScript, parseScript } from './script.js';
import {
  SIGHASH_ALL,
  SIGHASH_DEFAULT,
  sighashLegacy,
  sighashSegwitV0,
  sighashTaprootKeyPath,
} from './sighash.js';
import { controlBlockProblem, TAPSCRIPT_LEAF_VERSION, tapLeafHash } from './taproot.js';
import type { Tx, TxOutput } from './tx.js';

/**
 * Why a spend failed: a signature, a key or script that belongs to another address,
 * something not supported here, or the script itself.
 */
export interface SpendFailure {
  kind: 'bad-signature' | 'wrong-address' | 'unsupported' | 'failed';
  reason: string;
}

const failed = (reason: string): SpendFailure => ({ kind: 'failed', reason });

/** Splits `DER || hashType` and checks ECDSA (strict DER, low S) over `digest`. */
function checkEcdsa(sig: Uint8Array, pub: Uint8Array, digest: Uint8Array): SigCheck {
  if (sig[sig.length - 1] !== SIGHASH_ALL) {
    return sig.length < 9 ? 'bad-encoding' : 'unsupported';
  }
  const validKey =
    (pub.length === 33 && (pub[0] === 2 || pub[0] === 3)) || (pub.length === 65 && pub[0] === 4);
  if (!validKey) return 'bad-encoding';
  try {
    return secp256k1.verify(sig.subarray(0, -1), digest, pub, { prehash: false, format: 'der' })
      ? 'valid'
      : 'invalid';
  } catch {
    return 'bad-encoding';
  }
}

function checkSchnorr(
  sig: Uint8Array,
  pub: Uint8Array,
  digestOf: (t: number) => Uint8Array,
): SigCheck {
  if (sig.length !== 64 && sig.length !== 65) return 'bad-encoding';
  if (sig.length === 65 && sig[64] !== SIGHASH_ALL) {
    return sig[64] === SIGHASH_DEFAULT ? 'bad-encoding' : 'unsupported';
  }
  const hashType = sig.length === 65 ? SIGHASH_ALL : SIGHASH_DEFAULT;
  try {
    return schnorr.verify(sig.subarray(0, 64), digestOf(hashType), pub) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

function contexts(tx: Tx, spent: TxOutput) {
  const legacy: ScriptContext = {
    version: 'legacy',
    tx,
    index: 0,
    checkSig: (sig, pub, script) => checkEcdsa(sig, pub, sighashLegacy(tx, 0, script)),
  };
  const v0: ScriptContext = {
    version: 'v0',
    tx,
    index: 0,
    checkSig: (sig, pub, script) =>
      // Segwit v0 accepts compressed keys only (policy WITNESS_PUBKEYTYPE).
      pub.length !== 33
        ? 'bad-encoding'
        : checkEcdsa(sig, pub, sighashSegwitV0(tx, 0, script, spent.value)),
  };
  const tapscript: ScriptContext = {
    version: 'tapscript',
    tx,
    index: 0,
    checkSig: (sig, pub, script) =>
      pub.length !== 32
        ? 'unsupported'
        : checkSchnorr(sig, pub, (t) =>
            sighashTaprootKeyPath(tx, 0, [spent], t, tapLeafHash(script)),
          ),
  };
  return { legacy, v0, tapscript, tx, spent };
}

/** True when a script succeeded leaving exactly one true item (the clean-stack rule). */
function cleanTrue(stack: Uint8Array[]): boolean {
  return stack.length === 1 && castToBool(stack[0]!);
}

function witnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | undefined {
  const n = script.length;
  if (n < 4 || n > 42) return undefined;
  const op = script[0]!;
  if (op !== 0 && (op < 0x51 || op > 0x60)) return undefined;
  if (script[1] !== n - 2) return undefined;
  return { version: op === 0 ? 0 : op - 0x50, program: script.subarray(2) };
}

function isP2pkh(script: Uint8Array): boolean {
  return (
    script.length === 25 &&
    script[0] === 0x76 &&
    script[1] === 0xa9 &&
    script[2] === 20 &&
    script[23] === 0x88 &&
    script[24] === 0xac
  );
}

function isP2sh(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === 0xa9 && script[1] === 20 && script[22] === 0x87;
}

/**
 * Why input 0 of `tx` does not spend `spent`, or undefined when it does. Never throws.
 */
export function spendFailure(tx: Tx, spent: TxOutput): SpendFailure | undefined {
  try {
    return check(tx, spent);
  } catch {
    return failed('the spend could not be evaluated');
  }
}

function check(tx: Tx, spent: TxOutput): SpendFailure | undefined {
  const input = tx.inputs[0]!;
  const ctx = contexts(tx, spent);
  const sigOps = parseScript(input.scriptSig);
  if (sigOps === undefined || !isPushOnly(sigOps)) return failed('the scriptSig is not push-only');
  const afterSig = runScript(input.scriptSig, [], ctx.legacy);
  if (!afterSig.ok) return afterSig;
  // The key or script a legacy spend reveals must hash to the address: say so plainly
  // rather than as a failed OP_EQUALVERIFY.
  const revealed = afterSig.stack[afterSig.stack.length - 1];
  const hashed = isP2pkh(spent.script) || isP2sh(spent.script);
  if (hashed && revealed !== undefined) {
    const want = spent.script.subarray(
      isP2sh(spent.script) ? 2 : 3,
      isP2sh(spent.script) ? 22 : 23,
    );
    if (!equalBytes(ripemd160(sha256(revealed)), want)) {
      return {
        kind: 'wrong-address',
        reason: isP2sh(spent.script)
          ? 'invalid signature: the redeem script does not hash to the address'
          : 'invalid signature: the public key does not hash to the address',
      };
    }
  }
  const afterPubKey = runScript(spent.script, afterSig.stack, ctx.legacy);
  if (!afterPubKey.ok) return afterPubKey;
  const stack = afterPubKey.stack;
  if (stack.length === 0 || !castToBool(stack[stack.length - 1]!)) {
    return spent.script.length === 25
      ? { kind: 'bad-signature', reason: 'invalid signature: the P2PKH script evaluated false' }
      : failed('invalid signature: the output script evaluated false');
  }
  const direct = witnessProgram(spent.script);
  if (direct !== undefined) {
    if (input.scriptSig.length !== 0)
      return failed('a native segwit spend must have an empty scriptSig');
    return witnessFailure(direct.version, direct.program, input.witness, ctx, false);
  }
  if (isP2sh(spent.script)) {
    const redeem = afterSig.stack[afterSig.stack.length - 1];
    if (redeem === undefined) return failed('a P2SH spend needs its redeem script');
    const nested = witnessProgram(redeem);
    if (nested !== undefined) {
      // P2SH-wrapped segwit: the scriptSig is exactly one push of the program script.
      if (sigOps.length !== 1) return failed('a P2SH-wrapped segwit scriptSig is one push');
      return witnessFailure(nested.version, nested.program, input.witness, ctx, true);
    }
    const inner = runScript(redeem, afterSig.stack.slice(0, -1), ctx.legacy);
    if (!inner.ok) return inner;
    if (!cleanTrue(inner.stack))
      return failed('invalid signature: the redeem script evaluated false or left extra items');
  } else if (stack.length !== 1) {
    return failed('the scripts left extra stack items (CLEANSTACK)');
  }
  if (input.witness.length > 0) return failed('a witness given for an output that has none');
  return undefined;
}

function witnessFailure(
  version: number,
  program: Uint8Array,
  witness: Uint8Array[],
  ctx: ReturnType<typeof contexts>,
  wrapped: boolean,
): SpendFailure | undefined {
  if (witness.length === 0)
    return { kind: 'bad-signature', reason: 'invalid signature: the witness stack is empty' };
  if (version === 0) {
    if (program.length === 20) {
      if (witness.length !== 2) {
        return {
          kind: 'bad-signature',
          reason: 'invalid signature: a P2WPKH witness is <signature> <public key>',
        };
      }
      if (!equalBytes(ripemd160(sha256(witness[1]!)), program)) {
        return {
          kind: 'wrong-address',
          reason: 'invalid signature: the public key does not hash to the address',
        };
      }
      return finish(runScript(p2pkhScript(program), witness, ctx.v0));
    }
    if (program.length === 32) {
      const script = witness[witness.length - 1]!;
      if (!equalBytes(sha256(script), program)) {
        return {
          kind: 'wrong-address',
          reason: 'invalid signature: the witness script does not hash to the address',
        };
      }
      const args = witness.slice(0, -1);
      if (args.some((a) => a.length > 520)) return failed('a witness item longer than 520 bytes');
      return finish(runScript(script, args, ctx.v0));
    }
    return failed('a v0 witness program is 20 or 32 bytes');
  }
  if (version === 1 && program.length === 32 && !wrapped) {
    const last = witness[witness.length - 1]!;
    if (witness.length >= 2 && last[0] === 0x50) {
      return { kind: 'unsupported', reason: 'taproot annexes are not supported' };
    }
    if (witness.length === 1) {
      // The key path signs the BIP-341 digest without a leaf.
      const r = checkSchnorr(witness[0]!, program, (t) =>
        sighashTaprootKeyPath(ctx.tx, 0, [ctx.spent], t),
      );
      if (r === 'valid') return undefined;
      if (r === 'unsupported') {
        return { kind: 'unsupported', reason: 'a taproot hash type other than DEFAULT or ALL' };
      }
      return {
        kind: 'bad-signature',
        reason:
          r === 'bad-encoding'
            ? 'invalid signature: a taproot signature is 64 bytes, or 65 ending in SIGHASH_ALL'
            : 'invalid signature: Schnorr check failed',
      };
    }
    const control = last;
    const script = witness[witness.length - 2]!;
    const bad = controlBlockProblem(control, script, program);
    if (bad) return { kind: 'wrong-address', reason: `invalid signature: ${bad}` };
    if ((control[0]! & 0xfe) !== TAPSCRIPT_LEAF_VERSION) {
      return { kind: 'unsupported', reason: 'a tapleaf version other than 0xc0 is not supported' };
    }
    return finish(runScript(script, witness.slice(0, -2), ctx.tapscript));
  }
  return { kind: 'unsupported', reason: `witness version ${version} outputs are not supported` };
}

function finish(r: ReturnType<typeof runScript>): SpendFailure | undefined {
  if (!r.ok) return r;
  if (!cleanTrue(r.stack)) {
    return r.stack.length === 1 || r.stack.length === 0
      ? { kind: 'bad-signature', reason: 'invalid signature: the script evaluated false' }
      : failed('the script left extra stack items (CLEANSTACK)');
  }
  return undefined;
}

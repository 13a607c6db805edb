// A small Bitcoin script interpreter for BIP-322: the opcodes that signature scripts
// use (pushes, flow control, stack moves, hashes, signature checks, time locks), run
// under Bitcoin Core's standard policy (minimal pushes, MINIMALIF, NULLFAIL, low S,
// clean stack). Any other opcode is reported as unsupported, never guessed at.
import { equalBytes, sha256 } from '@medanchor/core';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { OP, parseScript, type ScriptOp, scriptNum, scriptNumBytes } from './script.js';
import { hash256, type Tx } from './tx.js';

/** Which rules a script runs under (BIP-141 segwit v0, BIP-342 tapscript, or neither). */
export type ScriptVersion = 'legacy' | 'v0' | 'tapscript';

/** Why a script did not succeed: a signature failed, it used what is not supported here, or it evaluated false. */
export type ScriptFailureKind = 'bad-signature' | 'unsupported' | 'failed';

/** A script's outcome: the final stack, or the kind and reason of its failure. */
export type ScriptResult =
  | { ok: true; stack: Uint8Array[] }
  | { ok: false; kind: ScriptFailureKind; reason: string };

/** The outcome of one signature check. */
export type SigCheck = 'valid' | 'invalid' | 'bad-encoding' | 'unsupported';

/** What the interpreter needs from the spending transaction. */
export interface ScriptContext {
  version: ScriptVersion;
  tx: Tx;
  index: number;
  /** Checks `sig` (with its hash-type byte) by `pubkey` over the script being run. */
  checkSig(sig: Uint8Array, pubkey: Uint8Array, script: Uint8Array): SigCheck;
}

const MAX_ELEMENT = 520;
const MAX_STACK = 1000;
const MAX_SCRIPT = 10_000;
const MAX_OPS = 201;
const LOCKTIME_THRESHOLD = 500_000_000n;
const SEQUENCE_DISABLE = 1n << 31n;
const SEQUENCE_TYPE = 1n << 22n;
const SEQUENCE_MASK = 0xffffn;

class Fail extends Error {
  constructor(
    readonly kind: ScriptFailureKind,
    reason: string,
  ) {
    super(reason);
  }
}

const fail = (reason: string): never => {
  throw new Fail('failed', reason);
};
const unsupported = (reason: string): never => {
  throw new Fail('unsupported', reason);
};
const badSignature = (reason: string): never => {
  throw new Fail('bad-signature', reason);
};

/** Script truth: any non-zero byte, except a lone sign bit in the last byte (negative zero). */
export function castToBool(v: Uint8Array): boolean {
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) return !(i === v.length - 1 && v[i] === 0x80);
  }
  return false;
}

// Every opcode `step` implements (pushes and OP_1..OP_16 aside).
const SUPPORTED = new Set<number>([
  OP.OP_1NEGATE,
  OP.OP_NOP,
  OP.OP_IF,
  OP.OP_NOTIF,
  OP.OP_ELSE,
  OP.OP_ENDIF,
  OP.OP_VERIFY,
  OP.OP_RETURN,
  OP.OP_DROP,
  OP.OP_DUP,
  OP.OP_SWAP,
  OP.OP_SIZE,
  OP.OP_EQUAL,
  OP.OP_EQUALVERIFY,
  OP.OP_NUMEQUAL,
  OP.OP_NUMEQUALVERIFY,
  OP.OP_GREATERTHANOREQUAL,
  OP.OP_RIPEMD160,
  OP.OP_SHA256,
  OP.OP_HASH160,
  OP.OP_HASH256,
  OP.OP_CHECKSIG,
  OP.OP_CHECKSIGVERIFY,
  OP.OP_CHECKMULTISIG,
  OP.OP_CHECKMULTISIGVERIFY,
  OP.OP_CHECKLOCKTIMEVERIFY,
  OP.OP_CHECKSEQUENCEVERIFY,
  OP.OP_CHECKSIGADD,
]);

const TRUE = Uint8Array.of(1);
const FALSE = new Uint8Array(0);

/**
 * Runs `script` on a copy of `stack` under `ctx`'s rules. Never throws.
 * @returns the final stack, or why the script failed.
 */
export function runScript(
  script: Uint8Array,
  stack: readonly Uint8Array[],
  ctx: ScriptContext,
): ScriptResult {
  try {
    return { ok: true, stack: run(script, [...stack], ctx) };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, kind: e.kind, reason: e.message };
    return { ok: false, kind: 'failed', reason: 'the script could not be evaluated' };
  }
}

function run(script: Uint8Array, stack: Uint8Array[], ctx: ScriptContext): Uint8Array[] {
  const tapscript = ctx.version === 'tapscript';
  if (!tapscript && script.length > MAX_SCRIPT) fail('script longer than 10,000 bytes');
  const ops = parseScript(script);
  if (ops === undefined) fail('a push runs past the end of the script');
  // Core refuses disabled opcodes even in branches not taken, and in tapscript any
  // OP_SUCCESSx makes the script succeed (which policy refuses): scan the whole script
  // first, so an opcode not implemented here is never skipped into an accept.
  for (const o of ops!) {
    if (o.data === undefined && !SUPPORTED.has(o.op) && !(o.op >= OP.OP_1 && o.op <= OP.OP_16)) {
      unsupported(`opcode 0x${o.op.toString(16).padStart(2, '0')} is not supported`);
    }
  }
  // Execution state of nested IFs: one flag per open IF, true when its branch runs.
  const conditions: boolean[] = [];
  let opCount = 0;
  const pop = (): Uint8Array => {
    const v = stack.pop();
    if (v === undefined) fail('the script needs more stack items than it has');
    return v!;
  };
  const top = (): Uint8Array => {
    const v = stack[stack.length - 1];
    if (v === undefined) fail('the script needs more stack items than it has');
    return v!;
  };
  const num = (v: Uint8Array, max = 4): bigint => {
    const n = scriptNum(v, max);
    if (n === undefined) fail('a number is too long or not in its shortest form');
    return n!;
  };
  for (const o of ops!) {
    const executing = conditions.every(Boolean);
    if (o.data !== undefined) {
      if (o.data.length > MAX_ELEMENT) fail('a push of more than 520 bytes');
      if (executing) {
        if (!o.minimal) fail('a push not in its shortest form (MINIMALDATA)');
        stack.push(o.data);
      }
    } else {
      if (!tapscript && o.op > OP.OP_16 && ++opCount > MAX_OPS) {
        fail('more than 201 operations');
      }
      step(o, executing, stack, conditions, ctx, script, pop, top, num);
    }
    if (stack.length > MAX_STACK) fail('more than 1,000 stack items');
  }
  if (conditions.length > 0) fail('an OP_IF without OP_ENDIF');
  return stack;
}

function step(
  o: ScriptOp,
  executing: boolean,
  stack: Uint8Array[],
  conditions: boolean[],
  ctx: ScriptContext,
  script: Uint8Array,
  pop: () => Uint8Array,
  top: () => Uint8Array,
  num: (v: Uint8Array, max?: number) => bigint,
): void {
  const op = o.op;
  if (op === OP.OP_IF || op === OP.OP_NOTIF) {
    let value = false;
    if (executing) {
      const v = pop();
      // MINIMALIF (policy for v0, consensus for tapscript): the argument is empty or 0x01.
      if (ctx.version !== 'legacy' && (v.length > 1 || (v.length === 1 && v[0] !== 1))) {
        fail('an OP_IF argument other than empty or 0x01 (MINIMALIF)');
      }
      value = castToBool(v) !== (op === OP.OP_NOTIF);
    }
    conditions.push(value);
    return;
  }
  if (op === OP.OP_ELSE) {
    if (conditions.length === 0) fail('OP_ELSE without OP_IF');
    conditions[conditions.length - 1] = !conditions[conditions.length - 1];
    return;
  }
  if (op === OP.OP_ENDIF) {
    if (conditions.length === 0) fail('OP_ENDIF without OP_IF');
    conditions.pop();
    return;
  }
  if (op === 0xab) unsupported('OP_CODESEPARATOR is not supported');
  if (!executing) return;
  if (op === OP.OP_1NEGATE) {
    stack.push(Uint8Array.of(0x81));
    return;
  }
  if (op >= OP.OP_1 && op <= OP.OP_16) {
    stack.push(scriptNumBytes(BigInt(op - OP.OP_1 + 1)));
    return;
  }
  switch (op) {
    case OP.OP_NOP:
      return;
    case OP.OP_VERIFY:
      if (!castToBool(pop())) fail('OP_VERIFY failed');
      return;
    case OP.OP_RETURN:
      fail('OP_RETURN');
      return;
    case OP.OP_DROP:
      pop();
      return;
    case OP.OP_DUP:
      stack.push(top());
      return;
    case OP.OP_SWAP: {
      const a = pop();
      const b = pop();
      stack.push(a, b);
      return;
    }
    case OP.OP_SIZE:
      stack.push(scriptNumBytes(BigInt(top().length)));
      return;
    case OP.OP_EQUAL:
    case OP.OP_EQUALVERIFY: {
      const eq = equalBytes(pop(), pop());
      if (op === OP.OP_EQUALVERIFY) {
        if (!eq) fail('OP_EQUALVERIFY failed (a hash or key does not match)');
      } else stack.push(eq ? TRUE : FALSE);
      return;
    }
    case OP.OP_NUMEQUAL:
    case OP.OP_NUMEQUALVERIFY:
    case OP.OP_GREATERTHANOREQUAL: {
      const b = num(pop());
      const a = num(pop());
      const r = op === OP.OP_GREATERTHANOREQUAL ? a >= b : a === b;
      if (op === OP.OP_NUMEQUALVERIFY) {
        if (!r) fail('OP_NUMEQUALVERIFY failed (not enough valid signatures)');
      } else stack.push(r ? TRUE : FALSE);
      return;
    }
    case OP.OP_RIPEMD160:
      stack.push(ripemd160(pop()));
      return;
    case OP.OP_SHA256:
      stack.push(sha256(pop()));
      return;
    case OP.OP_HASH160:
      stack.push(ripemd160(sha256(pop())));
      return;
    case OP.OP_HASH256:
      stack.push(hash256(pop()));
      return;
    case OP.OP_CHECKSIG:
    case OP.OP_CHECKSIGVERIFY: {
      const pub = pop();
      const sig = pop();
      const ok = checkOne(sig, pub, ctx, script);
      if (op === OP.OP_CHECKSIGVERIFY) {
        if (!ok) badSignature('invalid signature: OP_CHECKSIGVERIFY with an empty signature');
      } else stack.push(ok ? TRUE : FALSE);
      return;
    }
    case OP.OP_CHECKSIGADD: {
      if (ctx.version !== 'tapscript') unsupported('OP_CHECKSIGADD outside tapscript');
      const pub = pop();
      const n = num(pop());
      const sig = pop();
      stack.push(scriptNumBytes(n + (checkOne(sig, pub, ctx, script) ? 1n : 0n)));
      return;
    }
    case OP.OP_CHECKMULTISIG:
    case OP.OP_CHECKMULTISIGVERIFY: {
      if (ctx.version === 'tapscript') fail('OP_CHECKMULTISIG is disabled in tapscript');
      const ok = checkMultisig(ctx, script, pop, num);
      if (op === OP.OP_CHECKMULTISIGVERIFY) {
        if (!ok) badSignature('invalid signature: OP_CHECKMULTISIGVERIFY failed');
      } else stack.push(ok ? TRUE : FALSE);
      return;
    }
    case OP.OP_CHECKLOCKTIMEVERIFY:
      checkLockTime(num(top(), 5), ctx);
      return;
    case OP.OP_CHECKSEQUENCEVERIFY:
      checkSequence(num(top(), 5), ctx);
      return;
    default:
      unsupported(`opcode 0x${op.toString(16).padStart(2, '0')} is not supported`);
  }
}

// One signature check with NULLFAIL: an empty signature is a plain false, a non-empty
// one that does not verify fails the whole script.
function checkOne(
  sig: Uint8Array,
  pub: Uint8Array,
  ctx: ScriptContext,
  script: Uint8Array,
): boolean {
  if (ctx.version === 'tapscript' && pub.length === 0) fail('an empty public key in tapscript');
  if (sig.length === 0) return false;
  const r = ctx.checkSig(sig, pub, script);
  if (r === 'valid') return true;
  if (r === 'unsupported') unsupported('a signature hash type or key type that is not supported');
  if (r === 'bad-encoding') badSignature('invalid signature: bad signature or key encoding');
  return badSignature('invalid signature: the signature check failed');
}

function checkMultisig(
  ctx: ScriptContext,
  script: Uint8Array,
  pop: () => Uint8Array,
  num: (v: Uint8Array) => bigint,
): boolean {
  const n = Number(num(pop()));
  if (n < 0 || n > 20) fail('a multisig with more than 20 keys');
  const keys: Uint8Array[] = [];
  for (let i = 0; i < n; i++) keys.push(pop());
  const m = Number(num(pop()));
  if (m < 0 || m > n) fail('a multisig threshold out of range');
  const sigs: Uint8Array[] = [];
  for (let i = 0; i < m; i++) sigs.push(pop());
  // The extra item CHECKMULTISIG consumes must be empty (NULLDUMMY).
  if (pop().length !== 0) fail('the multisig dummy item is not empty (NULLDUMMY)');
  // Keys and signatures are both in script order (popped in reverse): walk from the first.
  keys.reverse();
  sigs.reverse();
  let k = 0;
  let ok = true;
  for (const sig of sigs) {
    while (k < keys.length && !multisigMatch(sig, keys[k]!, ctx, script)) k++;
    if (k === keys.length) {
      ok = false;
      break;
    }
    k++;
  }
  if (!ok && sigs.some((s) => s.length > 0)) {
    badSignature('invalid signature: a multisig signature matches no remaining key');
  }
  return ok;
}

function multisigMatch(
  sig: Uint8Array,
  pub: Uint8Array,
  ctx: ScriptContext,
  script: Uint8Array,
): boolean {
  if (sig.length === 0) return false;
  const r = ctx.checkSig(sig, pub, script);
  if (r === 'bad-encoding') badSignature('invalid signature: bad signature or key encoding');
  if (r === 'unsupported') unsupported('a signature hash type or key type that is not supported');
  return r === 'valid';
}

function checkLockTime(value: bigint, ctx: ScriptContext): void {
  if (value < 0n) fail('a negative lock time');
  const lockTime = BigInt(ctx.tx.locktime >>> 0);
  if (value < LOCKTIME_THRESHOLD !== lockTime < LOCKTIME_THRESHOLD) {
    fail('the lock time and the script mix a block height and a time');
  }
  if (value > lockTime) fail('OP_CHECKLOCKTIMEVERIFY: the transaction lock time is too early');
  if (ctx.tx.inputs[ctx.index]!.sequence >>> 0 === 0xffffffff) {
    fail('OP_CHECKLOCKTIMEVERIFY: a final input sequence disables the lock time');
  }
}

function checkSequence(value: bigint, ctx: ScriptContext): void {
  if (value < 0n) fail('a negative relative lock time');
  if ((value & SEQUENCE_DISABLE) !== 0n) return;
  if (ctx.tx.version >>> 0 < 2) fail('OP_CHECKSEQUENCEVERIFY needs transaction version 2');
  const sequence = BigInt(ctx.tx.inputs[ctx.index]!.sequence >>> 0);
  if ((sequence & SEQUENCE_DISABLE) !== 0n) {
    fail('OP_CHECKSEQUENCEVERIFY: the input sequence disables relative lock times');
  }
  const mask = SEQUENCE_TYPE | SEQUENCE_MASK;
  if ((value & SEQUENCE_TYPE) !== (sequence & SEQUENCE_TYPE)) {
    fail('the relative lock time and the script mix blocks and time');
  }
  if ((value & mask) > (sequence & mask)) {
    fail('OP_CHECKSEQUENCEVERIFY: the input sequence is too early');
  }
}

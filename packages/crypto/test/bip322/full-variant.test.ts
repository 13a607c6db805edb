import { concatBytes } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import {
  decodeAddress,
  p2pkhAddress,
  p2shAddress,
  p2shP2wpkhAddress,
  p2trScriptAddress,
  p2wpkhAddress,
  p2wshAddress,
} from '../../src/bip322/address.js';
import { bip322ToSign, bip322ToSpend, verifyBip322 } from '../../src/bip322/bip322.js';
import { multisigScript, OP, pushData, pushNumber } from '../../src/bip322/script.js';
import { signBip322 } from '../../src/bip322/sign.js';
import { tapControlBlock as tapControlBlockOf, tapLeafHash } from '../../src/bip322/taproot.js';
import { parseTx, serializeTx, serializeWitness } from '../../src/bip322/tx.js';

// Fixed keys (valid scalars), so a failure reproduces.
const sk = (n: number) => {
  const k = new Uint8Array(32);
  k[31] = n;
  k[0] = 0x11;
  return k;
};
const [A, B, C] = [sk(1), sk(2), sk(3)];
const pub = (k: Uint8Array) => secp256k1.getPublicKey(k, true);
const xonly = (k: Uint8Array) => schnorr.getPublicKey(k);
const MSG = 'medanchor consent grant v1 00ff';
const ok = (address: string, sig: string, msg = MSG) => verifyBip322(msg, address, sig);

describe('BIP-322 full variant: legacy and nested segwit', () => {
  it('P2PKH (compressed and uncompressed keys) signs as "ful" and verifies', () => {
    for (const p of [pub(A), secp256k1.getPublicKey(A, false)]) {
      const address = p2pkhAddress(p);
      expect(address.startsWith('1')).toBe(true);
      const sig = signBip322(MSG, address, A);
      expect(sig.startsWith('ful')).toBe(true);
      expect(ok(address, sig)).toEqual({ valid: true, variant: 'full', addressType: 'p2pkh' });
      expect(ok(address, sig, `${MSG}!`)).toMatchObject({
        valid: false,
        step: 'witness',
        code: 'BAD_SIGNATURE',
      });
      // The same signature presented for another P2PKH address: the key is the wrong one.
      expect(ok(p2pkhAddress(pub(B)), sig)).toMatchObject({
        valid: false,
        code: 'ADDRESS_MISMATCH',
      });
    }
  });

  it('P2PKH on a test network prefix (0x6f), and a simple signature for it is refused', () => {
    const address = p2pkhAddress(pub(A), 0x6f);
    expect(address[0]).toMatch(/[mn]/);
    const sig = signBip322(MSG, address, A);
    expect(ok(address, sig).valid).toBe(true);
    expect(ok(address, `smp${base64.encode(serializeWitness([new Uint8Array(1)]))}`)).toMatchObject(
      { valid: false, step: 'decode', code: 'INVALID_SIGNATURE_ENCODING' },
    );
  });

  it('P2SH-P2WPKH signs and verifies; a wrong key is SIGNER_MISMATCH', () => {
    const address = p2shP2wpkhAddress(pub(A));
    expect(address.startsWith('3')).toBe(true);
    const sig = signBip322(MSG, address, A);
    expect(ok(address, sig)).toEqual({ valid: true, variant: 'full', addressType: 'p2sh' });
    expect(ok(address, sig, 'other').valid).toBe(false);
    expect(() => signBip322(MSG, address, B)).toThrow(
      expect.objectContaining({ code: 'SIGNER_MISMATCH' }),
    );
  });

  it('bare P2SH 2-of-3 multisig and P2SH-P2WSH 2-of-3 multisig', () => {
    const script = multisigScript(2, [pub(A), pub(B), pub(C)]);
    const bare = p2shAddress(script);
    const sig = signBip322(MSG, bare, [A, C], { redeemScript: script });
    expect(ok(bare, sig)).toMatchObject({ valid: true, addressType: 'p2sh' });
    const nestedRedeem = concatBytes(Uint8Array.of(0x00, 32), sha256Of(script));
    const nested = p2shAddress(nestedRedeem);
    const sig2 = signBip322(MSG, nested, [B, C], { witnessScript: script });
    expect(ok(nested, sig2)).toMatchObject({ valid: true, variant: 'full' });
    expect(() => signBip322(MSG, nested, [B], { witnessScript: script })).toThrow(
      expect.objectContaining({ code: 'SIGNER_MISMATCH' }),
    );
  });
});

describe('BIP-322: P2WSH scripts', () => {
  it('2-of-3 multisig as a simple signature, any two keys', () => {
    const script = multisigScript(2, [pub(A), pub(B), pub(C)]);
    const address = p2wshAddress(script);
    for (const keys of [
      [A, B],
      [A, C],
      [B, C],
    ]) {
      const sig = signBip322(MSG, address, keys, { witnessScript: script });
      expect(sig.startsWith('smp')).toBe(true);
      expect(ok(address, sig)).toEqual({ valid: true, variant: 'simple', addressType: 'p2wsh' });
    }
  });

  it('a multisig witness with signatures out of key order is a bad signature', () => {
    const script = multisigScript(2, [pub(A), pub(B)]);
    const address = p2wshAddress(script);
    const sig = signBip322(MSG, address, [A, B], { witnessScript: script, prefix: false });
    const tx = bip322ToSign(bip322ToSpend(MSG, address));
    const stack = parseWitnessB64(sig);
    const swapped = [stack[0]!, stack[2]!, stack[1]!, stack[3]!];
    void tx;
    expect(ok(address, `smp${base64.encode(serializeWitness(swapped))}`)).toMatchObject({
      valid: false,
      code: 'BAD_SIGNATURE',
    });
  });

  it('absolute time lock (OP_CHECKLOCKTIMEVERIFY): valid at or after the lock, SCRIPT_FAILED before', () => {
    const script = concatBytes(
      pushNumber(800_000),
      Uint8Array.of(OP.OP_CHECKLOCKTIMEVERIFY, OP.OP_DROP),
      pushData(pub(A)),
      Uint8Array.of(OP.OP_CHECKSIG),
    );
    const address = p2wshAddress(script);
    const sig = signBip322(MSG, address, A, {
      witnessScript: script,
      lockTime: 800_000,
      sequence: 0xfffffffe,
    });
    expect(sig.startsWith('ful')).toBe(true);
    expect(ok(address, sig)).toEqual({ valid: true, variant: 'full', addressType: 'p2wsh' });
    expect(() =>
      signBip322(MSG, address, A, { witnessScript: script, lockTime: 799_999, sequence: 0 }),
    ).toThrow(expect.objectContaining({ code: 'SCRIPT_FAILED' }));
    // The lock time of a valid signature lowered afterwards: the script says why.
    const tx = parseTx(base64.decode(sig.slice(3)));
    tx.locktime = 700_000;
    const r = ok(address, `ful${base64.encode(serializeTx(tx))}`);
    expect(r).toMatchObject({ valid: false, code: 'SCRIPT_FAILED' });
    if (!r.valid) expect(r.reason).toMatch(/lock time/);
    // A final sequence disables nLockTime, so the lock cannot be met.
    expect(() =>
      signBip322(MSG, address, A, {
        witnessScript: script,
        lockTime: 800_000,
        sequence: 0xffffffff,
      }),
    ).toThrow(expect.objectContaining({ code: 'SCRIPT_FAILED' }));
  });

  it('relative time lock (OP_CHECKSEQUENCEVERIFY) needs version 2 and the sequence', () => {
    const script = concatBytes(
      pushNumber(144),
      Uint8Array.of(OP.OP_CHECKSEQUENCEVERIFY, OP.OP_DROP),
      pushData(pub(B)),
      Uint8Array.of(OP.OP_CHECKSIG),
    );
    const address = p2wshAddress(script);
    const sig = signBip322(MSG, address, B, { witnessScript: script, version: 2, sequence: 144 });
    expect(ok(address, sig)).toMatchObject({ valid: true, variant: 'full' });
    expect(() => signBip322(MSG, address, B, { witnessScript: script, sequence: 144 })).toThrow(
      expect.objectContaining({ code: 'SCRIPT_FAILED' }),
    );
  });

  it('an opcode outside the supported set is UNSUPPORTED_SCRIPT, not a bad signature', () => {
    const script = Uint8Array.of(OP.OP_1, OP.OP_1, 0x7e /* OP_CAT */, OP.OP_DROP, OP.OP_1);
    const address = p2wshAddress(script);
    const sig = `smp${base64.encode(serializeWitness([script]))}`;
    expect(ok(address, sig)).toMatchObject({
      valid: false,
      step: 'witness',
      code: 'UNSUPPORTED_SCRIPT',
    });
  });

  it('a P2WPKH signature shown for a P2WSH address is ADDRESS_MISMATCH', () => {
    const sig = signBip322(MSG, p2wpkhAddress(pub(A)), A);
    expect(ok(p2wshAddress(multisigScript(1, [pub(A)])), sig)).toMatchObject({
      valid: false,
      code: 'ADDRESS_MISMATCH',
    });
  });
});

describe('BIP-322: P2TR script path (tapscript)', () => {
  const internal = xonly(C);

  it('one leaf `<key> OP_CHECKSIG`', () => {
    const leaf = concatBytes(pushData(xonly(A)), Uint8Array.of(OP.OP_CHECKSIG));
    const address = p2trScriptAddress(internal, leaf);
    const sig = signBip322(MSG, address, A, { tapscript: { internalKey: internal, script: leaf } });
    expect(ok(address, sig)).toEqual({ valid: true, variant: 'simple', addressType: 'p2tr' });
    expect(ok(address, sig, 'x')).toMatchObject({ valid: false, code: 'BAD_SIGNATURE' });
  });

  it('a 2-of-2 OP_CHECKSIGADD leaf that sits beside another leaf in the tree', () => {
    const leaf = concatBytes(
      pushData(xonly(A)),
      Uint8Array.of(OP.OP_CHECKSIG),
      pushData(xonly(B)),
      Uint8Array.of(OP.OP_CHECKSIGADD),
      pushNumber(2),
      Uint8Array.of(OP.OP_NUMEQUAL),
    );
    const sibling = tapLeafHash(concatBytes(pushData(xonly(C)), Uint8Array.of(OP.OP_CHECKSIG)));
    const tapscript = { internalKey: internal, script: leaf, path: [sibling] };
    const address = p2trScriptAddress(internal, leaf, [sibling]);
    const sig = signBip322(MSG, address, [A, B], { tapscript });
    expect(ok(address, sig)).toMatchObject({ valid: true, addressType: 'p2tr' });
    // With one key the count is 1, not 2: the script evaluates false.
    expect(() => signBip322(MSG, address, [A], { tapscript })).toThrow(
      expect.objectContaining({ code: 'SIGNER_MISMATCH' }),
    );
  });

  it('a leaf presented for an address whose tree does not hold it is ADDRESS_MISMATCH', () => {
    const leaf = concatBytes(pushData(xonly(A)), Uint8Array.of(OP.OP_CHECKSIG));
    const address = p2trScriptAddress(internal, leaf);
    const other = p2trScriptAddress(xonly(B), leaf);
    const sig = signBip322(MSG, address, A, { tapscript: { internalKey: internal, script: leaf } });
    expect(ok(other, sig)).toMatchObject({ valid: false, code: 'ADDRESS_MISMATCH' });
  });
});

describe('BIP-322 rejections name what failed', () => {
  it('addresses: INVALID_ADDRESS and UNSUPPORTED_ADDRESS', () => {
    expect(ok('not-an-address', 'smpAA==')).toMatchObject({
      valid: false,
      step: 'address',
      code: 'INVALID_ADDRESS',
    });
    expect(ok('bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', 'smpAA==')).toMatchObject({
      valid: false,
      step: 'address',
      code: 'UNSUPPORTED_ADDRESS',
    });
    expect(decodeAddress('bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs').type).toBe('segwit-unknown');
  });

  it('encodings: base64, proof of funds, a full variant that is not shaped as to_sign', () => {
    const address = p2wpkhAddress(pub(A));
    expect(ok(address, 'smp!!!')).toMatchObject({ code: 'INVALID_SIGNATURE_ENCODING' });
    expect(ok(address, 'pofAA==')).toMatchObject({ code: 'INVALID_SIGNATURE_ENCODING' });
    const toSign = bip322ToSign(bip322ToSpend(MSG, address));
    toSign.outputs[0]!.value = 1n;
    expect(ok(address, `ful${base64.encode(serializeTx(toSign))}`)).toMatchObject({
      step: 'decode',
      code: 'INVALID_SIGNATURE_ENCODING',
    });
  });

  it('an unprefixed full-variant P2PKH signature verifies too', () => {
    const address = p2pkhAddress(pub(A));
    const sig = signBip322(MSG, address, A, { prefix: false });
    expect(ok(address, sig)).toMatchObject({ valid: true, variant: 'full' });
  });
});

function sha256Of(b: Uint8Array): Uint8Array {
  return decodeAddress(p2wshAddress(b)).hash;
}

function parseWitnessB64(sig: string): Uint8Array[] {
  const bytes = base64.decode(sig);
  const out: Uint8Array[] = [];
  let pos = 1;
  for (let i = 0; i < bytes[0]!; i++) {
    const n = bytes[pos]!;
    out.push(bytes.slice(pos + 1, pos + 1 + n));
    pos += 1 + n;
  }
  return out;
}

describe('BIP-322: opcodes outside the supported set, even in a branch not taken', () => {
  it('an OP_CAT behind OP_0 OP_IF is still UNSUPPORTED_SCRIPT (Core refuses disabled opcodes anywhere)', () => {
    const script = concatBytes(
      Uint8Array.of(OP.OP_0, OP.OP_IF, 0x7e /* OP_CAT */, OP.OP_ENDIF),
      pushData(pub(A)),
      Uint8Array.of(OP.OP_CHECKSIG),
    );
    const address = p2wshAddress(script);
    expect(() => signBip322(MSG, address, A, { witnessScript: script })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_SCRIPT' }),
    );
  });

  it('an OP_SUCCESS opcode in a tapscript leaf is refused, never an accept', () => {
    const internal = xonly(C);
    const leaf = Uint8Array.of(0x50 /* OP_SUCCESS80 */);
    const address = p2trScriptAddress(internal, leaf);
    const { controlBlock } = tapControlBlockOf(internal, leaf);
    const sig = `smp${base64.encode(serializeWitness([leaf, controlBlock]))}`;
    expect(ok(address, sig)).toMatchObject({ valid: false, code: 'UNSUPPORTED_SCRIPT' });
  });
});

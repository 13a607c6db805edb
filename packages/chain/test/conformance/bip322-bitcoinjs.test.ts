// An independent check of the BIP-322 code in @medanchor/crypto (which deliberately
// carries no Bitcoin library): bitcoinjs-lib derives the same addresses and computes the
// same legacy, BIP-143 and BIP-341/342 signature hashes for the to_sign transactions our
// signer produces. Lives here because chain is the package that depends on bitcoinjs-lib.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { payments, Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import {
  p2pkhAddress,
  p2shP2wpkhAddress,
  p2trScriptAddress,
  p2wshAddress,
} from '../../../crypto/src/bip322/address.js';
import { bip322ToSpend } from '../../../crypto/src/bip322/bip322.js';
import { multisigScript, OP, pushData, pushNumber } from '../../../crypto/src/bip322/script.js';
import {
  sighashLegacy,
  sighashSegwitV0,
  sighashTaprootKeyPath,
} from '../../../crypto/src/bip322/sighash.js';
import { signBip322 } from '../../../crypto/src/bip322/sign.js';
import { tapLeafHash } from '../../../crypto/src/bip322/taproot.js';
import { parseTx, serializeTx, type Tx } from '../../../crypto/src/bip322/tx.js';
import { ensureEccLib } from '../../src/anchor/ecc.js';

const key = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => ((i * 13 + n) % 250) + 1);
const [A, B, C] = [key(1), key(2), key(3)];
const pub = (k: Uint8Array) => secp256k1.getPublicKey(k, true);
const xonly = (k: Uint8Array) => pub(k).subarray(1);
const MSG = 'cross-check';
const b64 = (s: string) => new Uint8Array(Buffer.from(s.slice(3), 'base64'));

/** Our full-variant to_sign, and the same bytes as a bitcoinjs-lib transaction. */
function both(sig: string): { ours: Tx; theirs: Transaction } {
  const bytes = b64(sig);
  return { ours: parseTx(bytes), theirs: Transaction.fromBuffer(bytes) };
}

describe('BIP-322 against bitcoinjs-lib', () => {
  ensureEccLib();

  it('P2PKH: same address, same legacy signature hash', () => {
    const address = p2pkhAddress(pub(A));
    expect(payments.p2pkh({ pubkey: pub(A) }).address).toBe(address);
    const spk = bip322ToSpend(MSG, address).outputs[0]!.script;
    const { ours, theirs } = both(signBip322(MSG, address, A));
    expect(theirs.getId()).toHaveLength(64);
    expect(sighashLegacy(ours, 0, spk)).toEqual(
      theirs.hashForSignature(0, spk, Transaction.SIGHASH_ALL),
    );
  });

  it('P2SH-P2WPKH: same address, same BIP-143 signature hash', () => {
    const address = p2shP2wpkhAddress(pub(A));
    const p2wpkh = payments.p2wpkh({ pubkey: pub(A) });
    expect(payments.p2sh({ redeem: p2wpkh }).address).toBe(address);
    const { ours, theirs } = both(signBip322(MSG, address, A));
    const scriptCode = payments.p2pkh({ hash: p2wpkh.hash! }).output!;
    expect(sighashSegwitV0(ours, 0, scriptCode, 0n)).toEqual(
      theirs.hashForWitnessV0(0, scriptCode, 0n, Transaction.SIGHASH_ALL),
    );
  });

  it('P2WSH with a time lock and a 2-of-3 multisig: same addresses, same signature hash', () => {
    const ms = multisigScript(2, [pub(A), pub(B), pub(C)]);
    expect(payments.p2wsh({ redeem: { output: ms } }).address).toBe(p2wshAddress(ms));
    const locked = Uint8Array.from([
      ...pushNumber(900_000),
      OP.OP_CHECKLOCKTIMEVERIFY,
      OP.OP_DROP,
      ...pushData(pub(A)),
      OP.OP_CHECKSIG,
    ]);
    const address = p2wshAddress(locked);
    expect(payments.p2wsh({ redeem: { output: locked } }).address).toBe(address);
    const { ours, theirs } = both(
      signBip322(MSG, address, A, {
        witnessScript: locked,
        lockTime: 900_000,
        sequence: 0xfffffffe,
      }),
    );
    expect(theirs.locktime).toBe(900_000);
    expect(sighashSegwitV0(ours, 0, locked, 0n)).toEqual(
      theirs.hashForWitnessV0(0, locked, 0n, Transaction.SIGHASH_ALL),
    );
  });

  it('P2TR script path: same address, same tapleaf hash and BIP-342 signature hash', () => {
    const leaf = Uint8Array.from([...pushData(xonly(A)), OP.OP_CHECKSIG]);
    const address = p2trScriptAddress(xonly(C), leaf);
    const theirPayment = payments.p2tr({ internalPubkey: xonly(C), scriptTree: { output: leaf } });
    expect(theirPayment.address).toBe(address);
    const sig = signBip322(MSG, address, A, {
      tapscript: { internalKey: xonly(C), script: leaf },
      full: true,
    });
    const { ours, theirs } = both(sig);
    const spk = theirPayment.output!;
    const leafHash = tapLeafHash(leaf);
    expect(sighashTaprootKeyPath(ours, 0, [{ value: 0n, script: spk }], 0x00, leafHash)).toEqual(
      theirs.hashForWitnessV1(0, [spk], [0n], Transaction.SIGHASH_DEFAULT, leafHash),
    );
    // The serialized to_sign is a valid transaction to bitcoinjs-lib, byte for byte.
    expect(Uint8Array.from(theirs.toBuffer())).toEqual(serializeTx(ours));
  });
});

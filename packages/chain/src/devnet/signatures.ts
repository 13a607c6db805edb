import { equalBytes } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { script as bscript, crypto, Transaction } from 'bitcoinjs-lib';
import { rejectTx } from './reject.js';
import { outputType } from './script-type.js';

/** The output an input spends: what its signature commits to. */
export interface SpentOutput {
  script: Uint8Array;
  value: bigint;
}

const SIGHASH_TYPES = new Set([0x01, 0x02, 0x03, 0x81, 0x82, 0x83]);
const TAPROOT_SIGHASH_TYPES = new Set([0x00, ...SIGHASH_TYPES]);

function badSignature(vin: number, why: string) {
  return rejectTx(
    'TX_REJECTED',
    'mandatory-script-verify-flag-failed',
    `input ${vin}: ${why}; sign with the key of the spent output`,
    { vin },
  );
}

/**
 * Verifies every input's signature against the outputs it spends. The devnet
 * supports the spends medanchor makes: P2WPKH (BIP143 ECDSA), P2TR key path (BIP341
 * Schnorr) and P2PKH (legacy ECDSA); anything else is rejected as unsupported.
 * Signatures must be strict DER with low S (Bitcoin Core's standardness rules).
 * @throws `MedanchorError` `TX_REJECTED` naming the failing input.
 */
export function verifyInputs(tx: Transaction, spent: readonly SpentOutput[]): void {
  const scripts = spent.map((s) => s.script);
  const values = spent.map((s) => s.value);
  tx.ins.forEach((input, vin) => {
    const prev = spent[vin]!;
    const type = outputType(prev.script);
    if (type === 'p2wpkh') {
      if (input.script.length !== 0)
        throw badSignature(vin, 'a segwit spend has an empty scriptSig');
      if (input.witness.length !== 2)
        throw badSignature(vin, 'P2WPKH witness must be [signature, pubkey]');
      const [sig, pubkey] = input.witness as [Uint8Array, Uint8Array];
      if (pubkey.length !== 33) throw badSignature(vin, 'P2WPKH needs a compressed public key');
      if (!equalBytes(crypto.hash160(pubkey), prev.script.subarray(2))) {
        throw badSignature(vin, 'public key does not match the witness program');
      }
      const scriptCode = bscript.compile([0x76, 0xa9, crypto.hash160(pubkey), 0x88, 0xac]);
      checkEcdsa(vin, sig, pubkey, (ht) => tx.hashForWitnessV0(vin, scriptCode, prev.value, ht));
    } else if (type === 'p2pkh') {
      if (input.witness.length !== 0) throw badSignature(vin, 'a legacy spend has no witness');
      const chunks = bscript.decompile(input.script);
      const sig = chunks?.[0];
      const pubkey = chunks?.[1];
      if (chunks?.length !== 2 || !(sig instanceof Uint8Array) || !(pubkey instanceof Uint8Array)) {
        throw badSignature(vin, 'P2PKH scriptSig must be <signature> <pubkey>');
      }
      if (!equalBytes(crypto.hash160(pubkey), prev.script.subarray(3, 23))) {
        throw badSignature(vin, 'public key does not match the output');
      }
      checkEcdsa(vin, sig, pubkey, (ht) => tx.hashForSignature(vin, prev.script, ht));
    } else if (type === 'p2tr') {
      if (input.script.length !== 0)
        throw badSignature(vin, 'a segwit spend has an empty scriptSig');
      const last = input.witness[input.witness.length - 1];
      if (input.witness.length > 1 && last?.[0] === 0x50) {
        throw rejectTx(
          'TX_REJECTED',
          'non-mandatory-script-verify-flag (annex)',
          'do not attach a taproot annex',
          { vin },
        );
      }
      if (input.witness.length !== 1) {
        throw rejectTx(
          'TX_REJECTED',
          'unsupported-spend',
          'the devnet verifies taproot key-path spends only',
          { vin },
        );
      }
      const sig = input.witness[0]!;
      if (sig.length !== 64 && sig.length !== 65)
        throw badSignature(vin, 'a Schnorr signature is 64 or 65 bytes');
      const hashType = sig.length === 65 ? sig[64]! : Transaction.SIGHASH_DEFAULT;
      if (sig.length === 65 && hashType === 0)
        throw badSignature(vin, 'an explicit sighash type cannot be 0');
      if (!TAPROOT_SIGHASH_TYPES.has(hashType)) throw badSignature(vin, 'undefined sighash type');
      const hash = tx.hashForWitnessV1(vin, scripts, values, hashType);
      if (!schnorr.verify(sig.subarray(0, 64), hash, prev.script.subarray(2))) {
        throw badSignature(vin, 'invalid Schnorr signature');
      }
    } else {
      throw rejectTx(
        'TX_REJECTED',
        'unsupported-spend',
        `the devnet cannot verify ${type} spends; spend P2WPKH, P2TR or P2PKH outputs`,
        { vin },
      );
    }
  });
}

function checkEcdsa(
  vin: number,
  sigWithType: Uint8Array,
  pubkey: Uint8Array,
  sighash: (hashType: number) => Uint8Array,
): void {
  let decoded: { signature: Uint8Array; hashType: number };
  try {
    decoded = bscript.signature.decode(sigWithType);
  } catch {
    throw badSignature(vin, 'signature is not strict DER');
  }
  if (!SIGHASH_TYPES.has(decoded.hashType)) throw badSignature(vin, 'undefined sighash type');
  let ok = false;
  try {
    ok = secp256k1.verify(decoded.signature, sighash(decoded.hashType), pubkey, {
      prehash: false,
      lowS: true,
    });
  } catch {
    ok = false;
  }
  if (!ok) throw badSignature(vin, 'invalid ECDSA signature (or high S)');
}

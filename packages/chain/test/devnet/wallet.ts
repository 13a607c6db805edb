// A tiny test wallet: deterministic keys, P2WPKH and P2TR (BIP86-style key path)
// scripts, and transactions signed with BIP143 / BIP341 sighashes. Shared by the
// devnet tests and the backend contract tests.
import { concatBytes, fromHex, sha256, utf8 } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { crypto, script, Transaction } from 'bitcoinjs-lib';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export type KeyKind = 'p2wpkh' | 'p2tr' | 'p2pkh';

export interface TestKey {
  kind: KeyKind;
  /** Key that signs: the plain secret for P2WPKH, the tweaked one for P2TR. */
  signingSecret: Uint8Array;
  /** Compressed public key of the untweaked secret. */
  pubkey: Uint8Array;
  /** Output script this key can spend. */
  script: Uint8Array;
}

export interface Spendable {
  txid: string;
  vout: number;
  value: bigint;
  key: TestKey;
}

export interface PlannedOutput {
  script: Uint8Array;
  value: bigint;
}

function bytesToBig(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

function bigToBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** A deterministic key of `kind` named by `label`. */
export function testKey(label: string, kind: KeyKind = 'p2wpkh'): TestKey {
  const secret = sha256(utf8(`medanchor test key ${label}`));
  const pubkey = secp256k1.getPublicKey(secret, true);
  if (kind === 'p2pkh') {
    return {
      kind,
      signingSecret: secret,
      pubkey,
      script: concatBytes(
        Uint8Array.of(0x76, 0xa9, 0x14),
        crypto.hash160(pubkey),
        Uint8Array.of(0x88, 0xac),
      ),
    };
  }
  if (kind === 'p2wpkh') {
    return {
      kind,
      signingSecret: secret,
      pubkey,
      script: concatBytes(Uint8Array.of(0x00, 0x14), crypto.hash160(pubkey)),
    };
  }
  // BIP341 key-path tweak with no script tree: Q = P + H_TapTweak(x(P))G, P with even y.
  const xonly = pubkey.slice(1);
  let d = bytesToBig(secret);
  if (pubkey[0] === 0x03) d = N - d;
  const t = bytesToBig(schnorr.utils.taggedHash('TapTweak', xonly));
  const tweaked = bigToBytes((d + t) % N);
  const outputKey = schnorr.getPublicKey(tweaked);
  return {
    kind,
    signingSecret: tweaked,
    pubkey,
    script: concatBytes(Uint8Array.of(0x51, 0x20), outputKey),
  };
}

export interface SpendOptions {
  sequence?: number;
  locktime?: number;
  /** Corrupts the first signature after signing (for rejection tests). */
  corruptSignature?: boolean;
  /** Uses the high-S twin of each ECDSA signature: valid math, non-standard (BIP146 LOW_S). */
  highS?: boolean;
}

/** A signed transaction spending `inputs` to `outputs`. */
export function signSpend(
  inputs: Spendable[],
  outputs: PlannedOutput[],
  opts: SpendOptions = {},
): Transaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.locktime = opts.locktime ?? 0;
  for (const i of inputs) {
    tx.addInput(fromHex(i.txid).reverse(), i.vout, opts.sequence ?? 0xfffffffd);
  }
  for (const o of outputs) tx.addOutput(o.script, o.value);
  const scripts = inputs.map((i) => i.key.script);
  const values = inputs.map((i) => i.value);
  inputs.forEach((input, vin) => {
    const key = input.key;
    if (key.kind === 'p2wpkh') {
      const scriptCode = concatBytes(
        Uint8Array.of(0x76, 0xa9, 0x14),
        crypto.hash160(key.pubkey),
        Uint8Array.of(0x88, 0xac),
      );
      const hash = tx.hashForWitnessV0(vin, scriptCode, input.value, Transaction.SIGHASH_ALL);
      let der = secp256k1.sign(hash, key.signingSecret, { prehash: false, format: 'der' });
      if (opts.highS) {
        const sig = secp256k1.Signature.fromBytes(der, 'der');
        der = new secp256k1.Signature(sig.r, N - sig.s).toBytes('der');
      }
      tx.setWitness(vin, [concatBytes(der, Uint8Array.of(Transaction.SIGHASH_ALL)), key.pubkey]);
    } else if (key.kind === 'p2pkh') {
      const hash = tx.hashForSignature(vin, key.script, Transaction.SIGHASH_ALL);
      const der = secp256k1.sign(hash, key.signingSecret, { prehash: false, format: 'der' });
      tx.setInputScript(
        vin,
        script.compile([concatBytes(der, Uint8Array.of(Transaction.SIGHASH_ALL)), key.pubkey]),
      );
    } else {
      const hash = tx.hashForWitnessV1(vin, scripts, values, Transaction.SIGHASH_DEFAULT);
      tx.setWitness(vin, [schnorr.sign(hash, key.signingSecret, new Uint8Array(32))]);
    }
  });
  if (opts.corruptSignature) {
    if (inputs[0]!.key.kind === 'p2pkh')
      throw new Error('corruptSignature supports segwit inputs only');
    const sig = tx.ins[0]!.witness[0]!;
    // Flip a bit inside the signature's r value, keeping the encoding valid.
    const at = inputs[0]!.key.kind === 'p2wpkh' ? 10 : 5;
    sig[at] = sig[at]! ^ 0x01;
  }
  return tx;
}

/** An OP_RETURN script carrying `data` (direct push or PUSHDATA1). */
export function opReturn(data: Uint8Array): Uint8Array {
  const push = data.length <= 75 ? Uint8Array.of(data.length) : Uint8Array.of(0x4c, data.length);
  return concatBytes(Uint8Array.of(0x6a), push, data);
}

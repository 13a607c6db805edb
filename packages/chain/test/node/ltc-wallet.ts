// The smallest wallet the real-node tests need: a Litecoin regtest network described as
// data, a P2WPKH key, and a signed spend built with bitcoinjs-lib.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Psbt, payments } from 'bitcoinjs-lib';
import type { Utxo } from '../../src/backend/types.js';
import { hashToDisplayHex, sha256d } from '../../src/bitcoin/hash.js';
import { toBitcoinjsNetwork } from '../../src/network/bitcoinjs.js';
import { defineNetwork } from '../../src/network/define.js';
import { regtest } from '../../src/network/networks.js';
import type { NetworkParams } from '../../src/network/params.js';

/**
 * Litecoin Core's regtest as NetworkParams: Bitcoin regtest with Litecoin's prefixes
 * (bech32 `rltc`, P2SH 0x3a), scrypt proof of work, and the genesis header read from the
 * running node.
 */
export function litecoinRegtest(genesisHeaderHex: string): NetworkParams {
  const header = Uint8Array.from(Buffer.from(genesisHeaderHex, 'hex'));
  return defineNetwork({
    ...regtest,
    name: 'ltc-regtest',
    bech32: 'rltc',
    pubKeyHash: 0x6f,
    scriptHash: 0x3a,
    wif: 0xef,
    messagePrefix: '\x19Litecoin Signed Message:\n',
    genesisHeader: genesisHeaderHex,
    genesisHash: hashToDisplayHex(sha256d(header)),
    powHash: 'scrypt',
  });
}

/** A P2WPKH key derived from a label (test keys only). */
export interface TestKey {
  secret: Uint8Array;
  publicKey: Uint8Array;
  /** The P2WPKH output script. */
  script: Uint8Array;
  address: string;
}

/** A deterministic P2WPKH key for `label` on `network`. */
export function testKey(label: string, network: NetworkParams): TestKey {
  const secret = sha256(new TextEncoder().encode(`medanchor test key ${label}`));
  const publicKey = secp256k1.getPublicKey(secret, true);
  const pay = payments.p2wpkh({ pubkey: publicKey, network: toBitcoinjsNetwork(network) });
  return { secret, publicKey, script: pay.output!, address: pay.address! };
}

/** An output to create: a script and a value in satoshis. */
export interface TxOut {
  script: Uint8Array;
  value: bigint;
}

/** Signs a transaction spending P2WPKH `inputs` of `key` to `outputs`; returns raw bytes and txid. */
export function signSpend(
  key: TestKey,
  network: NetworkParams,
  inputs: Utxo[],
  outputs: TxOut[],
): { raw: Uint8Array; txid: string } {
  const psbt = new Psbt({ network: toBitcoinjsNetwork(network) });
  for (const u of inputs) {
    psbt.addInput({
      hash: u.txid,
      index: u.vout,
      witnessUtxo: { script: u.script, value: u.value },
    });
  }
  for (const o of outputs) psbt.addOutput({ script: o.script, value: o.value });
  const signer = {
    publicKey: key.publicKey,
    sign: (hash: Uint8Array) => secp256k1.sign(hash, key.secret, { prehash: false }),
  };
  psbt.signAllInputs(signer);
  psbt.finalizeAllInputs();
  const tx = psbt.extractTransaction();
  return { raw: tx.toBuffer(), txid: tx.getId() };
}

/** An OP_RETURN output script carrying `data`. */
export function opReturn(data: Uint8Array): Uint8Array {
  return payments.embed({ data: [data] }).output!;
}

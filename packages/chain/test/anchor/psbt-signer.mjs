// The outside signer of psbt.test.ts, run as its own process: it knows nothing of
// medanchor, only bitcoinjs-lib's Psbt and a secret key, like an offline wallet.
// Usage: node psbt-signer.mjs <in.psbt> <out.psbt> <secret hex> <p2wpkh|p2tr> [tamper]
// tamper (to test refusals): none | finalize | output | commitment | badsig |
//   extra-input:<txid>:<vout>:<value>
// The output file is base64 text when the input was base64, binary otherwise.
import { readFileSync, writeFileSync } from 'node:fs';
import * as ecc from '@bitcoinerlab/secp256k1';
import { crypto, initEccLib, networks, Psbt } from 'bitcoinjs-lib';

initEccLib(ecc);
const [inPath, outPath, secretHex, type, tamper = 'none'] = process.argv.slice(2);
const raw = readFileSync(inPath);
const asText = raw[0] !== 0x70;
const psbt = asText
  ? Psbt.fromBase64(raw.toString('utf8').trim(), { network: networks.regtest })
  : Psbt.fromBuffer(raw, { network: networks.regtest });
const secret = Uint8Array.from(Buffer.from(secretHex, 'hex'));
const pub = ecc.pointFromScalar(secret, true);

function signerFor() {
  if (type === 'p2wpkh') return { publicKey: pub, sign: (h) => ecc.sign(h, secret) };
  // BIP86 key path: the output key is the internal key tweaked by H_TapTweak(x).
  const even = pub[0] === 0x02 ? secret : ecc.privateNegate(secret);
  const tweaked = ecc.privateAdd(even, crypto.taggedHash('TapTweak', pub.subarray(1)));
  return {
    publicKey: ecc.pointFromScalar(tweaked, true),
    sign: () => {
      throw new Error('taproot signs with Schnorr');
    },
    signSchnorr: (h) => ecc.signSchnorr(h, tweaked),
  };
}

/** The same PSBT with its outputs or inputs changed, as a malicious or buggy signer would. */
function tampered(src) {
  const out = new Psbt({ network: networks.regtest });
  out.setVersion(src.version);
  out.setLocktime(src.locktime);
  src.txInputs.forEach((input, i) => {
    const d = src.data.inputs[i];
    out.addInput({
      hash: input.hash,
      index: input.index,
      sequence: input.sequence,
      witnessUtxo: d.witnessUtxo,
      ...(d.tapInternalKey ? { tapInternalKey: d.tapInternalKey } : {}),
    });
  });
  if (tamper.startsWith('extra-input:')) {
    const [, txid, vout, value] = tamper.split(':');
    out.addInput({
      hash: txid,
      index: Number(vout),
      sequence: 0xfffffffd,
      witnessUtxo: { script: src.data.inputs[0].witnessUtxo.script, value: BigInt(value) },
      ...(src.data.inputs[0].tapInternalKey
        ? { tapInternalKey: src.data.inputs[0].tapInternalKey }
        : {}),
    });
  }
  src.txOutputs.forEach((o, i) => {
    let script = o.script;
    let value = o.value;
    // Output 0 is the OP_RETURN: its last 32 bytes are the checkpoint digest.
    if (tamper === 'commitment' && i === 0) {
      script = Uint8Array.from(script);
      script[script.length - 1] ^= 0x01;
    }
    // Output 1 is the change: pay 1,000 sat less of it back (to the miner).
    if (tamper === 'output' && i === 1) value -= 1000n;
    out.addOutput({ script, value });
  });
  return out;
}

const honest = tamper === 'none' || tamper === 'finalize' || tamper === 'badsig';
const target = honest ? psbt : tampered(psbt);
const signer = signerFor();
for (let i = 0; i < target.inputCount; i++) target.signInput(i, signer);
if (tamper === 'finalize' || tamper === 'badsig') target.finalizeAllInputs();
if (tamper === 'badsig') {
  // One bit of the first signature flipped (inside r for ECDSA, R for Schnorr).
  const w = Uint8Array.from(target.data.inputs[0].finalScriptWitness);
  w[10] ^= 0x01;
  target.data.inputs[0].finalScriptWitness = w;
}
writeFileSync(outPath, asText ? target.toBase64() : target.toBuffer());
process.stdout.write(`signed ${target.inputCount} input(s)\n`);

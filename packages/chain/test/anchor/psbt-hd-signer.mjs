// A hardware-wallet stand-in run as its own process: it holds only a BIP32 master key and
// knows nothing of medanchor. It signs a PSBT input only when the PSBT names, for that input,
// a derivation from its own master fingerprint (BIP-174 PSBT_IN_BIP32_DERIVATION through
// bitcoinjs-lib's signAllInputsHD; BIP-371 PSBT_IN_TAP_BIP32_DERIVATION for taproot key-path
// inputs, which bitcoinjs-lib cannot sign by HD, so those few lines are here).
// Usage:
//   node psbt-hd-signer.mjs keys <seed label> <account path>
//     prints {"tprv","fingerprint","accountTpub"} of the master key sha256(label)
//   node psbt-hd-signer.mjs sign <in.psbt> <out.psbt> <seed label>
//     signs what derives from the master, prints the derivations it found as JSON
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as ecc from '@bitcoinerlab/secp256k1';
import { HDKey } from '@scure/bip32';
import { crypto, initEccLib, networks, Psbt } from 'bitcoinjs-lib';

initEccLib(ecc);
const versions = networks.regtest.bip32;
const hex = (b) => Buffer.from(b).toString('hex');

function master(label) {
  const seed = createHash('sha256').update(label, 'utf8').digest();
  const root = HDKey.fromMasterSeed(Uint8Array.from(seed), versions);
  const fingerprint = new Uint8Array(4);
  new DataView(fingerprint.buffer).setUint32(0, root.fingerprint);
  return { root, fingerprint };
}

function hdSigner(node, fingerprint) {
  return {
    publicKey: node.publicKey,
    fingerprint,
    derivePath: (path) => hdSigner(node.derive(path), fingerprint),
    sign: (hash) => node.sign(hash),
  };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'keys') {
  const [label, accountPath] = args;
  const { root, fingerprint } = master(label);
  process.stdout.write(
    `${JSON.stringify({
      tprv: root.privateExtendedKey,
      fingerprint: hex(fingerprint),
      accountTpub: root.derive(accountPath).publicExtendedKey,
    })}\n`,
  );
} else if (mode === 'sign') {
  const [inPath, outPath, label] = args;
  const { root, fingerprint } = master(label);
  const psbt = Psbt.fromBuffer(readFileSync(inPath), { network: networks.regtest });
  const found = { inputs: [], outputs: [] };
  const mine = (list) => (list ?? []).filter((d) => hex(d.masterFingerprint) === hex(fingerprint));
  for (const [i, input] of psbt.data.inputs.entries()) {
    const legacy = mine(input.bip32Derivation);
    const tap = mine(input.tapBip32Derivation);
    if (legacy.length > 0) {
      psbt.signInputHD(i, hdSigner(root, fingerprint));
      found.inputs.push({ path: legacy[0].path, pubkey: hex(legacy[0].pubkey) });
    } else if (tap.length > 0) {
      const d = tap[0];
      const node = root.derive(d.path);
      if (hex(node.publicKey.subarray(1)) !== hex(d.pubkey))
        throw new Error(`input ${i}: the derived key is not the one the PSBT names`);
      // BIP86 key path: the output key is the internal key tweaked by H_TapTweak(x).
      const even =
        node.publicKey[0] === 0x02 ? node.privateKey : ecc.privateNegate(node.privateKey);
      const tweaked = ecc.privateAdd(even, crypto.taggedHash('TapTweak', d.pubkey));
      psbt.signTaprootInput(i, {
        publicKey: ecc.pointFromScalar(tweaked, true),
        sign: () => {
          throw new Error('taproot signs with Schnorr');
        },
        signSchnorr: (h) => ecc.signSchnorr(h, tweaked),
      });
      found.inputs.push({ path: d.path, pubkey: hex(d.pubkey) });
    } else {
      throw new Error(`input ${i}: no derivation from this master key, refusing to sign`);
    }
  }
  for (const output of psbt.data.outputs) {
    const d = [...mine(output.bip32Derivation), ...mine(output.tapBip32Derivation)][0];
    found.outputs.push(d === undefined ? null : { path: d.path, pubkey: hex(d.pubkey) });
  }
  writeFileSync(outPath, psbt.toBuffer());
  process.stdout.write(`${JSON.stringify(found)}\n`);
} else {
  process.stderr.write(
    'usage: psbt-hd-signer.mjs keys <label> <account path> | sign <in> <out> <label>\n',
  );
  process.exit(2);
}

// Exported PSBTs carry the funding key's BIP32 derivation (BIP-174, BIP-371) when the
// watch-only key was given its origin, so a signer that knows only its master key (as a
// hardware wallet does) finds the key by fingerprint and path. The signers here are
// bitcoinjs-lib's own HD signing (P2WPKH) and, since bitcoinjs-lib has no HD signing for
// taproot, a few lines that follow PSBT_IN_TAP_BIP32_DERIVATION the same way (P2TR).
import { readFileSync } from 'node:fs';
import * as ecc from '@bitcoinerlab/secp256k1';
import {
  equalBytes,
  fromHex,
  isMedanchorError,
  MemoryJournal,
  sha256,
  toHex,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { HDKey } from '@scure/bip32';
import { crypto as bcrypto, type HDSigner, Psbt, Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { makeAnchorPsbtVectors } from '../../../../docs/spec/make-anchor-psbt-vectors.js';
import {
  bitcoinAnchorVerifier,
  buildUnsignedAnchor,
  type FundingKey,
  type FundingKeyType,
  finalizeAnchorPsbt,
  watchOnlyFundingKey,
} from '../../src/anchor/index.js';
import { type AnchorCoin, planAnchorFee } from '../../src/bitcoin.js';
import { openLedger } from '../../src/ledger/index.js';
import { toBitcoinjsNetwork } from '../../src/network/bitcoinjs.js';
import { regtest } from '../../src/network/index.js';
import { digestOf, fundedDevnet, testAnchorer } from './setup.js';

const regtestJs = toBitcoinjsNetwork(regtest);
const ACCOUNT: Record<FundingKeyType, string> = { p2wpkh: "m/84'/1'/0'", p2tr: "m/86'/1'/0'" };

/** The wallet: an HD master key from a fixed seed, and its fingerprint as 4 bytes. */
function wallet(label: string) {
  const root = HDKey.fromMasterSeed(sha256(utf8(`psbt derivation ${label}`)), regtest.bip32);
  const fingerprint = new Uint8Array(4);
  new DataView(fingerprint.buffer).setUint32(0, root.fingerprint);
  return { root, fingerprint };
}

/** The watch-only key `<account>/0/<n>` of `root`, as a coordinator would be given it. */
function watchOnly(label: string, type: FundingKeyType, n: number, withOrigin = true) {
  const { root, fingerprint } = wallet(label);
  const account = root.derive(ACCOUNT[type]);
  const key = watchOnlyFundingKey(
    {
      xpub: account.publicExtendedKey,
      path: `m/0/${n}`,
      type,
      ...(withOrigin ? { masterFingerprint: toHex(fingerprint), xpubPath: ACCOUNT[type] } : {}),
    },
    regtest,
  );
  return { root, fingerprint, key, fullPath: `${ACCOUNT[type]}/0/${n}` };
}

/** bitcoinjs-lib's HD signer interface over a @scure/bip32 node. */
function hdSigner(node: HDKey, fingerprint: Uint8Array): HDSigner {
  return {
    publicKey: node.publicKey!,
    fingerprint,
    derivePath: (path) => hdSigner(node.derive(path), fingerprint),
    sign: (hash) => node.sign(hash),
  };
}

/**
 * Signs every P2TR key-path input whose PSBT_IN_TAP_BIP32_DERIVATION names this master key:
 * derive the path, check the x-only key, tweak it as BIP86 does, sign. Throws for an input
 * it finds no derivation for, as a hardware wallet would refuse it.
 */
function signTaprootByDerivation(psbt: Psbt, root: HDKey, fingerprint: Uint8Array): void {
  for (let i = 0; i < psbt.inputCount; i++) {
    const d = psbt.data.inputs[i]!.tapBip32Derivation?.find((x) =>
      equalBytes(x.masterFingerprint, fingerprint),
    );
    if (d === undefined) throw new Error(`input ${i}: no derivation from this master key`);
    const node = root.derive(d.path);
    if (!equalBytes(node.publicKey!.subarray(1), d.pubkey))
      throw new Error(`input ${i}: the derived key is not the one named`);
    const secret = node.privateKey!;
    const even = node.publicKey![0] === 0x02 ? secret : ecc.privateNegate(secret);
    const tweaked = ecc.privateAdd(even, bcrypto.taggedHash('TapTweak', d.pubkey))!;
    psbt.signTaprootInput(i, {
      publicKey: ecc.pointFromScalar(tweaked, true)!,
      sign: () => {
        throw new Error('taproot signs with Schnorr');
      },
      signSchnorr: (h) => ecc.signSchnorr(h, tweaked),
    });
  }
}

/** Signs `bytes` the way the wallet of `type` would, knowing only its master key. */
function signByDerivation(
  bytes: Uint8Array,
  type: FundingKeyType,
  root: HDKey,
  fingerprint: Uint8Array,
): Uint8Array {
  const psbt = Psbt.fromBuffer(bytes, { network: regtestJs });
  if (type === 'p2wpkh') psbt.signAllInputsHD(hdSigner(root, fingerprint));
  else signTaprootByDerivation(psbt, root, fingerprint);
  return psbt.toBuffer();
}

// ---- Our own reader of the raw key-value maps (BIP-174 section "Specification"). ----

interface KeyValue {
  key: Uint8Array;
  value: Uint8Array;
}

/** The global, input and output maps of a PSBT, read byte by byte without bitcoinjs-lib. */
function readMaps(bytes: Uint8Array) {
  let at = 5;
  expect(toHex(bytes.subarray(0, 5))).toBe('70736274ff');
  const compact = (): number => {
    const b = bytes[at++]!;
    if (b < 0xfd) return b;
    const n = b === 0xfd ? 2 : 4;
    let v = 0;
    for (let i = 0; i < n; i++) v += bytes[at++]! * 2 ** (8 * i);
    return v;
  };
  const map = (): KeyValue[] => {
    const out: KeyValue[] = [];
    for (;;) {
      const keyLength = compact();
      if (keyLength === 0) return out;
      const key = bytes.subarray(at, at + keyLength);
      at += keyLength;
      const valueLength = compact();
      out.push({ key, value: bytes.subarray(at, at + valueLength) });
      at += valueLength;
    }
  };
  const global = map();
  const tx = Transaction.fromBuffer(global.find((kv) => kv.key[0] === 0x00)!.value);
  const inputs = tx.ins.map(() => map());
  const outputs = tx.outs.map(() => map());
  expect(at).toBe(bytes.length);
  return { inputs, outputs };
}

/** `fingerprint || path` as BIP-174 writes a derivation value (steps as uint32 little-endian). */
function derivationValue(fingerprint: Uint8Array, path: string): string {
  const steps = path
    .split('/')
    .slice(1)
    .map((s) => (s.endsWith("'") ? Number(s.slice(0, -1)) + 0x8000_0000 : Number(s)));
  const out = new Uint8Array(4 + 4 * steps.length);
  out.set(fingerprint);
  const view = new DataView(out.buffer);
  for (const [i, s] of steps.entries()) view.setUint32(4 + 4 * i, s, true);
  return toHex(out);
}

const fieldsOf = (m: KeyValue[], type: number) =>
  m.filter((kv) => kv.key[0] === type).map((kv) => [toHex(kv.key.subarray(1)), toHex(kv.value)]);

async function coinsOf(devnet: Awaited<ReturnType<typeof fundedDevnet>>, key: FundingKey) {
  return (await devnet.utxos(key.script)).map(
    (u): AnchorCoin => ({ txid: u.txid, vout: u.vout, value: u.value, script: key.script }),
  );
}

describe('watch-only key with its origin: derivation fields in every exported PSBT', () => {
  it.each(['p2wpkh', 'p2tr'] as const)(
    '%s: three inputs and the change carry fingerprint, path and key; signed by derivation alone; confirmed',
    async (type) => {
      const { root, fingerprint, key, fullPath } = watchOnly(`three ${type}`, type, 7);
      const derived = root.derive(fullPath).publicKey!;
      expect(key.origin?.path).toBe(fullPath);
      expect(toHex(key.origin!.masterFingerprint)).toBe(toHex(fingerprint));
      expect(toHex(key.internalPublicKey)).toBe(toHex(derived));
      const devnet = await fundedDevnet(key, 3);
      const coins = await coinsOf(devnet, key);
      expect(coins).toHaveLength(3);
      const total = coins.reduce((a, c) => a + c.value, 0n);
      const plan = planAnchorFee(3, type, total, 2)!;
      expect(plan.change).toBeGreaterThan(0n);
      const digest = digestOf(`derivation ${type}`);
      const unsigned = buildUnsignedAnchor({ key, coins, digest, plan, network: regtest });

      // bitcoinjs-lib's decoding.
      const decoded = Psbt.fromBuffer(unsigned.psbt, { network: regtestJs });
      for (const input of decoded.data.inputs) {
        const d = type === 'p2wpkh' ? input.bip32Derivation : input.tapBip32Derivation;
        expect(d).toHaveLength(1);
        expect(toHex(d![0]!.masterFingerprint)).toBe(toHex(fingerprint));
        expect(d![0]!.path).toBe(fullPath);
        expect(toHex(d![0]!.pubkey)).toBe(toHex(type === 'p2wpkh' ? derived : derived.slice(1)));
      }
      const change = decoded.data.outputs[1]!;
      const cd = type === 'p2wpkh' ? change.bip32Derivation : change.tapBip32Derivation;
      expect(cd?.map((d) => [toHex(d.masterFingerprint), d.path])).toEqual([
        [toHex(fingerprint), fullPath],
      ]);
      if (type === 'p2tr') expect(toHex(change.tapInternalKey!)).toBe(toHex(derived.slice(1)));
      // The OP_RETURN output is no key of the wallet.
      expect(Object.keys(decoded.data.outputs[0]!).filter((k) => k !== 'unknownKeyVals')).toEqual(
        [],
      );
      if (type === 'p2wpkh') {
        const hd = hdSigner(root, fingerprint);
        expect([0, 1, 2].map((i) => decoded.inputHasHDKey(i, hd))).toEqual([true, true, true]);
        expect(decoded.outputHasHDKey(1, hd)).toBe(true);
      }

      // The same fields read from the raw bytes: BIP-174 key types and value layout.
      const { inputs, outputs } = readMaps(unsigned.psbt);
      const value = derivationValue(fingerprint, fullPath);
      for (const m of inputs) {
        if (type === 'p2wpkh') expect(fieldsOf(m, 0x06)).toEqual([[toHex(derived), value]]);
        // PSBT_IN_TAP_BIP32_DERIVATION: <compact size 0: no leaf hashes> fingerprint path.
        else expect(fieldsOf(m, 0x16)).toEqual([[toHex(derived.slice(1)), `00${value}`]]);
      }
      if (type === 'p2wpkh') expect(fieldsOf(outputs[1]!, 0x02)).toEqual([[toHex(derived), value]]);
      else {
        expect(fieldsOf(outputs[1]!, 0x05)).toEqual([['', toHex(derived.slice(1))]]);
        expect(fieldsOf(outputs[1]!, 0x07)).toEqual([[toHex(derived.slice(1)), `00${value}`]]);
      }
      expect(outputs[0]).toEqual([]);

      // Another wallet's master key finds nothing to sign.
      const stranger = wallet(`stranger ${type}`);
      expect(() =>
        signByDerivation(unsigned.psbt, type, stranger.root, stranger.fingerprint),
      ).toThrow(/No inputs were signed|no derivation/);

      const signed = signByDerivation(unsigned.psbt, type, root, fingerprint);
      const tx = finalizeAnchorPsbt(
        signed,
        { psbt: unsigned.psbt, digest, coins, fee: plan.fee },
        regtest,
      );
      expect(tx.txid).toBe(unsigned.txid);
      await devnet.broadcast(tx.raw);
      await devnet.test.mine(1);
      expect((await devnet.txStatus(tx.txid)).confirmed).toBe(true);
    },
    60_000,
  );

  it.each(['p2wpkh', 'p2tr'] as const)(
    '%s: the anchorer exports it, the HD-signed PSBT is imported, the receipt verifies at level 3',
    async (type) => {
      const { root, fingerprint, key } = watchOnly(`ledger ${type}`, type, 2);
      const devnet = await fundedDevnet(key);
      const { anchorer, events } = await testAnchorer(devnet, key);
      const ledger = await openLedger({
        origin: 'clinic.example/hd-signer',
        journal: new MemoryJournal(),
        anchorer,
        network: regtest,
      });
      try {
        await ledger.add(utf8('record a'));
        const batch = (await ledger.seal())!;
        const txid = anchorer.get(batch.checkpointDigest)!.unsigned!.txid;
        const psbt = anchorer.exportPsbt(batch.checkpointDigest);
        expect(Psbt.fromBuffer(psbt, { network: regtestJs }).data.inputs.length).toBeGreaterThan(0);
        const signed = signByDerivation(psbt, type, root, fingerprint);
        const imported = await anchorer.importSignedPsbt(signed);
        expect(imported.attempts.map((a) => a.txid)).toEqual([txid]);
        expect(await devnet.test.mempool()).toEqual([txid]);
        expect(events.map((e) => e.kind)).toEqual(['unsigned', 'signed', 'recorded', 'broadcast']);
        await devnet.test.mine(6);
        await ledger.sync();
        expect(anchorer.get(batch.checkpointDigest)?.status).toBe('final');
        const result = await verifyReceipt((await ledger.receipt(0))!, {
          content: utf8('record a'),
          anchors: [
            bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 6 }),
          ],
          requireAnchor: true,
        });
        expect(result).toMatchObject({ ok: true, level: 3 });
      } finally {
        await ledger.close();
      }
    },
    60_000,
  );

  it('without the master fingerprint the PSBT is as before: no derivation, the same transaction', async () => {
    const bare = watchOnly('bare', 'p2wpkh', 1, false);
    const full = watchOnly('bare', 'p2wpkh', 1, true);
    expect(bare.key.origin).toBeUndefined();
    expect(bare.key.address).toBe(full.key.address);
    const coins: AnchorCoin[] = [
      { txid: toHex(sha256(utf8('coin'))), vout: 0, value: 100_000n, script: bare.key.script },
    ];
    const plan = planAnchorFee(1, 'p2wpkh', 100_000n, 2)!;
    const digest = digestOf('bare');
    const a = buildUnsignedAnchor({ key: bare.key, coins, digest, plan, network: regtest });
    const b = buildUnsignedAnchor({ key: full.key, coins, digest, plan, network: regtest });
    expect(a.txid).toBe(b.txid);
    const maps = readMaps(a.psbt);
    expect(maps.inputs[0]!.map((kv) => kv.key[0])).toEqual([0x01]); // witness UTXO only
    expect(maps.outputs.flat()).toEqual([]);
    expect(b.psbt.length).toBeGreaterThan(a.psbt.length);
  });
});

describe('a key origin that does not fit the xpub is refused (INVALID_KEY)', () => {
  const { root, fingerprint } = wallet('refusals');
  const account = root.derive("m/84'/1'/0'");
  const child1 = root.derive("m/84'");
  const xpub = account.publicExtendedKey;
  const fp = toHex(fingerprint);
  const other = fp === '00000000' ? '00000001' : '00000000';
  const cases: [string, Parameters<typeof watchOnlyFundingKey>[0], RegExp][] = [
    [
      'a fingerprint that is not hex',
      { xpub, path: 'm/0/0', masterFingerprint: 'xyz', xpubPath: "m/84'/1'/0'" },
      /8 hex digits/,
    ],
    [
      'a path of the wrong depth',
      { xpub, path: 'm/0/0', masterFingerprint: fp, xpubPath: "m/84'/1'" },
      /depth 3/,
    ],
    [
      'a path ending in another child',
      { xpub, path: 'm/0/0', masterFingerprint: fp, xpubPath: "m/84'/1'/5'" },
      /child number/,
    ],
    ['no xpubPath for an account xpub', { xpub, path: 'm/0/0', masterFingerprint: fp }, /depth 3/],
    [
      'xpubPath without the fingerprint',
      { xpub, path: 'm/0/0', xpubPath: "m/84'/1'/0'" },
      /masterFingerprint/,
    ],
    [
      'a malformed xpubPath',
      { xpub, path: 'm/0/0', masterFingerprint: fp, xpubPath: '84/1/0' },
      /BIP32 path/,
    ],
    [
      'a depth-1 xpub whose parent is another master',
      { xpub: child1.publicExtendedKey, path: 'm/0', masterFingerprint: other, xpubPath: "m/84'" },
      /parent/,
    ],
    [
      'the master xpub with another fingerprint',
      { xpub: root.publicExtendedKey, path: 'm/0', masterFingerprint: other },
      /master xpub/,
    ],
  ];
  it.each(cases)('%s', (_name, source, message) => {
    try {
      watchOnlyFundingKey(source, regtest);
    } catch (e) {
      expect(isMedanchorError(e) && e.code).toBe('INVALID_KEY');
      expect((e as Error).message).toMatch(message);
      return;
    }
    throw new Error('expected INVALID_KEY');
  });

  it('takes the master xpub with its own fingerprint, and a depth-1 xpub under it', () => {
    const m = watchOnlyFundingKey(
      { xpub: root.publicExtendedKey, path: 'm/0', masterFingerprint: fp },
      regtest,
    );
    expect(m.origin?.path).toBe('m/0');
    const one = watchOnlyFundingKey(
      {
        xpub: child1.publicExtendedKey,
        path: 'm/0',
        masterFingerprint: fingerprint,
        xpubPath: 'm/84h',
      },
      regtest,
    );
    expect(one.origin?.path).toBe("m/84'/0");
  });
});

type PsbtVectors = ReturnType<typeof makeAnchorPsbtVectors>;
const committed = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/anchor-psbt.json', import.meta.url), 'utf8'),
) as PsbtVectors;

describe('docs/spec/vectors/anchor-psbt.json', () => {
  it('is what the implementation produces (regenerate with make-anchor-psbt-vectors.ts)', () => {
    expect(JSON.parse(JSON.stringify(makeAnchorPsbtVectors()))).toEqual(committed);
  });

  it('names the wallet it says: fingerprint and account xpubs from the documented seed', () => {
    const root = HDKey.fromMasterSeed(
      sha256(utf8('medanchor anchor-psbt vector wallet')),
      regtest.bip32,
    );
    expect(committed.masterFingerprint).toBe(root.fingerprint.toString(16).padStart(8, '0'));
    for (const c of committed.cases.filter((x) => x.xpubPath !== undefined))
      expect(root.derive(c.xpubPath!).publicExtendedKey).toBe(c.xpub);
  });

  it.each(committed.cases.map((c) => [c.name, c] as const))(
    '%s: the raw maps hold exactly the documented fields',
    (_name, c) => {
      const { inputs, outputs } = readMaps(fromHex(c.psbt));
      const pub = c.publicKey;
      const xonly = pub.slice(2);
      const value =
        c.masterFingerprint === undefined
          ? undefined
          : derivationValue(fromHex(c.masterFingerprint), `${c.xpubPath}${c.path.slice(1)}`);
      expect(inputs).toHaveLength(c.coins.length);
      for (const m of inputs) {
        const types = m.map((kv) => kv.key[0]).sort((a, b) => a! - b!);
        if (c.keyType === 'p2wpkh') {
          expect(types).toEqual(value === undefined ? [0x01] : [0x01, 0x06]);
          if (value !== undefined) expect(fieldsOf(m, 0x06)).toEqual([[pub, value]]);
        } else {
          expect(types).toEqual(value === undefined ? [0x01, 0x17] : [0x01, 0x16, 0x17]);
          if (value !== undefined) expect(fieldsOf(m, 0x16)).toEqual([[xonly, `00${value}`]]);
        }
      }
      expect(outputs[0]).toEqual([]);
      const change = outputs[1]!;
      if (value === undefined) expect(change).toEqual([]);
      else if (c.keyType === 'p2wpkh') expect(fieldsOf(change, 0x02)).toEqual([[pub, value]]);
      else {
        expect(change.map((kv) => kv.key[0]).sort((a, b) => a! - b!)).toEqual([0x05, 0x07]);
        expect(fieldsOf(change, 0x05)).toEqual([['', xonly]]);
        expect(fieldsOf(change, 0x07)).toEqual([[xonly, `00${value}`]]);
      }
    },
  );
});

import { readFileSync } from 'node:fs';
import * as ecc from '@bitcoinerlab/secp256k1';
import { fromHex, sha256, toHex, utf8 } from '@medanchor/core';
import { HDKey } from '@scure/bip32';
import { initEccLib, payments, Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import {
  makeAnchorTaprootVectors,
  vectorXprv,
} from '../../../../docs/spec/make-anchor-taproot-vectors.js';
import { verifyInputs } from '../../src/devnet/signatures.js';
import { regtest } from '../../src/network/index.js';
import {
  isTaprootCommitment,
  taprootCommitmentKey,
  taprootCommitmentScript,
} from '../../src/spv/index.js';

type Vectors = ReturnType<typeof makeAnchorTaprootVectors>;
const committed = JSON.parse(
  readFileSync(
    new URL('../../../../docs/spec/vectors/anchor-taproot.json', import.meta.url),
    'utf8',
  ),
) as Vectors;

describe('docs/spec/vectors/anchor-taproot.json', () => {
  initEccLib(ecc);
  it('is what the implementation produces (regenerate with make-anchor-taproot-vectors.ts)', () => {
    expect(JSON.parse(JSON.stringify(makeAnchorTaprootVectors()))).toEqual(committed);
  });

  it('names the extended key of its seed', () => {
    const seed = sha256(utf8('medanchor anchor-taproot vector seed'));
    expect(vectorXprv()).toBe(HDKey.fromMasterSeed(seed, regtest.bip32).privateExtendedKey);
  });

  it.each(committed.cases.map((c, i) => [i, c] as const))('case %i: the BIP341 tweak', (_i, c) => {
    const internalKey = fromHex(c.internalKey);
    const digest = fromHex(c.digest);
    expect(toHex(taprootCommitmentKey(internalKey, digest)!)).toBe(c.outputKey);
    expect(c.script).toBe(`5120${c.outputKey}`);
    // bitcoinjs-lib's P2TR with the digest as the script tree's merkle root agrees.
    expect(toHex(payments.p2tr({ internalPubkey: internalKey, hash: digest }).output!)).toBe(
      c.script,
    );
    expect(isTaprootCommitment(fromHex(c.script), internalKey, digest)).toBe(true);
  });

  it.each(committed.notCommitments.map((n) => [n.why, n] as const))(
    'not a commitment: %s',
    (_w, n) => {
      expect(
        isTaprootCommitment(fromHex(n.script), fromHex(n.internalKey), fromHex(n.digest)),
      ).toBe(false);
    },
  );

  it('the transaction: one input, the committing change as its only output, signatures valid', () => {
    const t = committed.transaction;
    const tx = Transaction.fromBuffer(fromHex(t.rawTx));
    expect(tx.getId()).toBe(t.txid);
    expect(tx.ins).toHaveLength(1);
    expect(tx.outs).toHaveLength(1);
    expect(toHex(tx.outs[t.outputIndex]!.script)).toBe(
      toHex(taprootCommitmentScript(fromHex(t.internalKey), fromHex(t.digest))!),
    );
    expect(tx.outs[0]!.value).toBe(BigInt(t.change));
    expect(BigInt(t.coin.value) - BigInt(t.change)).toBe(BigInt(t.fee));
    expect(tx.virtualSize()).toBe(t.vsize);
    expect(t.vsize).toBeLessThanOrEqual(111);
    expect(t.vsize).toBeLessThanOrEqual(t.vsizeEstimate);
    expect(() =>
      verifyInputs(tx, [{ script: fromHex(t.fundingScript), value: BigInt(t.coin.value) }]),
    ).not.toThrow();
  });
});

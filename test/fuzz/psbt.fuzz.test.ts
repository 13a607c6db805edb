import {
  type AnchorSigner,
  buildUnsignedAnchor,
  finalizeAnchorPsbt,
  fundingKeyFromSecret,
  regtest,
  signAnchorPsbt,
  taprootCommitmentKey,
} from '@medanchor/chain';
import { type AnchorCoin, planAnchorFee } from '@medanchor/chain/bitcoin';
import { sha256, toHex, utf8 } from '@medanchor/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzzParams, mutateAll, mutations, typedOutcome } from './harness.js';

// A signed PSBT coming back from an outside signer is hostile input: every mutation of it
// is refused with a PSBT code, or is the very transaction that was built (a change in a
// field the transaction does not depend on), never another transaction.
const PSBT_CODES = new Set([
  'PSBT_INVALID',
  'PSBT_MISMATCH',
  'PSBT_UNSIGNED',
  'PSBT_BAD_SIGNATURE',
]);

describe(`fuzz: signed PSBTs and taproot commitments (${FUZZ_RUNS} inputs per property)`, () => {
  const key = fundingKeyFromSecret(sha256(utf8('psbt fuzz key')), 'p2tr', regtest, {
    schnorrAuxRand: 'zero',
  });
  const digest = sha256(utf8('psbt fuzz digest'));
  const coins: AnchorCoin[] = [0, 1].map((i) => ({
    txid: toHex(sha256(utf8(`psbt fuzz coin ${i}`))),
    vout: i,
    value: 60_000n,
    script: key.script,
  }));
  const plan = planAnchorFee(2, 'p2tr', 120_000n, 2)!;
  const unsigned = buildUnsignedAnchor({ key, coins, digest, plan, network: regtest });
  const expected = { psbt: unsigned.psbt, digest, coins, fee: plan.fee };
  let signed: Uint8Array;
  beforeAll(async () => {
    signed = await signAnchorPsbt(unsigned.psbt, key.signer as AnchorSigner, regtest);
  });

  it('finalizeAnchorPsbt on mutated signed PSBTs: a PSBT code, or the built transaction', () => {
    expect(finalizeAnchorPsbt(signed, expected, regtest).txid).toBe(unsigned.txid);
    fc.assert(
      fc.property(mutations, (m) => {
        const out = typedOutcome(() => finalizeAnchorPsbt(mutateAll(signed, m), expected, regtest));
        if ('code' in out) expect(PSBT_CODES.has(out.code), out.code).toBe(true);
        else expect(out.value.txid).toBe(unsigned.txid);
      }),
      fuzzParams(),
    );
    // 14 s in a loaded full run (40 s at four times the inputs): room beyond the default 60 s.
  }, 180_000);

  it('taprootCommitmentKey on arbitrary keys and digests: 32 bytes or undefined, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (k, d) => {
        const q = taprootCommitmentKey(k, d);
        expect(q === undefined || q.length === 32).toBe(true);
      }),
      fuzzParams(0.05),
    );
  });
});

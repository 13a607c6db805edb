import {
  type ConsentSigner,
  consentMultisigSigner,
  consentSignerForKey,
  decodeAddress,
  signBip322,
  verifyBip322,
} from '@medanchor/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzzParams, mutateAll, mutations, sameBytes, typedOutcome } from './harness.js';

const key = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => ((i * 7 + n) % 251) + 1);
const [A, B] = [key(1), key(2)];
const MSG = 'medanchor consent grant v1 fuzz';
const base64 = {
  encode: (b: Uint8Array) => Buffer.from(b).toString('base64'),
  decode: (s: string) => new Uint8Array(Buffer.from(s, 'base64')),
};
const addressOf = (s: ConsentSigner) => (s.scheme === 'bip322' ? s.address : '');
const multisig = consentMultisigSigner([A, B], 2);

// One valid signature per address type; each fuzz input mutates one of them.
const signed = [
  { address: addressOf(consentSignerForKey(A, 'p2pkh')), keys: [A], opts: {} },
  { address: addressOf(consentSignerForKey(A, 'p2sh-p2wpkh')), keys: [A], opts: {} },
  { address: addressOf(consentSignerForKey(A, 'p2wpkh')), keys: [A], opts: {} },
  { address: addressOf(consentSignerForKey(A, 'p2tr')), keys: [A], opts: {} },
  {
    address: addressOf(multisig.signer),
    keys: [A, B],
    opts: { witnessScript: multisig.witnessScript },
  },
].map((c) => {
  const sig = signBip322(MSG, c.address, c.keys, { ...c.opts, auxRand: new Uint8Array(32) });
  return { address: c.address, prefix: sig.slice(0, 3), bytes: base64.decode(sig.slice(3)) };
});

describe(`fuzz: BIP-322 (${FUZZ_RUNS} inputs per property)`, () => {
  it('verifyBip322 never throws and never accepts a mutated signature', () => {
    fc.assert(
      fc.property(fc.nat(signed.length - 1), mutations, fc.boolean(), (i, m, keepPrefix) => {
        const s = signed[i]!;
        const bytes = mutateAll(s.bytes, m);
        const sig = `${keepPrefix ? s.prefix : ''}${base64.encode(bytes)}`;
        const r = verifyBip322(MSG, s.address, sig);
        if (sameBytes(bytes, s.bytes)) return;
        expect(r.valid).toBe(false);
        if (!r.valid) expect(typeof r.code).toBe('string');
      }),
      // Each input here costs a real ECDSA/Schnorr check; the next property adds FUZZ_RUNS more.
      fuzzParams(0.25),
    );
  });

  it('verifyBip322 on arbitrary messages, addresses and signature strings never throws', () => {
    const address = fc.oneof(fc.string(), fc.constantFrom(...signed.map((s) => s.address)));
    const sig = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 300 }).map((b) => `smp${base64.encode(b)}`),
      fc.uint8Array({ maxLength: 300 }).map((b) => `ful${base64.encode(b)}`),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array()), address, sig, (msg, a, s) => {
        expect(verifyBip322(msg, a, s).valid).toBe(false);
      }),
      fuzzParams(),
    );
  });

  it('decodeAddress gives an address or INVALID_ADDRESS, nothing else', () => {
    const candidates = fc.oneof(
      fc.string(),
      fc
        .constantFrom(...signed.map((s) => s.address))
        .chain((a) =>
          fc
            .tuple(fc.nat(a.length), fc.string({ maxLength: 2 }))
            .map(([at, s]) => a.slice(0, at) + s + a.slice(at + 1)),
        ),
    );
    fc.assert(
      fc.property(candidates, (a) => {
        const out = typedOutcome(() => decodeAddress(a));
        if ('code' in out) expect(out.code).toBe('INVALID_ADDRESS');
      }),
      fuzzParams(),
    );
  });
});

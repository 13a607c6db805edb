// The key-origin PSBT vectors read by another implementation: Litecoin Core 0.21's
// `decodepsbt` (a Bitcoin Core 0.21 fork, Debian's litecoind). It knows BIP-174's derivation
// fields and shows them as `bip32_derivs`; it predates BIP-371, so the taproot fields come
// back under `unknown`, as raw key and value hex, which is checked byte for byte.
import { readFileSync } from 'node:fs';
import { fromHex } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { makeAnchorPsbtVectors } from '../../../../docs/spec/make-anchor-psbt-vectors.js';
import { type Litecoind, litecoindPath, startLitecoind } from './litecoind.js';

type Vectors = ReturnType<typeof makeAnchorPsbtVectors>;
const vectors = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/anchor-psbt.json', import.meta.url), 'utf8'),
) as Vectors;

interface Derivation {
  pubkey: string;
  master_fingerprint: string;
  path: string;
}
interface Decoded {
  inputs: { bip32_derivs?: Derivation[]; unknown?: Record<string, string> }[];
  outputs: { bip32_derivs?: Derivation[]; unknown?: Record<string, string> }[];
}

/** BIP-174's derivation value: fingerprint, then each step as uint32 little-endian. */
function derivationValue(fingerprint: string, path: string): string {
  const steps = path
    .split('/')
    .slice(1)
    .map((s) => (s.endsWith("'") ? Number(s.slice(0, -1)) + 0x8000_0000 : Number(s)));
  const out = new Uint8Array(4 * steps.length);
  const view = new DataView(out.buffer);
  for (const [i, s] of steps.entries()) view.setUint32(4 * i, s, true);
  return fingerprint + Buffer.from(out).toString('hex');
}

const bin = litecoindPath();
let node: Litecoind | undefined;
beforeAll(async () => {
  if (bin !== undefined) node = await startLitecoind();
}, 60_000);
afterAll(async () => {
  await node?.stop();
});

describe.skipIf(bin === undefined)('anchor PSBT key origins, decoded by litecoind', () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const base64 = Buffer.from(fromHex(c.psbt)).toString('base64');
    const decoded = await node!.rpc<Decoded>('decodepsbt', [base64]);
    expect(decoded.inputs).toHaveLength(c.coins.length);
    const fullPath = `${c.xpubPath ?? 'm'}${c.path.slice(1)}`;
    const xonly = c.publicKey.slice(2);
    const value =
      c.masterFingerprint === undefined
        ? undefined
        : derivationValue(c.masterFingerprint, fullPath);
    const core: Derivation[] | undefined =
      value === undefined
        ? undefined
        : [{ pubkey: c.publicKey, master_fingerprint: c.masterFingerprint!, path: fullPath }];
    for (const input of decoded.inputs) {
      if (c.keyType === 'p2wpkh') expect(input.bip32_derivs).toEqual(core);
      else {
        expect(input.bip32_derivs).toBeUndefined();
        // PSBT_IN_TAP_INTERNAL_KEY always; PSBT_IN_TAP_BIP32_DERIVATION with the origin.
        expect(input.unknown).toEqual({
          '17': xonly,
          ...(value === undefined ? {} : { [`16${xonly}`]: `00${value}` }),
        });
      }
    }
    expect(decoded.outputs[0]!.bip32_derivs).toBeUndefined();
    expect(decoded.outputs[0]!.unknown ?? {}).toEqual({});
    const change = decoded.outputs[1]!;
    if (c.keyType === 'p2wpkh') expect(change.bip32_derivs).toEqual(core);
    else
      expect(change.unknown ?? {}).toEqual(
        value === undefined ? {} : { '05': xonly, [`07${xonly}`]: `00${value}` },
      );
  });
});

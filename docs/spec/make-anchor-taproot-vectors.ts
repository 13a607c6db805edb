// Generates docs/spec/vectors/anchor-taproot.json, the test vectors of
// docs/spec/anchor-taproot.md: internal keys tweaked by checkpoint digests, scripts that
// are not the commitment, and one signed anchor transaction built from a fixed extended
// key. Run: `npx tsx docs/spec/make-anchor-taproot-vectors.ts`. The suite rebuilds every
// vector and compares (packages/chain/test/spv/taproot-vectors.test.ts).
import { writeFileSync } from 'node:fs';
import {
  type AnchorCoin,
  buildAnchorTransaction,
  planTweakAnchorFee,
} from '../../packages/chain/src/anchor/build.js';
import { fundingKey } from '../../packages/chain/src/anchor/index.js';
import { estimateTweakAnchorVsize } from '../../packages/chain/src/anchor/tx-size.js';
import { regtest } from '../../packages/chain/src/network/index.js';
import {
  taprootCommitmentKey,
  taprootCommitmentScript,
  tapTweak,
} from '../../packages/chain/src/spv/taproot-commitment.js';
import { sha256, toHex, utf8 } from '../../packages/core/src/index.js';

/**
 * The fixed extended key of the transaction vector: the BIP32 master key (regtest
 * version bytes) of the seed sha256("medanchor anchor-taproot vector seed").
 */
export function vectorXprv(): string {
  return 'tprv8ZgxMBicQKsPdEe59jZfZfc9FNuVmUJp3kqk4EvpsjgbiTdX5qNYE3XDRmCtyNhAaJvNst5CTVHsbevsWK54jdAzvLeF4GQJgggxsV7xmvA';
}

export function makeAnchorTaprootVectors() {
  const key = fundingKey({ xprv: vectorXprv(), path: "m/86'/1'/0'/0/0", type: 'p2tr' }, regtest, {
    schnorrAuxRand: 'zero',
  });
  const cases = [0, 1, 2].map((i) => {
    const internalKey = key.changeKey!(i).internalKey;
    const digest = sha256(utf8(`medanchor anchor-taproot vector digest ${i}`));
    return {
      internalKey: toHex(internalKey),
      digest: toHex(digest),
      tweak: toHex(tapTweak(internalKey, digest)),
      outputKey: toHex(taprootCommitmentKey(internalKey, digest)!),
      script: toHex(taprootCommitmentScript(internalKey, digest)!),
    };
  });
  const c0 = cases[0]!;
  const otherDigest = toHex(sha256(utf8('another checkpoint')));
  const notCommitments = [
    {
      why: 'the internal key untweaked (BIP86, no root)',
      internalKey: c0.internalKey,
      digest: c0.digest,
      script: `5120${toHex(taprootCommitmentKey(fromHexStrict(c0.internalKey), new Uint8Array(32))!)}`,
    },
    {
      why: 'tweaked by another digest',
      internalKey: c0.internalKey,
      digest: c0.digest,
      script: toHex(
        taprootCommitmentScript(fromHexStrict(c0.internalKey), fromHexStrict(otherDigest))!,
      ),
    },
    {
      why: 'a segwit v0 program of the same 32 bytes',
      internalKey: c0.internalKey,
      digest: c0.digest,
      script: `0020${c0.outputKey}`,
    },
  ];

  // One anchor: the funding key's coin in, the change (carrying the commitment) out.
  const digest = sha256(utf8('medanchor anchor-taproot vector checkpoint'));
  const coin: AnchorCoin = {
    txid: toHex(sha256(utf8('taproot coin 0'))),
    vout: 1,
    value: 100_000n,
    script: key.script,
  };
  const plan = planTweakAnchorFee(1, coin.value, 2)!;
  const tweakKey = key.changeKey!(0).internalKey;
  const tx = buildAnchorTransaction({
    key,
    coins: [coin],
    digest,
    plan,
    network: regtest,
    tweakKey,
  });
  return {
    description:
      "medanchor taproot commitment vectors (docs/spec/anchor-taproot.md). tweak = taggedHash(\"TapTweak\", internalKey || digest); outputKey = x(lift_x(internalKey) + tweak·G); script = 0x51 0x20 || outputKey. The transaction: funding key m/86'/1'/0'/0/0 of `xprv`, change key 0 of m/86'/1'/0'/1, 2 sat/vB, BIP340 aux randomness all zero. All hex.",
    cases,
    notCommitments,
    transaction: {
      xprv: vectorXprv(),
      fundingPath: "m/86'/1'/0'/0/0",
      changePath: "m/86'/1'/0'/1/0",
      fundingScript: toHex(key.script),
      coin: { txid: coin.txid, vout: coin.vout, value: coin.value.toString() },
      digest: toHex(digest),
      internalKey: toHex(tweakKey),
      feeRate: 2,
      vsizeEstimate: estimateTweakAnchorVsize(1),
      fee: plan.fee.toString(),
      change: plan.change.toString(),
      txid: tx.txid,
      vsize: tx.vsize,
      rawTx: toHex(tx.raw),
      entryCommitment: { kind: 'p2tr-tweak', internalKey: toHex(tweakKey) },
      outputIndex: 0,
    },
  };
}

function fromHexStrict(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g)!.map((b) => Number.parseInt(b, 16)));
}

if (process.argv[1]?.endsWith('make-anchor-taproot-vectors.ts')) {
  const out = new URL('vectors/anchor-taproot.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(makeAnchorTaprootVectors(), null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}

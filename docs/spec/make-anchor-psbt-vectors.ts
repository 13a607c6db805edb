// Generates docs/spec/vectors/anchor-psbt.json, the key-origin vectors of
// docs/spec/anchor-transaction.md section 4.1 step 2: unsigned anchor PSBTs built for
// watch-only keys given as an account xpub with its key origin, and the BIP-174 / BIP-371
// derivation fields they carry. Run: `npx tsx docs/spec/make-anchor-psbt-vectors.ts`.
// The suite rebuilds every vector and compares (packages/chain/test/anchor/psbt-derivation.test.ts).
import { writeFileSync } from 'node:fs';
import { sha256, toHex, utf8 } from '@medanchor/core';
import {
  buildUnsignedAnchor,
  type FundingKeyType,
  watchOnlyFundingKey,
} from '../../packages/chain/src/anchor/index.js';
import { type AnchorCoin, planAnchorFee } from '../../packages/chain/src/bitcoin.js';
import { regtest } from '../../packages/chain/src/network/index.js';

// The wallet: the BIP32 master key from the seed sha256(UTF-8 "medanchor anchor-psbt vector
// wallet") on regtest (tprv/tpub versions). Its fingerprint and the account xpubs are written
// out, so the vectors can be checked without deriving from the seed.
const MASTER_FINGERPRINT = '380e2df8';
const ACCOUNTS: Record<FundingKeyType, { xpubPath: string; xpub: string }> = {
  p2wpkh: {
    xpubPath: "m/84'/1'/0'",
    xpub: 'tpubDCcmZrft8Y7NrySGJk9u3BgsKXVVXWUg3vV4Eudqs2ULvpkVeVLAPSTZ179v8G4Z9YTwr9XfixkqGKYVa9ePh9ovrLhRx9oU2uPtaf7JcEk',
  },
  p2tr: {
    xpubPath: "m/86'/1'/0'",
    xpub: 'tpubDDRMeUMbwim2T8Qb2Ua2aCfffi3fG57LjNt6bXQu6FQt6q8xPDRngBpd1gF6a4WLfiN5sthv7RB3FnPmW9E1D1Pkz9veJUNCEc9z8YsJv9M',
  },
};
const PATH = 'm/0/5';

/** A fixed coin: txid sha256("psbt coin <n>") in display order. */
function coin(n: number, value: bigint, script: Uint8Array): AnchorCoin {
  return { txid: toHex(sha256(utf8(`psbt coin ${n}`))), vout: n, value, script };
}

export function makeAnchorPsbtVectors() {
  const digest = sha256(utf8('checkpoint digest of the psbt vectors'));
  const cases = (['p2wpkh', 'p2tr'] as const).flatMap((type) =>
    [true, false].map((withOrigin) => {
      const { xpub, xpubPath } = ACCOUNTS[type];
      const key = watchOnlyFundingKey(
        {
          xpub,
          path: PATH,
          type,
          ...(withOrigin ? { masterFingerprint: MASTER_FINGERPRINT, xpubPath } : {}),
        },
        regtest,
      );
      const coins = [coin(1, 30_000n, key.script), coin(2, 70_000n, key.script)];
      const plan = planAnchorFee(2, type, 100_000n, 2)!;
      const built = buildUnsignedAnchor({ key, coins, digest, plan, network: regtest });
      return {
        name: `${type}, two inputs and change, ${withOrigin ? 'with' : 'without'} key origin`,
        keyType: type,
        xpub,
        path: PATH,
        ...(withOrigin ? { masterFingerprint: MASTER_FINGERPRINT, xpubPath } : {}),
        publicKey: toHex(key.internalPublicKey),
        coins: coins.map((c) => ({ txid: c.txid, vout: c.vout, value: c.value.toString() })),
        feeRate: 2,
        fee: plan.fee.toString(),
        change: plan.change.toString(),
        txid: built.txid,
        psbt: toHex(built.psbt),
      };
    }),
  );
  return {
    description:
      'medanchor anchor PSBT key-origin vectors (docs/spec/anchor-transaction.md 4.1). Master key: BIP32 from the seed sha256(UTF-8 "medanchor anchor-psbt vector wallet"), regtest versions; `xpub` is its account key at `xpubPath`, the funding key is `path` below it. Coins: txid (display order) = sha256(UTF-8 "psbt coin <n>"), vout = n, paying the key\'s script. `psbt` is the unsigned PSBT, hex. Amounts are decimal strings of satoshis.',
    network: 'regtest',
    digest: toHex(digest),
    masterFingerprint: MASTER_FINGERPRINT,
    cases,
  };
}

if (process.argv[1]?.endsWith('make-anchor-psbt-vectors.ts')) {
  const out = new URL('./vectors/anchor-psbt.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(makeAnchorPsbtVectors(), null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}

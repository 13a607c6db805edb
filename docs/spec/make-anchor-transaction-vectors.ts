// Generates docs/spec/vectors/anchor-transaction.json, the test vectors of
// docs/spec/anchor-transaction.md: anchor transactions built and signed from fixed
// keys and fixed coins. Run: `npx tsx docs/spec/make-anchor-transaction-vectors.ts`.
// The suite rebuilds every vector and compares, so a change of either shows up.
import { writeFileSync } from 'node:fs';
import { sha256, toHex, utf8 } from '@medanchor/core';
import {
  encodeAnchorState,
  type FundingKeyType,
  fundingKeyFromSecret,
} from '../../packages/chain/src/anchor/index.js';
import {
  type AnchorCoin,
  buildAnchorTransaction,
  estimateAnchorVsize,
  planAnchorFee,
  selectAnchorCoins,
} from '../../packages/chain/src/bitcoin.js';
import { regtest } from '../../packages/chain/src/network/index.js';

/** The fixed secret of a vector key: sha256 of a label. */
export function vectorSecret(type: FundingKeyType): Uint8Array {
  return sha256(utf8(`medanchor anchor-transaction vector key ${type}`));
}

/** A fixed coin: txid sha256("coin <n>") in display order, paying the key's script. */
function coin(n: number, value: bigint, script: Uint8Array): AnchorCoin {
  return { txid: toHex(sha256(utf8(`coin ${n}`))), vout: n % 3, value, script };
}

/** One vector: a built transaction, or a coin selection (amounts as decimal strings). */
export interface AnchorTransactionVector {
  name: string;
  keyType: FundingKeyType;
  coins?: { txid: string; vout: number; value: string }[];
  candidates?: { txid: string; vout: number; value: string }[];
  selected?: string[];
  feeRate: number;
  minFee?: string;
  vsizeEstimate: number;
  fee: string;
  change: string;
  txid?: string;
  vsize?: number;
  rawTx?: string;
}

export function makeAnchorTransactionVectors() {
  const digest = sha256(utf8('checkpoint digest of the vectors'));
  const cases: AnchorTransactionVector[] = [];
  const types: FundingKeyType[] = ['p2wpkh', 'p2tr'];
  for (const type of types) {
    const key = fundingKeyFromSecret(vectorSecret(type), type, regtest, { schnorrAuxRand: 'zero' });
    const candidates = [
      coin(1, 20_000n, key.script),
      coin(2, 100_000n, key.script),
      coin(3, 400n, key.script),
    ];
    for (const [name, coins, feeRate] of [
      ['one input with change', [candidates[1]!], 2],
      ['two inputs with change', [candidates[0]!, candidates[1]!], 1.5],
      ['one input, change below dust goes to the fee', [coin(4, 400n, key.script)], 1],
    ] as const) {
      const total = coins.reduce((a, c) => a + c.value, 0n);
      const plan = planAnchorFee(coins.length, type, total, feeRate)!;
      const tx = buildAnchorTransaction({ key, coins, digest, plan, network: regtest });
      cases.push({
        name: `${type}: ${name}`,
        keyType: type,
        coins: coins.map((c) => ({ txid: c.txid, vout: c.vout, value: c.value.toString() })),
        feeRate,
        vsizeEstimate: plan.vsize,
        fee: plan.fee.toString(),
        change: plan.change.toString(),
        txid: tx.txid,
        vsize: tx.vsize,
        rawTx: toHex(tx.raw),
      });
    }
    // An RBF replacement of the first case: same coin, at least the old fee plus 1 sat/vB of its size.
    const first = cases[cases.length - 3]!;
    const c2 = [candidates[1]!];
    const probe = planAnchorFee(1, type, 100_000n, 4)!;
    const minFee = BigInt(first.fee) + BigInt(probe.vsize);
    const plan = planAnchorFee(1, type, 100_000n, 4, minFee)!;
    const replacement = buildAnchorTransaction({ key, coins: c2, digest, plan, network: regtest });
    cases.push({
      name: `${type}: RBF replacement of "one input with change" at 4 sat/vB`,
      keyType: type,
      coins: c2.map((c) => ({ txid: c.txid, vout: c.vout, value: c.value.toString() })),
      feeRate: 4,
      minFee: minFee.toString(),
      vsizeEstimate: plan.vsize,
      fee: plan.fee.toString(),
      change: plan.change.toString(),
      txid: replacement.txid,
      vsize: replacement.vsize,
      rawTx: toHex(replacement.raw),
    });
    const sel = selectAnchorCoins(candidates, type, 10);
    cases.push({
      name: `${type}: coin selection, largest first, at 10 sat/vB`,
      keyType: type,
      candidates: candidates.map((c) => ({
        txid: c.txid,
        vout: c.vout,
        value: c.value.toString(),
      })),
      feeRate: 10,
      selected: sel.coins.map((c) => `${c.txid}:${c.vout}`),
      vsizeEstimate: sel.vsize,
      fee: sel.fee.toString(),
      change: sel.change.toString(),
    });
  }
  const p2wpkh = fundingKeyFromSecret(vectorSecret('p2wpkh'), 'p2wpkh', regtest);
  const p2tr = fundingKeyFromSecret(vectorSecret('p2tr'), 'p2tr', regtest);
  const first = cases[0]!;
  const stateExample = encodeAnchorState([
    {
      digest: toHex(digest),
      status: 'pending',
      coins: first.coins!.map((c) => ({
        ...c,
        value: BigInt(c.value),
        script: toHex(p2wpkh.script),
      })),
      attempts: [
        {
          txid: first.txid!,
          rawTx: first.rawTx!,
          feeRate: first.feeRate,
          fee: BigInt(first.fee),
          signedAtHeight: 200,
        },
      ],
    },
  ]);
  return {
    description:
      'medanchor anchor transaction vectors (docs/spec/anchor-transaction.md). Keys: secret = sha256(UTF-8 "medanchor anchor-transaction vector key <type>"), network regtest; P2TR signatures use all-zero BIP340 aux randomness so they are reproducible (implementations use fresh randomness). Coins: txid (display order) = sha256(UTF-8 "coin <n>"), vout = n mod 3, paying the key\'s script. Amounts are decimal strings of satoshis.',
    network: 'regtest',
    digest: toHex(digest),
    keys: {
      p2wpkh: {
        secret: toHex(vectorSecret('p2wpkh')),
        script: toHex(p2wpkh.script),
        address: p2wpkh.address,
      },
      p2tr: {
        secret: toHex(vectorSecret('p2tr')),
        script: toHex(p2tr.script),
        address: p2tr.address,
      },
    },
    vsizeTable: types.flatMap((type) =>
      [1, 2, 3].flatMap((inputs) =>
        [true, false].map((withChange) => ({
          keyType: type,
          inputs,
          withChange,
          vsize: estimateAnchorVsize(inputs, type, withChange),
        })),
      ),
    ),
    cases,
    stateExample: JSON.parse(stateExample),
  };
}

if (process.argv[1]?.endsWith('make-anchor-transaction-vectors.ts')) {
  const out = new URL('./vectors/anchor-transaction.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(makeAnchorTransactionVectors(), null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}

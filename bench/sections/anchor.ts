import {
  bitcoinAnchorVerifier,
  createAnchorer,
  type FundingKeyType,
  fundingKey,
  fundingKeyFromSecret,
  memoryAnchorStateStore,
  openLedger,
  regtest,
} from '@medanchor/chain';
import { type AnchorCoin, buildAnchorTransaction, planAnchorFee } from '@medanchor/chain/bitcoin';
import { createDevnet } from '@medanchor/chain/devnet';
import { planTweakAnchorFee } from '@medanchor/chain/internal';
import { MemoryJournal, sha256, utf8, verifyReceipt, verifyReceiptMerkle } from '@medanchor/core';
import { devAnchoring } from '../../examples/shared/dev-anchoring.js';
import { measure, printTable } from '../harness.js';

function keyOf(type: FundingKeyType) {
  return fundingKeyFromSecret(sha256(utf8(`bench ${type}`)), type, regtest);
}

function coins(type: FundingKeyType, n: number): AnchorCoin[] {
  const key = keyOf(type);
  return Array.from({ length: n }, (_, i) => ({
    txid: sha256(utf8(`bench coin ${i}`)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''),
    vout: i,
    value: 100_000n,
    script: key.script,
  }));
}

function build(type: FundingKeyType, n: number) {
  const key = keyOf(type);
  const cs = coins(type, n);
  const plan = planAnchorFee(n, type, 100_000n * BigInt(n), 2)!;
  return buildAnchorTransaction({
    key,
    coins: cs,
    digest: sha256(utf8('bench digest')),
    plan,
    network: regtest,
  });
}

// A fixed regtest master key (from the seed sha256("medanchor anchor-taproot vector seed")):
// the taproot mode needs an extended key for its fresh change keys.
const TPRV =
  'tprv8ZgxMBicQKsPdEe59jZfZfc9FNuVmUJp3kqk4EvpsjgbiTdX5qNYE3XDRmCtyNhAaJvNst5CTVHsbevsWK54jdAzvLeF4GQJgggxsV7xmvA';

/** A one-input taproot-tweak anchor (no OP_RETURN; the change carries the commitment). */
function buildTweak() {
  const key = fundingKey({ xprv: TPRV, path: "m/86'/1'/0'/0/0", type: 'p2tr' }, regtest);
  const [coin] = coins('p2tr', 1);
  return buildAnchorTransaction({
    key,
    coins: [{ ...coin!, script: key.script }],
    digest: sha256(utf8('bench digest')),
    plan: planTweakAnchorFee(1, 100_000n, 2)!,
    network: regtest,
    tweakKey: key.changeKey!(0).internalKey,
  });
}

/**
 * The rolling anchor: 1,000 seals (one record each) over 10 devnet blocks, one ledger
 * sync before each block; counts the anchor transactions those blocks hold.
 */
async function rolling(): Promise<void> {
  const devnet = createDevnet({ seed: 'bench rolling' });
  const key = keyOf('p2wpkh');
  await devnet.test.mine(3, key.script);
  await devnet.test.mine(100);
  const anchorer = await createAnchorer({
    backend: devnet,
    network: regtest,
    key,
    state: memoryAnchorStateStore(),
    fee: { minSatPerVb: 1, maxSatPerVb: 25 },
    rolling: true,
  });
  const ledger = await openLedger({
    origin: 'bench.example/rolling',
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });
  const seals = 1000;
  const blocks = 10;
  const start = (await devnet.tip()).height + 1;
  const t0 = performance.now();
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < seals / blocks; i++) {
      await ledger.add(utf8(`rolling ${b} ${i}`));
      await ledger.seal();
    }
    await ledger.sync();
    await devnet.test.mine(1);
  }
  const ms = performance.now() - t0;
  let txs = 0;
  for (let h = start; h < start + blocks; h++) {
    const info = await devnet.blockInfo((await devnet.headerByHeight(h)).hash);
    txs += info.txids.length - 1;
  }
  const fees = anchorer
    .list()
    .flatMap((r) => r.attempts)
    .reduce((a, t) => a + t.fee, 0n);
  console.log(`\nanchor rolling: ${seals} seals in ${blocks} blocks -> ${txs} transactions`);
  console.log(
    `(fees signed ${fees} sat in all; ${ms.toFixed(0)} ms for the seals, syncs and blocks)`,
  );
  await ledger.close();
}

/** Anchor section: transaction sizes, build+sign rate, receipt verification rate. */
export async function run(): Promise<void> {
  // The smallest one-input form of each commitment that keeps its change (signed sizes).
  const opReturn = Math.min(build('p2wpkh', 1).vsize, build('p2tr', 1).vsize);
  console.log(`\nanchor size op_return: ${opReturn} vB`);
  console.log(`anchor size p2tr-tweak: ${buildTweak().vsize} vB`);
  await rolling();
  console.log('\n### Anchor transaction virtual size (signed, with change)\n');
  console.log('| funding key | 1 input | 2 inputs |');
  console.log('| --- | --- | --- |');
  for (const type of ['p2wpkh', 'p2tr'] as const) {
    console.log(`| ${type} | ${build(type, 1).vsize} vB | ${build(type, 2).vsize} vB |`);
  }

  const rows = [];
  for (const type of ['p2wpkh', 'p2tr'] as const) {
    rows.push({
      m: await measure(`build + sign, ${type}, 1 input`, () => build(type, 1), {
        items: 1,
        unit: 'tx',
        minMs: 1500,
      }),
    });
  }
  rows.push({
    m: await measure('build + sign, p2tr-tweak, 1 input', buildTweak, {
      items: 1,
      unit: 'tx',
      minMs: 1500,
    }),
  });
  printTable('Anchor transaction build + sign (bitcoinjs-lib Psbt, @noble/curves)', rows);

  // A real receipt: records sealed by a ledger, anchored on a devnet, confirmed.
  const { devnet, anchorer } = await devAnchoring('bench');
  const ledger = await openLedger({
    origin: 'bench.example/ledger',
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });
  for (let i = 0; i < 1000; i++) await ledger.add(utf8(`record ${i}`));
  await ledger.seal();
  await devnet.test.mine(1);
  await ledger.sync();
  const receipt = (await ledger.receipt(500))!;
  const content = utf8('record 500');
  const verifier = [bitcoinAnchorVerifier({ network: regtest })];
  const l1 = await measure(
    'level 1 (record, commitment, inclusion in 1000)',
    () => verifyReceiptMerkle(receipt, { content }),
    {
      items: 1,
      unit: 'receipt',
      minMs: 1500,
    },
  );
  const l2 = await measure(
    'levels 1-2 (+ payload, txid, branch, PoW)',
    () => verifyReceipt(receipt, { content, anchors: verifier }),
    {
      items: 1,
      unit: 'receipt',
      minMs: 1500,
    },
  );
  printTable('Receipt verification, offline', [
    { m: l1 },
    { m: l2, baseline: l1, note: 'ratio < 1: cost of level 2' },
  ]);
  await ledger.close();
}

// Chain section: SPV verification (sha256d merkle branch + header proof of work), header
// chain validation, and Bitcoin merkle roots next to bitcoinjs-lib's Block.calculateMerkleRoot,
// all on real mainnet data from the shared vectors (block 80000 embedded as a fallback).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  blockHashHex,
  decodeSpvProof,
  hashFromDisplayHex,
  mainnet,
  networkByName,
  regtest,
  validateHeaderChain,
  verifySpvProof,
  verifyTxInclusion,
} from '@medanchor/chain';
import {
  bitcoinMerkleLevels,
  bitcoinMerkleRoot,
  merkleBranchFromLevels,
  parseBlock,
  serializeTransactionNoWitness,
  sha256d,
} from '@medanchor/chain/bitcoin';
import { fromHex, MemoryJournal, utf8, verifyReceipt, verifyReceiptMerkle } from '@medanchor/core';
import { devAnchoring } from '../../examples/shared/dev-anchoring.js';
import { bitcoinAnchorVerifier } from '../../packages/chain/src/anchor/index.js';
import { parseHeader } from '../../packages/chain/src/bitcoin/header.js';
import { openLedger } from '../../packages/chain/src/ledger/index.js';
import { MAINNET_SCHEDULE } from '../../packages/chain/src/schedule/data/mainnet.js';
import {
  bundledSchedule,
  checkHeaderAgainstSchedule,
  type DifficultySchedule,
  decodeSchedule,
} from '../../packages/chain/src/schedule/index.js';
import { readVectorJson, repoPath, vectorPath } from '../../test/helpers/vectors.js';
import { type Measurement, measure, printTable } from '../harness.js';

// bitcoinjs-lib is a dependency of @medanchor/chain, not of the root: load it from there.
interface BjsBlock {
  transactions?: unknown[];
}
interface Bjs {
  Block: {
    fromBuffer(b: Uint8Array): BjsBlock;
    calculateMerkleRoot(txs: unknown[]): Uint8Array;
  };
}
const bjs = createRequire(repoPath('packages/chain/package.json'))('bitcoinjs-lib') as Bjs;

interface BlockVector {
  hash: string;
  header: string;
  txids: string[];
  rawBlock?: string;
}

// Mainnet block 80000, used when the shared vectors are absent.
const BLOCK_80000: BlockVector = {
  hash: '000000000043a8c0fd1d6f726790caa2a406010d19efd2780db27bdbbd93baf6',
  header:
    '01000000ba8b9cda965dd8e536670f9ddec10e53aab14b20bacad27b9137190000000000190760b278fe7b8565fda3b968b918d5fd997f993b23674c0af3b6fde300b38f33a5914ce6ed5b1b01e32f57',
  txids: [
    'c06fbab289f723c6261d3030ddb6be121f7d2508d77862bb1e484f5cd7f92b25',
    '5a4ebf66822b0b2d56bd9dc64ece0bc38ee7844a23ff1d7320a88c5fdb2ad3e2',
  ],
};

function loadBlock(file: string): BlockVector {
  const p = vectorPath(`bitcoin/blocks/${file}`);
  return p === undefined ? BLOCK_80000 : readVectorJson<BlockVector>(p);
}

async function spvTable(): Promise<void> {
  // The deepest block of the set: 1557 transactions, 11-sibling branches.
  const block = loadBlock('413567-25aff8be8a55.json');
  const header = fromHex(block.header);
  const txids = block.txids.map((t) => hashFromDisplayHex(t));
  const levels = bitcoinMerkleLevels(txids);
  const proofs = txids.map((txid, position) => ({
    txid,
    position,
    branch: merkleBranchFromLevels(levels, position),
    txCount: txids.length,
    header,
  }));
  const inclusion = await measure(
    `inclusion, ${txids.length}-tx block (${proofs[0]!.branch.length} siblings + PoW)`,
    () => {
      for (const p of proofs) if (!verifyTxInclusion(p, mainnet).ok) throw new Error('bad proof');
    },
    { items: proofs.length, unit: 'proofs' },
  );

  const spec = JSON.parse(readFileSync(repoPath('docs/spec/vectors/anchor-spv.json'), 'utf8')) as {
    valid: { proof: unknown; expectedDigest: string }[];
  };
  const v = spec.valid[0]!;
  const proof = decodeSpvProof(v.proof);
  const expectedPayload = fromHex(v.expectedDigest);
  const N = 2000;
  const full = await measure(
    'verifySpvProof, spec vector (parse tx, payload, branch, PoW)',
    () => {
      for (let i = 0; i < N; i++)
        if (!verifySpvProof(proof, { params: regtest, expectedPayload }).ok) throw new Error('bad');
    },
    { items: N, unit: 'proofs' },
  );
  const json = JSON.stringify(v.proof);
  const fromJson = await measure(
    'decodeSpvProof(JSON text) + verifySpvProof',
    () => {
      for (let i = 0; i < N; i++) {
        if (!verifySpvProof(decodeSpvProof(json), { params: regtest, expectedPayload }).ok)
          throw new Error('bad');
      }
    },
    { items: N, unit: 'proofs' },
  );
  printTable('SPV verification (level 2)', [
    { m: inclusion, note: `block ${block.hash.slice(0, 16)}…` },
    { m: full },
    { m: fromJson, baseline: full },
  ]);
}

async function headerChainTable(): Promise<void> {
  const rows: { m: Measurement; note?: string }[] = [];
  for (const file of [
    'mainnet-0-438.json',
    'summa-relays-headersWithRetarget-554390-554408.json',
  ]) {
    const p = vectorPath(`bitcoin/headers/${file}`);
    if (p === undefined) continue;
    const v = readVectorJson<{
      network: string;
      startHeight: number;
      headers: string[];
      extraHeaders: { role: string; height: number | null; header: string }[];
    }>(p);
    const headers = v.headers.map((h) => fromHex(h));
    const epoch = v.extraHeaders.find((e) => e.role === 'epochStart');
    const input = {
      params: networkByName(v.network),
      checkpoint: { height: v.startHeight, header: headers[0]! },
      headers: headers.slice(1),
      ...(epoch && epoch.height !== null
        ? { epochStart: { height: epoch.height, header: fromHex(epoch.header) } }
        : {}),
    };
    rows.push({
      m: await measure(
        `validateHeaderChain, ${file.replace('.json', '')}`,
        () => {
          if (!validateHeaderChain(input).ok) throw new Error('chain refused');
        },
        { items: headers.length - 1, unit: 'headers' },
      ),
      note: epoch ? 'crosses a retarget' : 'from genesis',
    });
  }
  if (rows.length === 0) {
    console.log('\n(header chain figures skipped: no shared vectors)');
    return;
  }
  printTable('Header chain validation (linkage, PoW, bits, median time)', rows);
}

async function merkleRootTable(): Promise<void> {
  const block = loadBlock('300025-821c4e0acc40.json');
  const raw = block.rawBlock ? fromHex(block.rawBlock) : undefined;
  const txids = block.txids.map((t) => hashFromDisplayHex(t));
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [];
  const ours = await measure('bitcoinMerkleRoot(txids)', () => bitcoinMerkleRoot(txids), {
    items: txids.length,
    unit: 'txids',
  });
  rows.push({ m: ours, note: 'tree only' });
  if (raw !== undefined) {
    const parsed = parseBlock(raw);
    const theirsBlock = bjs.Block.fromBuffer(raw);
    const theirs = await measure(
      'bitcoinjs-lib Block.calculateMerkleRoot(transactions)',
      () => bjs.Block.calculateMerkleRoot(theirsBlock.transactions!),
      { items: txids.length, unit: 'txs' },
    );
    const ourTxs = await measure(
      'txids (sha256d of non-witness serialization) + bitcoinMerkleRoot',
      () =>
        bitcoinMerkleRoot(
          parsed.transactions.map((t) => sha256d(serializeTransactionNoWitness(t))),
        ),
      { items: txids.length, unit: 'txs' },
    );
    const parseOurs = await measure(
      'parseBlock (parse + txids) + root',
      () => bitcoinMerkleRoot(parseBlock(raw).txids),
      {
        items: txids.length,
        unit: 'txs',
      },
    );
    const parseTheirs = await measure(
      'bitcoinjs-lib Block.fromBuffer + calculateMerkleRoot',
      () => {
        const b = bjs.Block.fromBuffer(raw);
        return bjs.Block.calculateMerkleRoot(b.transactions!);
      },
      { items: txids.length, unit: 'txs' },
    );
    rows.push(
      { m: theirs, note: 'serializes and hashes every transaction' },
      { m: ourTxs, baseline: theirs, note: 'same work as the row above' },
      { m: parseTheirs },
      { m: parseOurs, baseline: parseTheirs, note: 'same work as the row above' },
    );
  }
  printTable(
    `Bitcoin merkle root, block ${blockHashHex(fromHex(block.header)).slice(0, 16)}… (${txids.length} txs)`,
    rows,
  );
}

// Receipt verification at level 2 with the difficulty-schedule checks on. A devnet block is
// regtest, which has no schedule, so the verifier gets a schedule fixture made around the
// anchor block (its bits, an epoch span around its time): the same checks mainnet runs.
async function scheduleTable(): Promise<void> {
  const { devnet, anchorer } = await devAnchoring('bench-schedule');
  const ledger = await openLedger({
    origin: 'bench.example/schedule',
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });
  for (let i = 0; i < 1000; i++) await ledger.add(utf8(`record ${i}`));
  await ledger.seal();
  await devnet.test.mine(1);
  await ledger.sync();
  const receipt = (await ledger.receipt(500))!;
  await ledger.close();
  const content = utf8('record 500');
  const entry = receipt.anchors[0] as unknown as { height: number; header: string };
  const header = parseHeader(fromHex(entry.header));
  const epochs = Math.floor(entry.height / 2016) + 2;
  const fixture: DifficultySchedule = {
    network: 'regtest',
    interval: 2016,
    anchorFloor: 0,
    epochs: Array.from({ length: epochs }, (_, k) => ({
      bits: header.bits,
      firstTime: header.time - 3600 + (k - epochs + 2) * 14 * 86_400,
    })),
  };
  const withSchedule = [bitcoinAnchorVerifier({ network: regtest, schedule: fixture })];
  const without = [bitcoinAnchorVerifier({ network: regtest, schedule: null })];
  const check = await verifyReceipt(receipt, { content, anchors: withSchedule });
  if (!check.ok || check.anchors[0]?.details?.['facts'] === undefined)
    throw new Error(
      `the bench receipt does not verify with the schedule: ${JSON.stringify(check)}`,
    );
  const N = 500;
  const merkleOnly = await measure(
    'level 1 only (verifyReceiptMerkle: content, commitment, checkpoint, inclusion)',
    () => {
      for (let i = 0; i < N; i++)
        if (!verifyReceiptMerkle(receipt, { content }).ok) throw new Error('bad');
    },
    { items: N, unit: 'receipts', minMs: 1500 },
  );
  const off = await measure(
    'levels 1-2, no schedule checks',
    async () => {
      for (let i = 0; i < N; i++) await verifyReceipt(receipt, { content, anchors: without });
    },
    { items: N, unit: 'receipts', minMs: 1500 },
  );
  const on = await measure(
    'levels 1-2 with the schedule checks (floor, bits, work, time)',
    async () => {
      for (let i = 0; i < N; i++) {
        const r = await verifyReceipt(receipt, { content, anchors: withSchedule });
        if (!r.ok) throw new Error('bad');
      }
    },
    { items: N, unit: 'receipts', minMs: 1500 },
  );
  const mainnetSchedule = bundledSchedule('mainnet')!;
  const real = vectorPath('bitcoin/spv/592920-74d6d6dc1fc9-26.json');
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [
    { m: merkleOnly, note: 'the same receipt, no anchor verifier' },
    { m: off },
    { m: on, baseline: off, note: 'target: >= 15,000 receipts/s' },
    {
      m: await measure('decode the bundled mainnet schedule (15 KB)', () =>
        decodeSchedule('mainnet', MAINNET_SCHEDULE),
      ),
      note: 'once per process',
    },
  ];
  if (real !== undefined) {
    const h = parseHeader(fromHex(readVectorJson<{ header: string }>(real).header));
    const M = 10_000;
    rows.push({
      m: await measure(
        'checkHeaderAgainstSchedule, real mainnet header (block 592920)',
        () => {
          for (let i = 0; i < M; i++)
            if (!checkHeaderAgainstSchedule(h, 592_920, mainnetSchedule, { minHeight: 0 }).ok)
              throw new Error('bad');
        },
        { items: M, unit: 'headers' },
      ),
    });
  }
  printTable('Receipt verification at level 2 with the difficulty schedule', rows);
}

/** Runs the chain section. */
export async function run(): Promise<void> {
  await spvTable();
  await scheduleTable();
  await headerChainTable();
  await merkleRootTable();
}

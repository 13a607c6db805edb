// Chain section: SPV verification (sha256d merkle branch + header proof of work), header
// chain validation, and Bitcoin merkle roots next to bitcoinjs-lib's Block.calculateMerkleRoot,
// all on real mainnet data from the shared vectors (block 80000 embedded as a fallback).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  bitcoinAnchorVerifier,
  blockHashHex,
  bundledSchedule,
  checkHeaderAgainstSchedule,
  type DifficultySchedule,
  decodeSchedule,
  decodeSpvProof,
  hashFromDisplayHex,
  mainnet,
  networkByName,
  openLedger,
  parseHeader,
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
// Not public API: the bundled mainnet schedule's encoded bytes, and core's single-proof node
// memo (receipts' inclusion walks), cleared for first-time figures.
import { MAINNET_SCHEDULE } from '@medanchor/chain/internal';
import {
  CHECKPOINT_TAG,
  COMMITMENT_TAG,
  encodeCheckpoint,
  fromHex,
  MemoryJournal,
  type Receipt,
  utf8,
  verifyReceipt,
  verifyReceiptMerkle,
} from '@medanchor/core';
import { clearPathMemo } from '@medanchor/core/internal';
import { devAnchoring } from '../../examples/shared/dev-anchoring.js';
import { readVectorJson, repoPath, vectorPath } from '../../test/helpers/vectors.js';
import { interleaved, speedLine, spread } from '../compare.js';
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
  Transaction: {
    fromHex(hex: string): { outs: { script: Uint8Array }[]; getHash(): Uint8Array };
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

const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const tagged = (tag: string) => {
  const t = sha(utf8(tag));
  return (...parts: Uint8Array[]) => sha(t, t, ...parts);
};
const commitmentHash = tagged(COMMITMENT_TAG);
const checkpointHash = tagged(CHECKPOINT_TAG);

/**
 * The peer of level 1: the same checks as a careful implementer would write them with
 * node:crypto (one hash object per hash, hex decoded with Buffer), no schema validation.
 */
function plainLevel1(r: Receipt, content: Uint8Array): boolean {
  const hex = (h: string) => Buffer.from(h, 'hex');
  if (sha(content).toString('hex') !== r.record.digest) return false;
  const c = commitmentHash(hex(r.record.salt), hex(r.record.digest));
  if (c.toString('hex') !== r.record.commitment) return false;
  const cp = r.checkpoint;
  const root = hex(cp.root);
  const encoded = encodeCheckpoint({ origin: cp.origin, size: cp.size, root });
  if (checkpointHash(encoded).toString('hex') !== cp.digest) return false;
  let acc = sha(Uint8Array.of(0), c);
  let fn = r.leafIndex;
  let sn = r.treeSize - 1;
  for (const p of r.inclusionProof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      acc = sha(Uint8Array.of(1), hex(p), acc);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      acc = sha(Uint8Array.of(1), acc, hex(p));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && acc.equals(root);
}

/**
 * The peer of levels 1-2: plain level 1, then the anchor with bitcoinjs-lib and node:crypto:
 * the output carries the digest, the txid's merkle branch reaches the header's root, and
 * the header hash meets its own target (no schedule checks, as the row it is set beside).
 */
function plainLevel12(r: Receipt, content: Uint8Array): boolean {
  if (!plainLevel1(r, content)) return false;
  const a = r.anchors[0] as unknown as {
    rawTx: string;
    outputIndex: number;
    position: number;
    branch: string[];
    header: string;
  };
  const tx = bjs.Transaction.fromHex(a.rawTx);
  // OP_RETURN whose data ends with the digest (the payload format's details aside).
  const script = Buffer.from(tx.outs[a.outputIndex]!.script);
  const digest = Buffer.from(r.checkpoint.digest, 'hex');
  if (script[0] !== 0x6a || !script.subarray(script.length - 32).equals(digest)) return false;
  let node: Buffer = Buffer.from(tx.getHash());
  let pos = a.position;
  for (const b of a.branch) {
    const sib = Buffer.from(b, 'hex');
    node = sha(pos % 2 === 1 ? sha(sib, node) : sha(node, sib));
    pos = Math.floor(pos / 2);
  }
  const header = Buffer.from(a.header, 'hex');
  if (!node.equals(header.subarray(36, 68))) return false;
  const bits = header.readUInt32LE(72);
  const target = BigInt(bits & 0x7fffff) << BigInt(8 * ((bits >>> 24) - 3));
  const hash = BigInt(
    `0x${Buffer.from(sha(sha(header)))
      .reverse()
      .toString('hex')}`,
  );
  return hash <= target;
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
  // As an auditor holds them: read from their JSON files.
  const all: Receipt[] = [];
  for (let i = 0; i < 1000; i++) all.push(JSON.parse(JSON.stringify(await ledger.receipt(i))));
  const contents = all.map((_, i) => utf8(`record ${i}`));
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
  // The rows compared with each other run in interleaved passes after a warm-up
  // (bench/compare.ts), on the same inputs: first one receipt again and again, then an
  // audit of 1,000 different receipts of one checkpoint, each once per run (the node memo
  // cleared before each run: the receipts still share the nodes near the root, the
  // checkpoint and the anchor), beside the same checks done plainly.
  const N = 500;
  const [merkleOnly, off, on] = await interleaved([
    {
      name: 'level 1 only (verifyReceiptMerkle: content, commitment, checkpoint, inclusion)',
      run: () => {
        for (let i = 0; i < N; i++)
          if (!verifyReceiptMerkle(receipt, { content }).ok) throw new Error('bad');
      },
      items: N,
      unit: 'receipts',
    },
    {
      name: 'levels 1-2, no schedule checks',
      run: async () => {
        for (let i = 0; i < N; i++) {
          const r = await verifyReceipt(receipt, { content, anchors: without });
          if (!r.ok) throw new Error('bad');
        }
      },
      items: N,
      unit: 'receipts',
    },
    {
      name: 'levels 1-2 with the schedule checks (floor, bits, work, time)',
      run: async () => {
        for (let i = 0; i < N; i++) {
          const r = await verifyReceipt(receipt, { content, anchors: withSchedule });
          if (!r.ok) throw new Error('bad');
        }
      },
      items: N,
      unit: 'receipts',
    },
  ]);
  const count = all.length;
  const audit = { items: count, unit: 'receipts' };
  // One interleaved group for all five audit rows, so level 1 and levels 1-2 meet the
  // same load; 15 passes of at least 300 ms (a run of 1,000 receipts is one pass unit).
  const [plain1, audit1, plain12, audit12, audit12Cold] = await interleaved(
    [
      {
        name: 'peer: plain level 1, node:crypto (in this bench), 1,000 receipts',
        run: () => {
          for (let i = 0; i < count; i++)
            if (!plainLevel1(all[i]!, contents[i]!)) throw new Error('bad');
        },
        ...audit,
      },
      {
        name: 'level 1, 1,000 different receipts of one checkpoint (node memo cleared each run)',
        run: () => {
          clearPathMemo();
          for (let i = 0; i < count; i++)
            if (!verifyReceiptMerkle(all[i]!, { content: contents[i]! }).ok) throw new Error('bad');
        },
        ...audit,
      },
      {
        name: 'peer: plain levels 1-2, node:crypto + bitcoinjs-lib (in this bench), 1,000 receipts',
        run: () => {
          for (let i = 0; i < count; i++)
            if (!plainLevel12(all[i]!, contents[i]!)) throw new Error('bad');
        },
        ...audit,
      },
      {
        name: 'levels 1-2, no schedule checks, 1,000 different receipts (node memo cleared each run)',
        run: async () => {
          clearPathMemo();
          for (let i = 0; i < count; i++) {
            const r = await verifyReceipt(all[i]!, { content: contents[i]!, anchors: without });
            if (!r.ok) throw new Error('bad');
          }
        },
        ...audit,
      },
      {
        // Without the verifier's memory of checked entries: a new verifier per receipt
        // decodes, hashes and checks the shared anchor entry every time.
        name: 'levels 1-2, 1,000 different receipts, a new verifier per receipt (nothing remembered)',
        run: async () => {
          clearPathMemo();
          for (let i = 0; i < count; i++) {
            const fresh = [bitcoinAnchorVerifier({ network: regtest, schedule: null })];
            const r = await verifyReceipt(all[i]!, { content: contents[i]!, anchors: fresh });
            if (!r.ok) throw new Error('bad');
          }
        },
        ...audit,
      },
    ],
    { passes: 15, passMs: 300 },
  );
  const mainnetSchedule = bundledSchedule('mainnet')!;
  const real = vectorPath('bitcoin/spv/592920-74d6d6dc1fc9-26.json');
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [
    { m: merkleOnly!.m, note: `the same receipt, no anchor verifier; ${spread(merkleOnly!)}` },
    { m: off!.m, note: spread(off!) },
    { m: on!.m, baseline: off!.m, note: `target: >= 15,000 receipts/s; ${spread(on!)}` },
    { m: plain1!.m, note: spread(plain1!) },
    { m: audit1!.m, baseline: plain1!.m, note: spread(audit1!) },
    { m: plain12!.m, note: spread(plain12!) },
    {
      m: audit12!.m,
      baseline: plain12!.m,
      note: `the shared anchor entry checked once; ${spread(audit12!)}`,
    },
    {
      m: audit12Cold!.m,
      baseline: plain12!.m,
      note: `the anchor entry checked per receipt; ${spread(audit12Cold!)}`,
    },
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
  console.log(`\n${speedLine('receipt level 1', audit1!.m, plain1!.m)}`);
  console.log(speedLine('receipt levels 1-2', audit12!.m, plain12!.m));
}

/**
 * Runs the chain section. `MEDANCHOR_BENCH_CHAIN=schedule` runs only that table (names:
 * spv, schedule, headers, roots).
 */
export async function run(): Promise<void> {
  const only = process.env['MEDANCHOR_BENCH_CHAIN']?.split(',');
  const tables = {
    spv: spvTable,
    schedule: scheduleTable,
    headers: headerChainTable,
    roots: merkleRootTable,
  };
  for (const [name, table] of Object.entries(tables)) {
    if (only === undefined || only.includes(name)) await table();
  }
}

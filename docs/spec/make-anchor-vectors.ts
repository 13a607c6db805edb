// Generates the test vectors of docs/spec/anchor.md:
//   docs/spec/vectors/anchor-payload.json  checkpoint -> digest -> payload -> OP_RETURN script
//   docs/spec/vectors/anchor-spv.json      SPV proofs in a mined regtest chain, valid and not
// Run from the repository root: node_modules/.bin/tsx docs/spec/make-anchor-vectors.ts
// Everything is deterministic (fixed inputs, nonces searched from 0), so a rerun rewrites
// identical files; packages/chain/test/spv/spec-vectors.test.ts checks that and every vector.
import { writeFileSync } from 'node:fs';
import {
  bitcoinMerkleBranch,
  bitcoinMerkleRoot,
  blockHash,
  headerMeetsTarget,
  type ParsedTransaction,
  serializeHeader,
  serializeTransaction,
  serializeTransactionNoWitness,
  txidOf,
} from '../../packages/chain/src/bitcoin/index.js';
import { regtest } from '../../packages/chain/src/network/index.js';
import {
  anchorOutputScript,
  bareAnchorOutputScript,
  createSpvProof,
  encodeAnchorPayload,
  encodeSpvProof,
  type SpvProofJson,
  type SpvStep,
} from '../../packages/chain/src/spv/index.js';
import { checkpointDigest, fromHex, sha256, toHex, utf8 } from '../../packages/core/src/index.js';

const ORIGIN = 'clinic.example/ledger';

/** A readable 32-byte root: one repeated pattern per seed. */
function root(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (seed * 29 + i * 3) & 0xff);
}

function payloadVectors() {
  const cases = [
    { origin: ORIGIN, size: 1, root: root(1) },
    { origin: ORIGIN, size: 1000, root: root(2) },
    { origin: 'hospital.example/imaging', size: 2 ** 40, root: root(3) },
  ];
  return {
    description:
      'medanchor anchor payload vectors (docs/spec/anchor.md section 1). digest = checkpointDigest(checkpoint) (docs/spec/receipt.md); payload = "MDA1" || digest; script = 0x6a 0x24 || payload; bareScript = 0x6a 0x20 || digest (the bare form, no magic). All hex.',
    magic: toHex(utf8('MDA1')),
    cases: cases.map((cp) => {
      const digest = checkpointDigest(cp);
      return {
        checkpoint: { origin: cp.origin, size: cp.size, root: toHex(cp.root) },
        digest: toHex(digest),
        payload: toHex(encodeAnchorPayload(digest)),
        script: toHex(anchorOutputScript(digest)),
        bareScript: toHex(bareAnchorOutputScript(digest)),
      };
    }),
    notAnchors: [
      { why: 'other magic ("MDA2")', script: `6a24${toHex(utf8('MDA2'))}${toHex(root(4))}` },
      {
        why: 'OP_PUSHDATA1 instead of a direct push',
        script: `6a4c24${toHex(utf8('MDA1'))}${toHex(root(4))}`,
      },
      { why: '31-byte digest', script: `6a23${toHex(utf8('MDA1'))}${toHex(root(4).subarray(1))}` },
      { why: 'no OP_RETURN', script: `24${toHex(utf8('MDA1'))}${toHex(root(4))}` },
    ],
  };
}

/** A version-2 transaction spending a fixed outpoint, with a P2WPKH change and optional extra outputs. */
function anchorTransactionParts(digest: Uint8Array, extra: Uint8Array[] = []): ParsedTransaction {
  return {
    version: 2,
    inputs: [
      {
        prevTxid: sha256(utf8('medanchor vector funding outpoint')),
        vout: 0,
        scriptSig: new Uint8Array(0),
        sequence: 0xfffffffd,
        // A witness, so the vectors show that proofs carry the stripped form.
        witness: [new Uint8Array(72).fill(0x30), new Uint8Array(33).fill(0x02)],
      },
    ],
    outputs: [
      { value: 49_999_000n, script: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(0x11)) },
      { value: 0n, script: anchorOutputScript(digest) },
      ...extra.map((script) => ({ value: 0n, script })),
    ],
    locktime: 0,
    hasWitness: true,
  };
}

function anchorTransaction(digest: Uint8Array, extra: Uint8Array[] = []): Uint8Array {
  return serializeTransaction(anchorTransactionParts(digest, extra));
}

function fillerTransaction(i: number): Uint8Array {
  return serializeTransaction({
    version: 1,
    inputs: [
      {
        prevTxid: sha256(utf8(`filler ${i}`)),
        vout: i,
        scriptSig: new Uint8Array(0),
        sequence: 0xffffffff,
        witness: [],
      },
    ],
    outputs: [{ value: BigInt(1000 + i), script: Uint8Array.of(0x51) }],
    locktime: 0,
    hasWitness: false,
  });
}

function mine(prev: Uint8Array, merkleRoot: Uint8Array, time: number): Uint8Array {
  for (let nonce = 0; ; nonce++) {
    const h = serializeHeader({
      version: 0x20000000,
      prevHash: blockHash(prev),
      merkleRoot,
      time,
      bits: 0x207fffff,
      nonce,
    });
    if (headerMeetsTarget(h, regtest)) return h;
  }
}

interface InvalidCase {
  name: string;
  proof: SpvProofJson;
  expectedDigest?: string;
  useHeaderChain?: boolean;
  minConfirmations?: number;
  step: SpvStep;
}

function spvVectors() {
  const digest = checkpointDigest({ origin: ORIGIN, size: 1000, root: root(2) });
  const anchor = anchorTransaction(digest);
  // Block 1: five transactions, the anchor at position 3. Blocks 2-4 bury it.
  const txs = [0, 1, 2, 3, 4].map((i) => (i === 3 ? anchor : fillerTransaction(i)));
  const txids = txs.map(txidOf);
  const genesis = fromHex(regtest.genesisHeader);
  const headers = [genesis, mine(genesis, bitcoinMerkleRoot(txids), 1_764_000_000)];
  for (let i = 0; i < 3; i++)
    headers.push(mine(headers[headers.length - 1]!, root(10 + i), 1_764_000_600 + 600 * i));
  const proof = createSpvProof({
    network: 'regtest',
    rawTx: anchor,
    header: headers[1]!,
    height: 1,
    position: 3,
    siblings: bitcoinMerkleBranch(txids, 3),
    txCount: 5,
  });
  const good = encodeSpvProof(proof);
  const { txCount: _omit, ...withoutCount } = good;

  const edit = (change: Partial<SpvProofJson>): SpvProofJson => ({ ...good, ...change });
  const flipHex = (hex: string, at: number) =>
    hex.slice(0, at) + (Number.parseInt(hex[at]!, 16) ^ 1).toString(16) + hex.slice(at + 1);
  const twoAnchors = serializeTransactionNoWitness(
    anchorTransactionParts(digest, [anchorOutputScript(root(5))]),
  );

  const invalid: InvalidCase[] = [
    { name: 'proof for another network', proof: edit({ network: 'mainnet' }), step: 'network' },
    {
      name: 'transaction with its witness',
      proof: edit({ rawTx: toHex(anchor) }),
      step: 'transaction',
    },
    {
      name: 'truncated transaction',
      proof: edit({ rawTx: good.rawTx.slice(0, -2) }),
      step: 'transaction',
    },
    { name: 'outputIndex on the change output', proof: edit({ outputIndex: 0 }), step: 'payload' },
    { name: 'outputIndex past the last output', proof: edit({ outputIndex: 2 }), step: 'payload' },
    {
      name: 'another checkpoint digest expected',
      proof: good,
      expectedDigest: toHex(root(6)),
      step: 'payload',
    },
    {
      name: 'two anchor outputs',
      proof: edit({ rawTx: toHex(twoAnchors), txid: undefined as never }),
      step: 'payload',
    },
    { name: 'declared txid differs', proof: edit({ txid: flipHex(good.txid, 63) }), step: 'txid' },
    {
      name: 'declared block hash differs',
      proof: edit({ blockHash: flipHex(good.blockHash, 63) }),
      step: 'block-hash',
    },
    {
      name: 'branch one sibling short',
      proof: edit({ branch: good.branch.slice(0, 2) }),
      step: 'branch-length',
    },
    { name: 'txCount of another block size', proof: edit({ txCount: 9 }), step: 'branch-length' },
    {
      name: 'lone last node paired with a different sibling',
      proof: edit({ position: 4, branch: [good.branch[0]!, ...good.branch.slice(1)] }),
      step: 'branch',
    },
    { name: 'wrong position', proof: edit({ position: 2 }), step: 'merkle-root' },
    {
      name: 'flipped sibling byte',
      proof: edit({ branch: [flipHex(good.branch[0]!, 0), ...good.branch.slice(1)] }),
      step: 'merkle-root',
    },
    {
      name: 'header of the next block',
      proof: edit({ header: toHex(headers[2]!), blockHash: undefined as never }),
      step: 'merkle-root',
    },
    {
      name: 'claimed height not where the chain has the block',
      proof: edit({ height: 2 }),
      useHeaderChain: true,
      step: 'chain',
    },
    {
      name: 'not enough confirmations',
      proof: good,
      useHeaderChain: true,
      minConfirmations: 5,
      step: 'chain',
    },
  ];
  // A header whose nonce no longer meets its target (search from the real nonce upward).
  for (let n = 1; ; n++) {
    const h = headers[1]!.slice();
    new DataView(h.buffer).setUint32(
      76,
      new DataView(headers[1]!.buffer).getUint32(76, true) + n,
      true,
    );
    if (!headerMeetsTarget(h, regtest)) {
      invalid.push({
        name: 'header nonce changed',
        proof: edit({ header: toHex(h), blockHash: undefined as never }),
        step: 'pow',
      });
      break;
    }
  }
  for (const c of invalid) {
    // Members set to undefined are dropped, as JSON.stringify would.
    c.proof = JSON.parse(JSON.stringify(c.proof)) as SpvProofJson;
  }

  return {
    description:
      'medanchor SPV proof vectors (docs/spec/anchor.md sections 2-3). A regtest chain (genesis + 4 mined blocks); block 1 holds the anchor transaction at position 3 of 5. Each valid proof verifies with the given expectedDigest (and with the header chain, to the given confirmations); each invalid proof fails at the given step.',
    network: 'regtest',
    headerChain: { startHeight: 0, headers: headers.map(toHex) },
    valid: [
      {
        name: 'anchor proof with txCount',
        proof: good,
        expectedDigest: toHex(digest),
        result: {
          txid: good.txid,
          blockHash: good.blockHash,
          height: 1,
          outputIndex: 1,
          confirmations: 4,
        },
      },
      {
        name: 'anchor proof without txCount (branch length checked against the position only)',
        proof: withoutCount,
        expectedDigest: toHex(digest),
        result: {
          txid: good.txid,
          blockHash: good.blockHash,
          height: 1,
          outputIndex: 1,
          confirmations: 4,
        },
      },
    ],
    invalid,
    notDecodable: [
      { name: 'version 2', proof: { ...good, version: 2 } },
      { name: 'uppercase hex', proof: { ...good, rawTx: good.rawTx.toUpperCase() } },
      { name: 'header of 79 bytes', proof: { ...good, header: good.header.slice(2) } },
      { name: 'unknown member', proof: { ...good, note: 'x' } },
      { name: 'negative outputIndex', proof: { ...good, outputIndex: -1 } },
    ],
  };
}

/** Both vector files, as objects. */
export function makeAnchorVectors() {
  return { 'anchor-payload.json': payloadVectors(), 'anchor-spv.json': spvVectors() };
}

if (process.argv[1]?.endsWith('make-anchor-vectors.ts')) {
  for (const [name, content] of Object.entries(makeAnchorVectors())) {
    const out = new URL(`./vectors/${name}`, import.meta.url);
    writeFileSync(out, `${JSON.stringify(content, null, 2)}\n`);
    console.log(`wrote ${out.pathname}`);
  }
}

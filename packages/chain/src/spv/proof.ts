import { MedanchorError, toHex } from '@medanchor/core';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { HEADER_SIZE } from '../bitcoin/header.js';

/**
 * How a transaction commits to the digest when it is not an OP_RETURN anchor output:
 * `p2tr-tweak`, the output at `outputIndex` is a P2TR output whose key is `internalKey`
 * tweaked by the digest (docs/spec/anchor-taproot.md).
 */
export interface AnchorCommitment {
  readonly kind: 'p2tr-tweak';
  /** The 32-byte x-only internal key of the committing output. */
  readonly internalKey: Uint8Array;
}

/** The JSON form of an {@link AnchorCommitment}. */
export interface AnchorCommitmentJson {
  kind: 'p2tr-tweak';
  /** 64 lowercase hex characters. */
  internalKey: string;
}

/**
 * Everything needed to check offline that a checkpoint digest was anchored in a
 * Bitcoin block (verification level 2), and with a header chain, that the block is
 * in the best chain (level 3). Hashes in `branch` are INTERNAL order.
 */
export interface SpvProof {
  /** Network name, e.g. `mainnet`; must match the verifier's parameters. */
  network: string;
  /** The anchor transaction, non-witness serialization (its sha256d is the txid). */
  rawTx: Uint8Array;
  /** Index of the anchor output in the transaction. */
  outputIndex: number;
  /** Absent for an OP_RETURN anchor output; how the output commits otherwise. */
  commitment?: AnchorCommitment;
  /** Position of the transaction in its block. */
  position: number;
  /** Number of transactions in the block; when present the branch length is checked against it. */
  txCount?: number;
  /** Merkle siblings from the transaction up, internal order. */
  branch: Uint8Array[];
  /** The 80-byte block header. */
  header: Uint8Array;
  /** Height of the block, as claimed by the prover (checked against a header chain). */
  height: number;
}

/** The JSON form of an {@link SpvProof} (see docs/spec/anchor.md). */
export interface SpvProofJson {
  type: typeof SPV_PROOF_TYPE;
  version: 1;
  network: string;
  /** Display-order txid: redundant, for readers; verification recomputes it. */
  txid: string;
  rawTx: string;
  outputIndex: number;
  commitment?: AnchorCommitmentJson;
  position: number;
  txCount?: number;
  /** Internal order hex. */
  branch: string[];
  header: string;
  /** Display-order block hash: redundant, for readers; verification recomputes it. */
  blockHash: string;
  height: number;
}

/** The `type` member of every SPV proof JSON object. */
export const SPV_PROOF_TYPE = 'medanchor/spv-proof';

/** A decoded proof with the redundant ids it declared, checked by `verifySpvProof`. */
export interface DecodedSpvProof extends SpvProof {
  /** The display-order txid the JSON declared. */
  declaredTxid?: string;
  /** The display-order block hash the JSON declared. */
  declaredBlockHash?: string;
}

/**
 * The JSON object of a proof, members in spec order; txid and block hash are
 * derived from `rawTx` and `header`.
 * @throws MedanchorError `INVALID_PROOF` when a member has the wrong shape.
 */
export function encodeSpvProof(proof: SpvProof): SpvProofJson {
  checkShape(proof);
  const out: SpvProofJson = {
    type: SPV_PROOF_TYPE,
    version: 1,
    network: proof.network,
    txid: hashToDisplayHex(sha256d(proof.rawTx)),
    rawTx: toHex(proof.rawTx),
    outputIndex: proof.outputIndex,
    ...(proof.commitment === undefined
      ? {}
      : {
          commitment: {
            kind: proof.commitment.kind,
            internalKey: toHex(proof.commitment.internalKey),
          },
        }),
    position: proof.position,
    branch: proof.branch.map(toHex),
    header: toHex(proof.header),
    blockHash: hashToDisplayHex(sha256d(proof.header)),
    height: proof.height,
  };
  if (proof.txCount !== undefined) {
    // Keep the spec's member order: txCount right after position.
    const { branch, header, blockHash, height, ...head } = out;
    return { ...head, txCount: proof.txCount, branch, header, blockHash, height };
  }
  return out;
}

const HASH_HEX = /^[0-9a-f]{64}$/;

/** The members of a version 1 proof. */
const MEMBERS: ReadonlySet<string> = new Set([
  'type',
  'version',
  'network',
  'txid',
  'rawTx',
  'outputIndex',
  'commitment',
  'position',
  'txCount',
  'branch',
  'header',
  'blockHash',
  'height',
]);

// Value of a lowercase hex digit by char code, -1 for anything else: proofs are written in
// lowercase, so one pass both checks the text and decodes it.
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) NIBBLE[97 + c] = 10 + c;

/** The bytes of an even-length lowercase hex string, or undefined for any other text. */
function lowerHex(v: string): Uint8Array | undefined {
  if (v.length % 2 !== 0) return undefined;
  const out = new Uint8Array(v.length / 2);
  for (let i = 0; i < out.length; i++) {
    const a = v.charCodeAt(2 * i);
    const b = v.charCodeAt(2 * i + 1);
    const hi = a < 128 ? NIBBLE[a]! : -1;
    const lo = b < 128 ? NIBBLE[b]! : -1;
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function invalid(member: string, rule: string): MedanchorError {
  return new MedanchorError('INVALID_PROOF', `SPV proof member "${member}" ${rule}`, {
    details: { member },
  });
}

function hexMember(o: Record<string, unknown>, key: string): Uint8Array {
  const v = o[key];
  const bytes = typeof v === 'string' ? lowerHex(v) : undefined;
  if (bytes === undefined) throw invalid(key, 'must be lowercase hex');
  return bytes;
}

function intMember(o: Record<string, unknown>, key: string, max = 0xffffffff): number {
  const v = o[key];
  if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > max) {
    throw invalid(key, `must be an integer in 0..${max}`);
  }
  return v as number;
}

/**
 * Decodes an SPV proof from its JSON object or JSON text, checking every member's
 * type and size. It does not verify the proof: pass the result to `verifySpvProof`.
 *
 * @throws MedanchorError `INVALID_PROOF` naming the first bad member.
 */
export function decodeSpvProof(input: unknown): DecodedSpvProof {
  let o: unknown = input;
  if (typeof input === 'string') {
    try {
      o = JSON.parse(input);
    } catch (e) {
      throw new MedanchorError('INVALID_PROOF', 'SPV proof is not valid JSON', { cause: e });
    }
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw invalid('(root)', 'must be a JSON object');
  const r = o as Record<string, unknown>;
  if (r.type !== SPV_PROOF_TYPE) throw invalid('type', `must be "${SPV_PROOF_TYPE}"`);
  if (r.version !== 1) throw invalid('version', 'must be 1 (this library reads version 1 only)');
  if (typeof r.network !== 'string' || r.network.length === 0 || r.network.length > 64) {
    throw invalid('network', 'must be a network name');
  }
  if (!Array.isArray(r.branch)) throw invalid('branch', 'must be an array of 32-byte hex hashes');
  const branch = r.branch.map((b, i) => {
    const bytes = typeof b === 'string' && b.length === 64 ? lowerHex(b) : undefined;
    if (bytes === undefined) throw invalid(`branch[${i}]`, 'must be 64 lowercase hex characters');
    return bytes;
  });
  const header = hexMember(r, 'header');
  if (header.length !== HEADER_SIZE) throw invalid('header', 'must be 80 bytes');
  const proof: DecodedSpvProof = {
    network: r.network,
    rawTx: hexMember(r, 'rawTx'),
    outputIndex: intMember(r, 'outputIndex'),
    position: intMember(r, 'position'),
    branch,
    header,
    height: intMember(r, 'height', 0x7fffffff),
  };
  if (r.txCount !== undefined) {
    proof.txCount = intMember(r, 'txCount');
    if (proof.txCount === 0)
      throw invalid('txCount', 'must be at least 1 (every block has a coinbase)');
  }
  if (r.commitment !== undefined) proof.commitment = commitmentMember(r.commitment);
  if (r.txid !== undefined) {
    if (typeof r.txid !== 'string' || !HASH_HEX.test(r.txid))
      throw invalid('txid', 'must be 64 lowercase hex characters');
    proof.declaredTxid = r.txid;
  }
  if (r.blockHash !== undefined) {
    if (typeof r.blockHash !== 'string' || !HASH_HEX.test(r.blockHash)) {
      throw invalid('blockHash', 'must be 64 lowercase hex characters');
    }
    proof.declaredBlockHash = r.blockHash;
  }
  for (const k of Object.keys(r)) if (!MEMBERS.has(k)) throw invalid(k, 'is not part of version 1');
  return proof;
}

function commitmentMember(v: unknown): AnchorCommitment {
  const c = v as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || c['kind'] !== 'p2tr-tweak')
    throw invalid('commitment', 'must be {"kind":"p2tr-tweak","internalKey":...}');
  for (const k of Object.keys(c))
    if (k !== 'kind' && k !== 'internalKey')
      throw invalid(`commitment.${k}`, 'is not part of version 1');
  const key = typeof c['internalKey'] === 'string' ? lowerHex(c['internalKey']) : undefined;
  if (key?.length !== 32)
    throw invalid('commitment.internalKey', 'must be 64 lowercase hex characters');
  return { kind: 'p2tr-tweak', internalKey: key };
}

/** Throws `INVALID_PROOF` when a proof object's members have the wrong types or sizes. */
function checkShape(p: SpvProof): void {
  if (typeof p !== 'object' || p === null) throw invalid('(root)', 'must be an object');
  if (typeof p.network !== 'string' || p.network.length === 0)
    throw invalid('network', 'must be a network name');
  if (!(p.rawTx instanceof Uint8Array)) throw invalid('rawTx', 'must be a Uint8Array');
  if (!(p.header instanceof Uint8Array) || p.header.length !== HEADER_SIZE)
    throw invalid('header', 'must be 80 bytes');
  if (
    !Array.isArray(p.branch) ||
    p.branch.some((b) => !(b instanceof Uint8Array) || b.length !== 32)
  ) {
    throw invalid('branch', 'must be an array of 32-byte hashes');
  }
  for (const k of ['outputIndex', 'position', 'height'] as const) {
    if (!Number.isSafeInteger(p[k]) || p[k] < 0) throw invalid(k, 'must be a non-negative integer');
  }
  if (p.txCount !== undefined && (!Number.isSafeInteger(p.txCount) || p.txCount < 1)) {
    throw invalid('txCount', 'must be a positive integer');
  }
  if (
    p.commitment !== undefined &&
    (p.commitment.kind !== 'p2tr-tweak' ||
      !(p.commitment.internalKey instanceof Uint8Array) ||
      p.commitment.internalKey.length !== 32)
  )
    throw invalid('commitment', 'must be a p2tr-tweak commitment with a 32-byte internal key');
}

/** True when `p` has the members and sizes of an {@link SpvProof} (no verification). */
export function isSpvProofShape(p: unknown): p is SpvProof {
  try {
    checkShape(p as SpvProof);
    return true;
  } catch {
    return false;
  }
}

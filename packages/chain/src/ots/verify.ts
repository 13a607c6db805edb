import { equalBytes, toHex } from '@medanchor/core';
import { sha256 } from '@noble/hashes/sha2.js';
import type { OtsAttestation, OtsFile, OtsTimestamp } from './format.js';
import { applyOp } from './ops.js';

/** One attestation of a proof with the message the operations lead to. */
export interface OtsAttestationResult {
  readonly attestation: OtsAttestation;
  /** The message reached at the attestation (for Bitcoin: the block's merkle root, internal order). */
  readonly digest: Uint8Array;
}

/**
 * Runs every operation of a proof from the file digest and lists each attestation with
 * the message reached there. Pure: no network, no headers.
 */
export function evaluateOts(file: OtsFile): OtsAttestationResult[] {
  const out: OtsAttestationResult[] = [];
  const walk = (ts: OtsTimestamp, msg: Uint8Array) => {
    for (const attestation of ts.attestations) out.push({ attestation, digest: msg });
    for (const { op, next } of ts.ops) walk(next, applyOp(op, msg));
  };
  walk(file.timestamp, file.digest);
  return out;
}

/** Source of block headers by height (80 bytes), e.g. a backend or a local header chain. */
export type OtsHeaderSource = (
  height: number,
) => Promise<Uint8Array | undefined> | Uint8Array | undefined;

/** Outcome of checking a `.ots` proof. */
export type OtsVerification =
  | {
      readonly ok: true;
      /** Bitcoin attestations whose header's merkle root matched. */
      readonly confirmed: { readonly height: number; readonly header: Uint8Array }[];
      /** Attestations that could not be checked (pending calendars, other chains, no header). */
      readonly unchecked: OtsAttestationResult[];
    }
  | {
      readonly ok: false;
      readonly step: 'file' | 'operations' | 'attestation';
      readonly reason: string;
    };

/**
 * Verifies a `.ots` proof for a file: the file's SHA-256 equals the proof's digest, the
 * operations evaluate, and at least one Bitcoin attestation reaches the merkle root of
 * the header at its height (`headers` gives them). Never throws.
 */
export async function verifyOts(
  file: OtsFile,
  content: Uint8Array | undefined,
  headers: OtsHeaderSource,
): Promise<OtsVerification> {
  if (content !== undefined) {
    if (file.fileHash !== 'sha256') {
      return {
        ok: false,
        step: 'file',
        reason: `file digest type ${file.fileHash} is not checked; use sha256`,
      };
    }
    if (!equalBytes(sha256(content), file.digest)) {
      return { ok: false, step: 'file', reason: 'the file does not match the digest in the proof' };
    }
  }
  let results: OtsAttestationResult[];
  try {
    results = evaluateOts(file);
  } catch (e) {
    return {
      ok: false,
      step: 'operations',
      reason: e instanceof Error ? e.message : 'operations failed',
    };
  }
  const confirmed: { height: number; header: Uint8Array }[] = [];
  const unchecked: OtsAttestationResult[] = [];
  const mismatched: string[] = [];
  for (const r of results) {
    if (r.attestation.type !== 'bitcoin') {
      unchecked.push(r);
      continue;
    }
    const header = await headers(r.attestation.height);
    if (header === undefined) {
      unchecked.push(r);
      continue;
    }
    if (header.length === 80 && equalBytes(header.subarray(36, 68), r.digest)) {
      confirmed.push({ height: r.attestation.height, header });
    } else {
      mismatched.push(`block ${r.attestation.height}: merkle root is not ${toHex(r.digest)}`);
    }
  }
  if (confirmed.length === 0) {
    const reason = mismatched[0] ?? 'no Bitcoin attestation could be checked against a header';
    return { ok: false, step: 'attestation', reason };
  }
  return { ok: true, confirmed, unchecked };
}

// The head proof: what a verifier needs to learn, offline, the head version of one record
// at one signed checkpoint (or that the record had none). docs/spec/head-map.md section 5.
import { equalBytes, fromHex, toHex } from '../bytes.js';
import { isMedanchorError, MedanchorError } from '../errors.js';
import { parseCheckpointText, verifyCheckpointNote } from '../note/checkpoint-note.js';
import { NOTE_TYPE_ED25519, type NoteVerifierKey } from '../note/keys.js';
import { sha256 } from '../sha256.js';
import { headMapRootOf } from './checkpoint-line.js';
import {
  encodeHeadValue,
  HEAD_MAP_EMPTY,
  HEAD_MAP_MAX_RECORD,
  type HeadValue,
  headLeafHash,
  headMapKey,
  headNodeHash,
  keyBit,
} from './hash.js';
import type { HeadMapPath } from './tree.js';

/** Type string of a head proof document. */
export const HEAD_PROOF_TYPE = 'medanchor/head-proof';

/** A head proof as JSON (docs/spec/head-map.md section 5); hex is lowercase. */
export interface HeadProof {
  /** Always `medanchor/head-proof`. */
  readonly type: typeof HEAD_PROOF_TYPE;
  /** Format version, 1. */
  readonly version: 1;
  /** The record id, as the ledger indexes it (e.g. `Consent/c-1`). */
  readonly record: string;
  /** The record's key salt, 64 hex digits. */
  readonly keySalt: string;
  /** The checkpoint as a signed note (C2SP signed-note text) with its head-map line. */
  readonly checkpoint: string;
  /** The record's head at the checkpoint, or `null` when it has no version there. */
  readonly head: {
    readonly leafIndex: number;
    readonly count: number;
    readonly commitment: string;
  } | null;
  /** Sibling hashes from the root down, 64 hex digits each, at most 256. */
  readonly siblings: readonly string[];
  /** With `head: null` only, when the walk ended at another key's leaf. */
  readonly other?: { readonly key: string; readonly valueHash: string };
}

/**
 * True when `path` leads from `key` to `root`: with `path.value`, the key holds that value;
 * without it, the key is absent (the walk ended at an empty subtree, or at `path.other`, a
 * leaf of another key that shares the path's prefix). Pure; never throws.
 */
export function verifyHeadMapPath(root: Uint8Array, key: Uint8Array, path: HeadMapPath): boolean {
  try {
    const { siblings } = path;
    if (!Array.isArray(siblings) || siblings.length > 256) return false;
    if (root.length !== 32 || key.length !== 32) return false;
    let h: Uint8Array;
    if (path.value !== undefined) {
      if (path.other !== undefined) return false;
      h = headLeafHash(key, sha256(encodeHeadValue(path.value)));
    } else if (path.other !== undefined) {
      const other = path.other.key;
      if (other.length !== 32 || equalBytes(other, key)) return false;
      // The other leaf must sit on this key's path: it shares every bit walked so far.
      for (let d = 0; d < siblings.length; d++)
        if (keyBit(other, d) !== keyBit(key, d)) return false;
      h = headLeafHash(other, path.other.valueHash);
    } else {
      h = HEAD_MAP_EMPTY;
    }
    for (let d = siblings.length - 1; d >= 0; d--) {
      const s = siblings[d]!;
      h = keyBit(key, d) === 1 ? headNodeHash(s, h) : headNodeHash(h, s);
    }
    return equalBytes(h, root);
  } catch {
    return false;
  }
}

function malformed(member: string, rule: string): never {
  throw new MedanchorError('HEAD_PROOF_MALFORMED', `head proof: ${member} ${rule}`, {
    details: { member },
  });
}

const HEX64 = /^[0-9a-f]{64}$/;

function hash(v: unknown, member: string): Uint8Array {
  if (typeof v !== 'string' || !HEX64.test(v)) malformed(member, 'must be 64 lowercase hex digits');
  return fromHex(v);
}

function counter(v: unknown, member: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    malformed(member, `must be an integer >= ${min}`);
  return v;
}

function object(v: unknown, member: string, keys: readonly string[]): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    malformed(member, 'must be an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!keys.includes(k)) malformed(`${member}.${k}`, 'is not a member of a head proof');
  return o;
}

/** A head proof read into bytes (what {@link parseHeadProof} returns). */
export interface ParsedHeadProof {
  readonly record: string;
  readonly keySalt: Uint8Array;
  readonly checkpoint: string;
  readonly path: HeadMapPath;
}

/**
 * Reads a head proof document (an object, or JSON text of at most 64 KiB + 256 siblings),
 * checking every member's form; unknown members are refused.
 * @throws MedanchorError `HEAD_PROOF_MALFORMED` naming the member at fault.
 */
export function parseHeadProof(input: unknown): ParsedHeadProof {
  let v = input;
  if (typeof v === 'string') {
    if (v.length > 200_000) malformed('(text)', 'is longer than 200000 characters');
    try {
      v = JSON.parse(v);
    } catch {
      malformed('(text)', 'is not JSON');
    }
  }
  const o = object(v, '(proof)', [
    'type',
    'version',
    'record',
    'keySalt',
    'checkpoint',
    'head',
    'siblings',
    'other',
  ]);
  if (o['type'] !== HEAD_PROOF_TYPE) malformed('type', `must be "${HEAD_PROOF_TYPE}"`);
  if (o['version'] !== 1) malformed('version', 'must be 1');
  const record = o['record'];
  if (typeof record !== 'string' || record.length === 0 || record.length > HEAD_MAP_MAX_RECORD)
    malformed('record', `must be a string of 1 to ${HEAD_MAP_MAX_RECORD} characters`);
  const keySalt = hash(o['keySalt'], 'keySalt');
  const checkpoint = o['checkpoint'];
  if (typeof checkpoint !== 'string' || checkpoint.length === 0 || checkpoint.length > 65_536)
    malformed('checkpoint', 'must be a signed note of at most 65536 characters');
  const list = o['siblings'];
  if (!Array.isArray(list)) malformed('siblings', 'must be an array');
  if (list.length > 256) malformed('siblings', 'must have at most 256 hashes');
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < list.length; i++) siblings.push(hash(list[i], `siblings[${i}]`));
  let value: HeadValue | undefined;
  if (o['head'] !== null) {
    const h = object(o['head'], 'head', ['leafIndex', 'count', 'commitment']);
    value = {
      leafIndex: counter(h['leafIndex'], 'head.leafIndex', 0),
      count: counter(h['count'], 'head.count', 1),
      commitment: hash(h['commitment'], 'head.commitment'),
    };
  }
  let other: HeadMapPath['other'];
  if (o['other'] !== undefined) {
    if (value !== undefined) malformed('other', 'is only allowed when head is null');
    const x = object(o['other'], 'other', ['key', 'valueHash']);
    other = {
      key: hash(x['key'], 'other.key'),
      valueHash: hash(x['valueHash'], 'other.valueHash'),
    };
  }
  return {
    record,
    keySalt,
    checkpoint,
    path: {
      siblings,
      ...(value === undefined ? {} : { value }),
      ...(other === undefined ? {} : { other }),
    },
  };
}

/** The head proof document for a walk (see `proveHeadMap`) at a signed checkpoint. */
export function headProofDocument(
  record: string,
  keySalt: Uint8Array,
  checkpointNote: string,
  path: HeadMapPath,
): HeadProof {
  return {
    type: HEAD_PROOF_TYPE,
    version: 1,
    record,
    keySalt: toHex(keySalt),
    checkpoint: checkpointNote,
    head:
      path.value === undefined
        ? null
        : {
            leafIndex: path.value.leafIndex,
            count: path.value.count,
            commitment: toHex(path.value.commitment),
          },
    siblings: path.siblings.map(toHex),
    ...(path.other === undefined
      ? {}
      : { other: { key: toHex(path.other.key), valueHash: toHex(path.other.valueHash) } }),
  };
}

/** Options of {@link verifyHeadProof}. */
export interface VerifyHeadProofOptions {
  /** The log's note verifier keys: a key named after the origin must have signed the checkpoint. */
  readonly keys: readonly NoteVerifierKey[];
  /** The record the caller asks about: a proof for another record fails at step `record`. */
  readonly record?: string;
  /**
   * The key salt the caller already holds for this record (from an earlier proof): a proof
   * with another salt fails at step `key` (a log that keyed one record twice is caught).
   */
  readonly keySalt?: Uint8Array;
  /**
   * Remember a checkpoint once verified (default true): later proofs carrying the same
   * checkpoint text, checked with the same keys, skip its Ed25519 verification, so checking
   * many records against one checkpoint costs one signature check. `false` checks it anew.
   */
  readonly cache?: boolean;
}

// Checkpoints whose signature and head-map line verified, by their exact text and the
// keys they were checked with: only successes, at most VERIFIED_MAX (oldest dropped first).
const VERIFIED_MAX = 64;
const verified = new Map<
  string,
  { readonly origin: string; readonly size: number; readonly root: Uint8Array }
>();

function keysId(keys: readonly NoteVerifierKey[]): string {
  return keys.map((k) => `${k.type} ${k.name} ${k.keyId} ${toHex(k.publicKey)}`).join('\n');
}

/** The step of {@link verifyHeadProof} that failed. */
export type HeadProofStep =
  | 'shape'
  | 'checkpoint'
  | 'map-root'
  | 'record'
  | 'key'
  | 'path'
  | 'head';

/** Result of {@link verifyHeadProof}; never thrown. */
export type HeadProofVerification =
  | {
      readonly ok: true;
      /** The record. */
      readonly record: string;
      /** The checkpoint the map root is signed in. */
      readonly checkpoint: { readonly origin: string; readonly size: number };
      /** The record's head at that checkpoint, or `null`: no version of it up to there. */
      readonly head: HeadValue | null;
      /** What was proven, in words. */
      readonly statement: string;
    }
  | {
      readonly ok: false;
      readonly step: HeadProofStep;
      /** Stable code of the failure. */
      readonly code: string;
      readonly reason: string;
    };

/**
 * Verifies a head proof offline: the checkpoint note is signed by the log's key (named
 * after its origin) and carries one head-map line; the key is the record's under the
 * given salt; the path leads from the key to the signed root; the head's leaf lies below
 * the checkpoint size. On success the head is the record's newest version in the log up
 * to that checkpoint (or the record had none). Never throws.
 * @example
 * ```ts
 * const r = verifyHeadProof(proof, { keys: [logKey], record: 'Consent/c-1' });
 * if (r.ok && r.head?.leafIndex === grantReceipt.leafIndex) console.log('not revoked up to', r.checkpoint.size);
 * ```
 */
export function verifyHeadProof(
  proof: unknown,
  options: VerifyHeadProofOptions,
): HeadProofVerification {
  const fail = (step: HeadProofStep, code: string, reason: string) =>
    ({ ok: false, step, code, reason }) as const;
  let parsed: ParsedHeadProof;
  try {
    parsed = parseHeadProof(proof);
  } catch (e) {
    return fail('shape', 'HEAD_PROOF_MALFORMED', isMedanchorError(e) ? e.message : 'malformed');
  }
  const keys = options?.keys;
  if (!Array.isArray(keys)) return fail('checkpoint', 'INVALID_ARGUMENT', 'give the log keys');
  let id: string;
  try {
    id = `${keysId(keys)}\u0000${parsed.checkpoint}`;
  } catch {
    return fail('checkpoint', 'INVALID_ARGUMENT', 'the log keys are not note verifier keys');
  }
  let signed = options.cache === false ? undefined : verified.get(id);
  if (signed === undefined) {
    const note = verifyCheckpointNote(parsed.checkpoint, keys);
    if (!note.ok) return fail('checkpoint', note.code, note.message);
    const { checkpoint, extensions } = parseCheckpointText(note.text);
    if (
      !note.verified.some(
        (s) => s.key.type === NOTE_TYPE_ED25519 && s.key.name === checkpoint.origin,
      )
    )
      return fail(
        'checkpoint',
        'NOTE_UNKNOWN_KEY',
        `no key named after the origin ${checkpoint.origin} signed the checkpoint`,
      );
    let root: Uint8Array | undefined;
    try {
      root = headMapRootOf(extensions);
    } catch (e) {
      return fail('map-root', 'CHECKPOINT_MALFORMED', isMedanchorError(e) ? e.message : 'bad line');
    }
    if (root === undefined)
      return fail('map-root', 'HEAD_MAP_UNAVAILABLE', 'the checkpoint commits to no head map');
    signed = { origin: checkpoint.origin, size: checkpoint.size, root };
    if (options.cache !== false) {
      if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
      verified.set(id, signed);
    }
  }
  const { root } = signed;
  const checkpoint = { origin: signed.origin, size: signed.size };
  if (options.record !== undefined && options.record !== parsed.record)
    return fail('record', 'HEAD_PROOF_MISMATCH', 'the proof is for another record');
  if (
    options.keySalt !== undefined &&
    !(options.keySalt instanceof Uint8Array && equalBytes(options.keySalt, parsed.keySalt))
  )
    return fail('key', 'HEAD_PROOF_MISMATCH', 'the proof keys the record with another salt');
  let key: Uint8Array;
  try {
    key = headMapKey(parsed.keySalt, parsed.record);
  } catch (e) {
    return fail('key', 'HEAD_PROOF_MALFORMED', isMedanchorError(e) ? e.message : 'bad key');
  }
  if (!verifyHeadMapPath(root, key, parsed.path))
    return fail('path', 'HEAD_PROOF_MISMATCH', 'the path does not lead to the signed map root');
  const head = parsed.path.value ?? null;
  if (head !== null && (head.leafIndex >= checkpoint.size || head.count > head.leafIndex + 1))
    return fail('head', 'HEAD_PROOF_MISMATCH', "the head's leaf is not in the checkpoint");
  const where = `log ${checkpoint.origin} up to size ${checkpoint.size}`;
  return {
    ok: true,
    record: parsed.record,
    checkpoint: { origin: checkpoint.origin, size: checkpoint.size },
    head,
    statement:
      head === null
        ? `${parsed.record} has no version in ${where}`
        : `the newest version of ${parsed.record} in ${where} is leaf ${head.leafIndex} (${head.count} version${head.count === 1 ? '' : 's'})`,
  };
}

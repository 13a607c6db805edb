// Per-record history as a hash chain carried in the committed records themselves: each
// version's ledger record is a small canonical "version link" naming the record, its
// sequence number, the digest of the version's bytes and the previous version's leaf
// (commitment and index). Core's commitment format is unchanged; an omitted or
// reordered version breaks the chain. See docs/spec/history.md.
import {
  type HeadProofStep,
  isMedanchorError,
  MedanchorError,
  type NoteVerifierKey,
  type Receipt,
  type ReceiptStep,
  sha256,
  toHex,
  utf8,
  type VerifyReceiptOptions,
  verifyHeadProof,
  verifyReceipt,
} from '@medanchor/core';
import { canonicalizeJson } from '@medanchor/crypto';

/** The previous version's leaf, as a version link names it. */
export interface VersionLinkPrevious {
  /** Its leaf index in the ledger's log. */
  readonly leafIndex: number;
  /** Hex of its commitment (the leaf's data, `record.commitment` of its receipt). */
  readonly commitment: string;
}

/** The ledger record of one version of a record (docs/spec/history.md). */
export interface VersionLink {
  /** Always `medanchor/version-link`. */
  readonly type: 'medanchor/version-link';
  /** Format version, 1. */
  readonly version: 1;
  /** The record, e.g. `Observation/obs-1`. */
  readonly record: string;
  /** 1 for the first version, then +1 per version. */
  readonly seq: number;
  /** Hex SHA-256 of the version's bytes. */
  readonly content: string;
  /** The previous version's leaf; null for seq 1. */
  readonly previous: VersionLinkPrevious | null;
}

/** One version as an auditor receives it: its bytes, its link and the link's receipt. */
export interface RecordVersionEvidence {
  /** The version's bytes. */
  readonly content: Uint8Array;
  /** The version link committed for it. */
  readonly link: unknown;
  /** The receipt of the link's ledger record. */
  readonly receipt: unknown;
}

/** The step of {@link verifyRecordHistory} that failed. */
export type RecordHistoryStep =
  | 'shape'
  | 'content'
  | 'omitted'
  | 'reordered'
  | 'log'
  | 'latest'
  | `receipt:${ReceiptStep}`
  | `head:${HeadProofStep}`;

/**
 * A head proof (docs/spec/head-map.md) to check the history against: the history is then
 * complete up to the proof's checkpoint, not only up to its head.
 */
export interface RecordHistoryHeadCheck {
  /** The head proof of the record at a checkpoint, from `ledger.headProof(record, { size })`. */
  readonly proof: unknown;
  /** The log's note verifier keys (a key named after the origin signs its checkpoints). */
  readonly keys: readonly NoteVerifierKey[];
  /** The record's key salt from an earlier proof, if the caller keeps one. */
  readonly keySalt?: Uint8Array;
}

/** Options of {@link verifyRecordHistory}: the receipt verification options, and `head`. */
export interface RecordHistoryOptions extends Omit<VerifyReceiptOptions, 'content'> {
  /** Check that no version came after the head up to the proof's checkpoint. */
  readonly head?: RecordHistoryHeadCheck;
}

/** Result of {@link verifyRecordHistory}; never throws on bad input. */
export type RecordHistoryVerification =
  | {
      readonly ok: true;
      /** The record. */
      readonly record: string;
      /** Number of versions, 1..n, each chained to the one before. */
      readonly versions: number;
      /** The log and the checkpoint size the head version's receipt proves them in. */
      readonly upTo: { readonly origin: string; readonly size: number };
      /** The head version's receipt sentence (its anchor time). */
      readonly statement: string;
      /**
       * With `options.head`: the checkpoint up to which the head map proves these are all
       * the versions (no later one).
       */
      readonly latestAsOf?: { readonly origin: string; readonly size: number };
    }
  | {
      readonly ok: false;
      readonly step: RecordHistoryStep;
      /** The index in the given list of the version at fault. */
      readonly at: number;
      readonly reason: string;
    };

const REF = /^[A-Za-z][A-Za-z0-9]{0,63}\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * The version link for a version's bytes, chained to the previous version's receipt.
 * @throws `MedanchorError` `INVALID_VERSION_LINK` for a bad record reference, a previous
 * receipt of another shape, or a content that is not bytes.
 * @example
 * ```ts
 * const link = versionLink('Observation/obs-1', v2Bytes, receiptOfV1, linkOfV1);
 * await ledger.add(versionLinkBytes(link));
 * ```
 */
export function versionLink(
  record: string,
  content: Uint8Array,
  previousReceipt?: Receipt,
  previousLink?: VersionLink,
): VersionLink {
  if (typeof record !== 'string' || !REF.test(record))
    throw new MedanchorError('INVALID_VERSION_LINK', 'record must be a reference Type/id');
  if (!(content instanceof Uint8Array))
    throw new MedanchorError('INVALID_VERSION_LINK', 'content must be a Uint8Array');
  if ((previousReceipt === undefined) !== (previousLink === undefined))
    throw new MedanchorError(
      'INVALID_VERSION_LINK',
      'give both the previous version link and its receipt, or neither',
    );
  let previous: VersionLinkPrevious | null = null;
  let seq = 1;
  if (previousReceipt !== undefined && previousLink !== undefined) {
    if (previousLink.record !== record)
      throw new MedanchorError('INVALID_VERSION_LINK', 'the previous link is for another record');
    const commitment = previousReceipt.record?.commitment;
    if (typeof commitment !== 'string' || !Number.isSafeInteger(previousReceipt.leafIndex))
      throw new MedanchorError('INVALID_VERSION_LINK', 'the previous receipt has no leaf');
    previous = { leafIndex: previousReceipt.leafIndex, commitment };
    seq = previousLink.seq + 1;
  }
  return {
    type: 'medanchor/version-link',
    version: 1,
    record,
    seq,
    content: toHex(sha256(content)),
    previous,
  };
}

/** The bytes committed for a version link: RFC 8785 canonical JSON, UTF-8. */
export function versionLinkBytes(link: VersionLink): Uint8Array {
  return utf8(canonicalizeJson(link));
}

/** Why `v` is not a well-formed version link, or undefined. */
export function versionLinkProblem(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'a link must be an object';
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).find(
    (k) => !['type', 'version', 'record', 'seq', 'content', 'previous'].includes(k),
  );
  if (extra !== undefined) return `unknown field "${extra}"`;
  if (o['type'] !== 'medanchor/version-link') return 'type must be "medanchor/version-link"';
  if (o['version'] !== 1) return 'version must be 1';
  if (typeof o['record'] !== 'string' || !REF.test(o['record']))
    return 'record must be a reference Type/id';
  if (!Number.isSafeInteger(o['seq']) || (o['seq'] as number) < 1)
    return 'seq must be a positive integer';
  if (typeof o['content'] !== 'string' || !/^[0-9a-f]{64}$/.test(o['content']))
    return 'content must be 64 lowercase hex digits';
  const p = o['previous'];
  if (o['seq'] === 1) return p === null ? undefined : 'previous must be null for seq 1';
  if (p === null || typeof p !== 'object') return 'previous must name the previous leaf';
  const q = p as Record<string, unknown>;
  if (Object.keys(q).some((k) => k !== 'leafIndex' && k !== 'commitment'))
    return 'previous has an unknown field';
  if (!Number.isSafeInteger(q['leafIndex']) || (q['leafIndex'] as number) < 0)
    return 'previous.leafIndex must be a non-negative integer';
  if (typeof q['commitment'] !== 'string' || !/^[0-9a-f]{64}$/.test(q['commitment']))
    return 'previous.commitment must be 64 lowercase hex digits';
  return undefined;
}

/**
 * Verifies that `versions` are all the versions of one record, in order, from the first
 * up to the head (the last given): each link is well formed and matches its version's
 * bytes, each receipt verifies for its link, each link names the leaf of the version
 * before it, and every leaf is in the log of the head's checkpoint. An omitted version
 * (a link naming a leaf that was not given, or a gap in `seq`) fails at step `omitted`;
 * versions out of order fail at `reordered`. Versions committed after the head are not
 * detectable from this chain alone; with `options.head`, a head proof at a checkpoint
 * (docs/spec/head-map.md) shows the head is the record's newest version there, else the
 * result fails at `latest` (or `head:<step>` for a bad proof) (docs/spec/history.md). Never throws.
 * @example
 * ```ts
 * const h = await verifyRecordHistory(versions, { anchors: [verifier], requireAnchor: true });
 * if (!h.ok) console.log(h.step, h.at, h.reason); // e.g. 'omitted' 2 ...
 * ```
 */
export async function verifyRecordHistory(
  versions: readonly RecordVersionEvidence[],
  options: RecordHistoryOptions = {},
): Promise<RecordHistoryVerification> {
  const { head: headCheck, ...receiptOptions } = options ?? {};
  if (!Array.isArray(versions) || versions.length === 0)
    return { ok: false, step: 'shape', at: 0, reason: 'give at least one version' };
  const fail = (step: RecordHistoryStep, at: number, reason: string) =>
    ({ ok: false, step, at, reason }) as const;
  const links: VersionLink[] = [];
  const receipts: Receipt[] = [];
  let statement = '';
  for (const [i, v] of versions.entries()) {
    if (v === null || typeof v !== 'object') return fail('shape', i, 'a version must be an object');
    const problem = versionLinkProblem(v.link);
    if (problem !== undefined) return fail('shape', i, problem);
    const link = v.link as VersionLink;
    if (!(v.content instanceof Uint8Array))
      return fail('content', i, 'content must be a Uint8Array');
    if (toHex(sha256(v.content)) !== link.content)
      return fail('content', i, 'the version bytes do not match the link content digest');
    let bytes: Uint8Array;
    try {
      bytes = versionLinkBytes(link);
    } catch (e) {
      return fail('shape', i, isMedanchorError(e) ? e.message : 'the link is not JSON');
    }
    const r = await verifyReceipt(v.receipt, { ...receiptOptions, content: bytes });
    if (!r.ok) return fail(`receipt:${r.step}`, i, r.reason);
    links.push(link);
    receipts.push(v.receipt as Receipt);
    statement = r.statement;
  }
  const head = receipts[receipts.length - 1]!;
  const record = links[0]!.record;
  // Order first, so a swap is reported as such rather than as the gap it also makes.
  for (let i = 1; i < links.length; i++) {
    if (receipts[i]!.leafIndex <= receipts[i - 1]!.leafIndex || links[i]!.seq <= links[i - 1]!.seq)
      return fail('reordered', i, 'this version comes before the one listed ahead of it');
  }
  for (let i = 0; i < links.length; i++) {
    const link = links[i]!;
    const receipt = receipts[i]!;
    if (link.record !== record) return fail('shape', i, `the link is for ${link.record}`);
    if (receipt.checkpoint.origin !== head.checkpoint.origin)
      return fail('log', i, 'the version is in another log than the head');
    if (receipt.leafIndex >= head.checkpoint.size)
      return fail('log', i, "the version's leaf is past the head's checkpoint");
    if (i === 0) {
      if (link.seq !== 1)
        return fail('omitted', 0, `the first version given has seq ${link.seq}, not 1`);
      continue;
    }
    const prev = receipts[i - 1]!;
    if (link.seq !== links[i - 1]!.seq + 1)
      return fail('omitted', i, `seq ${link.seq} follows seq ${links[i - 1]!.seq}`);
    const p = link.previous!;
    if (p.leafIndex !== prev.leafIndex || p.commitment !== prev.record.commitment)
      return fail('omitted', i, 'the link names a previous leaf that is not the version before');
  }
  const upTo = { origin: head.checkpoint.origin, size: head.checkpoint.size };
  if (headCheck === undefined) return { ok: true, record, versions: links.length, upTo, statement };
  const last = links.length - 1;
  const keys = (headCheck as Partial<RecordHistoryHeadCheck>)?.keys;
  const h = verifyHeadProof(headCheck?.proof, {
    keys: Array.isArray(keys) ? keys : [],
    record,
    ...(headCheck?.keySalt === undefined ? {} : { keySalt: headCheck.keySalt }),
  });
  if (!h.ok) return fail(`head:${h.step}`, last, h.reason);
  if (h.checkpoint.origin !== upTo.origin)
    return fail('log', last, 'the head proof is for another log than the versions');
  if (h.checkpoint.size <= head.leafIndex)
    return fail('latest', last, "the head proof's checkpoint is older than the head version");
  const mapped = h.head;
  if (mapped === null)
    return fail('latest', last, 'the head map has no version of the record at that checkpoint');
  if (mapped.leafIndex !== head.leafIndex || toHex(mapped.commitment) !== head.record.commitment)
    return fail(
      'latest',
      last,
      `a later version (leaf ${mapped.leafIndex}) exists up to size ${h.checkpoint.size}: the history given stops early`,
    );
  if (mapped.count !== links.length)
    return fail(
      'latest',
      last,
      `the head map counts ${mapped.count} leaves of the record, the history has ${links.length}`,
    );
  return {
    ok: true,
    record,
    versions: links.length,
    upTo,
    statement: `${statement}; no later version up to size ${h.checkpoint.size} (head map)`,
    latestAsOf: h.checkpoint,
  };
}

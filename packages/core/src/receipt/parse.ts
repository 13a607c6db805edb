import { utf8 } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { MAX_NOTE_BYTES } from '../note/format.js';
import { isValidOrigin } from './checkpoint.js';
import type {
  Receipt,
  ReceiptAnchor,
  ReceiptCarry,
  ReceiptCheckpoint,
  ReceiptRecord,
} from './receipt.js';

// Hand-written validation that mirrors receipt-v1.schema.json exactly (the tests check
// both against the same cases), so no JSON Schema engine is needed at runtime.

const ANCHOR_TYPE_RE = /^[a-z0-9][a-z0-9._:/-]{0,63}$/;
/** Longest proof of a tree of at most 2^53 - 1 leaves (inclusion) or twice that (consistency). */
const MAX_INCLUSION_HASHES = 64;
const MAX_CONSISTENCY_HASHES = 128;
const MAX_ANCHORS = 64;

function malformed(path: string, what: string): never {
  throw new MedanchorError(
    'RECEIPT_MALFORMED',
    `receipt field ${path} ${what}; see docs/spec/receipt.md`,
    { details: { path } },
  );
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NONE: readonly string[] = [];

function object(
  v: unknown,
  path: string,
  keys: readonly string[],
  optional: readonly string[] = NONE,
): Obj {
  if (!isObject(v)) malformed(path, 'must be an object');
  for (const k of keys) if (!Object.hasOwn(v, k)) malformed(`${path}.${k}`, 'is missing');
  // for-in visits the own enumerable keys in Object.keys order (then inherited ones, skipped
  // here) without building an array of them.
  for (const k in v) {
    if (!keys.includes(k) && !optional.includes(k) && Object.hasOwn(v, k))
      malformed(`${path}.${k}`, 'is not a v1 field');
  }
  return v;
}

/** True for exactly 64 lowercase hex digits (the schema's `^[0-9a-f]{64}$`), without a regex. */
export function isHashHex(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 64) return false;
  // No branch per character: (c - lo) | (hi - c) is negative exactly when c is outside
  // lo..hi, so the AND of the two ranges' tests is negative for a code in neither.
  let bad = 0;
  for (let i = 0; i < 64; i++) {
    const c = v.charCodeAt(i);
    bad |= ((c - 48) | (57 - c)) & ((c - 97) | (102 - c));
  }
  return bad >= 0;
}

/** A string of 64 characters: the form {@link readReceiptForm} checks before the digits. */
const is64 = (v: unknown): v is string => typeof v === 'string' && v.length === 64;

function hash(v: unknown, path: string, digits = true): string {
  if (!(digits ? isHashHex(v) : is64(v))) malformed(path, 'must be 64 lowercase hex characters');
  return v as string;
}

function hashes(v: unknown, path: string, max: number, digits = true): string[] {
  if (!Array.isArray(v)) malformed(path, 'must be an array of hashes');
  if (v.length > max) malformed(path, `must hold at most ${max} hashes`);
  const out = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) {
    const h: unknown = v[i];
    // The path of an element is spelled only when it is wrong.
    if (!(digits ? isHashHex(h) : is64(h)))
      malformed(`${path}[${i}]`, 'must be 64 lowercase hex characters');
    out[i] = h as string;
  }
  return out;
}

function integer(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    malformed(path, `must be a safe integer >= ${min}`);
  }
  return v;
}

function checkpoint(v: unknown, path: string, digits = true): ReceiptCheckpoint {
  const o = object(v, path, ['origin', 'size', 'root', 'digest'], ['note']);
  if (!isValidOrigin(o['origin'])) {
    malformed(`${path}.origin`, 'must be 1 to 255 printable ASCII characters without spaces');
  }
  const cp: ReceiptCheckpoint = {
    origin: o['origin'],
    size: integer(o['size'], `${path}.size`, 1),
    root: hash(o['root'], `${path}.root`, digits),
    digest: hash(o['digest'], `${path}.digest`, digits),
  };
  if (o['note'] === undefined) return cp;
  // The note's syntax and its agreement with the fields are checked by verification.
  if (
    typeof o['note'] !== 'string' ||
    o['note'].length === 0 ||
    o['note'].length > MAX_NOTE_BYTES
  ) {
    malformed(`${path}.note`, `must be a signed note of 1 to ${MAX_NOTE_BYTES} characters`);
  }
  return { ...cp, note: o['note'] };
}

function record(v: unknown, digits: boolean): ReceiptRecord {
  const o = object(v, 'record', ['salt', 'digest', 'commitment']);
  return {
    salt: hash(o['salt'], 'record.salt', digits),
    digest: hash(o['digest'], 'record.digest', digits),
    commitment: hash(o['commitment'], 'record.commitment', digits),
  };
}

function carry(v: unknown): ReceiptCarry {
  const o = object(v, 'carry', ['checkpoint', 'consistencyProof']);
  return {
    checkpoint: checkpoint(o['checkpoint'], 'carry.checkpoint'),
    consistencyProof: hashes(
      o['consistencyProof'],
      'carry.consistencyProof',
      MAX_CONSISTENCY_HASHES,
    ),
  };
}

function anchors(v: unknown): ReceiptAnchor[] {
  if (!Array.isArray(v)) malformed('anchors', 'must be an array');
  if (v.length > MAX_ANCHORS) malformed('anchors', `must hold at most ${MAX_ANCHORS} entries`);
  const out = new Array<ReceiptAnchor>(v.length);
  for (let i = 0; i < v.length; i++) {
    const a: unknown = v[i];
    if (!isObject(a)) malformed(`anchors[${i}]`, 'must be an object');
    if (typeof a['type'] !== 'string' || !ANCHOR_TYPE_RE.test(a['type'])) {
      malformed(`anchors[${i}].type`, 'must be a lowercase anchor type such as "bitcoin"');
    }
    out[i] = a as ReceiptAnchor;
  }
  return out;
}

function toValue(input: unknown): unknown {
  if (input instanceof Uint8Array) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw new MedanchorError('RECEIPT_MALFORMED', 'receipt bytes are not valid UTF-8 JSON');
    }
    return toValue(text);
  }
  if (typeof input === 'string') {
    try {
      return JSON.parse(input);
    } catch {
      throw new MedanchorError('RECEIPT_MALFORMED', 'receipt text is not valid JSON', {
        details: { length: utf8(input).length },
      });
    }
  }
  return input;
}

/**
 * Reads a receipt from JSON text, UTF-8 bytes or an already parsed object, and checks
 * it field by field against receipt v1 (the same rules as `receiptV1Schema`). The
 * hashes are checked for form only; `verifyReceipt` checks that they fit together.
 *
 * @example
 * ```ts
 * const receipt = parseReceipt(await readFile('lab-result.receipt.json', 'utf8'));
 * ```
 * @throws {@link MedanchorError} `RECEIPT_UNSUPPORTED_VERSION` for a version other than 1,
 * `RECEIPT_MALFORMED` (with `details.path`) for anything else out of shape.
 */
export function parseReceipt(input: unknown): Receipt {
  return readReceipt(input, true);
}

/**
 * Level-1 verification's read: {@link parseReceipt} except that the hashes of the record,
 * the checkpoint and the inclusion proof are checked as strings of 64 characters only.
 * Verification decodes those as lowercase hex anyway (verify-fast.ts refuses anything
 * else), so they are read once instead of twice; whenever verification fails, it asks
 * parseReceipt, whose error then comes first, so every verdict is the same. A carry's
 * hashes are checked in full here (they are decoded by general helpers).
 * @internal
 */
export function readReceiptForm(input: unknown): Receipt {
  return readReceipt(input, false);
}

function readReceipt(input: unknown, digits: boolean): Receipt {
  const v = toValue(input);
  if (!isObject(v)) malformed('(root)', 'must be a JSON object');
  if (v['version'] !== 1) {
    if (typeof v['version'] === 'number') {
      throw new MedanchorError(
        'RECEIPT_UNSUPPORTED_VERSION',
        `this is a version ${v['version']} receipt and this library reads version 1: upgrade @medanchor/core`,
        { details: { version: v['version'] } },
      );
    }
    malformed('version', 'must be the number 1');
  }
  const o = object(
    v,
    '(root)',
    ['version', 'record', 'leafIndex', 'treeSize', 'inclusionProof', 'checkpoint', 'anchors'],
    ['carry'],
  );
  const r: Receipt = {
    version: 1,
    record: record(o['record'], digits),
    leafIndex: integer(o['leafIndex'], 'leafIndex', 0),
    treeSize: integer(o['treeSize'], 'treeSize', 1),
    inclusionProof: hashes(o['inclusionProof'], 'inclusionProof', MAX_INCLUSION_HASHES, digits),
    checkpoint: checkpoint(o['checkpoint'], 'checkpoint', digits),
    anchors: anchors(o['anchors']),
  };
  return o['carry'] === undefined ? r : { ...r, carry: carry(o['carry']) };
}

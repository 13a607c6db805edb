import { fromHex, isMedanchorError, MedanchorError, toHex } from '@medanchor/core';
import { type BitcoinAnchorEntry, decodeBitcoinAnchorEntry } from './entry.js';

/** One signed transaction of an anchor: the first one, or an RBF replacement. */
export interface AnchorAttempt {
  /** Display-order txid. */
  readonly txid: string;
  /** The signed transaction with witnesses, hex: exactly what is (re)broadcast. */
  readonly rawTx: string;
  /** Fee rate aimed at, sat/vB. */
  readonly feeRate: number;
  /** Fee paid, satoshis. */
  readonly fee: bigint;
  /** Height of the best block when it was signed (to tell when it is stuck). */
  readonly signedAtHeight: number;
  /** When it was signed, Unix seconds (the daily fee budget counts by it); absent in older states. */
  readonly signedAt?: number;
}

/**
 * A transaction built for an anchor and waiting for a signature from outside the
 * process (a PSBT signer, or an offline wallet through `exportPsbt`/`importSignedPsbt`).
 * Saved before the PSBT leaves the anchorer, so a restart hands out the same
 * transaction again instead of building a second one.
 */
export interface UnsignedAttempt {
  /** Display-order txid (segwit: the signatures do not change it). */
  readonly txid: string;
  /** The unsigned PSBT (BIP-174), base64. */
  readonly psbt: string;
  /** Fee rate aimed at, sat/vB. */
  readonly feeRate: number;
  /** Fee it pays, satoshis. */
  readonly fee: bigint;
  /** Height of the best block when it was built. */
  readonly builtAtHeight: number;
}

/**
 * Where an anchor stands. `pending`: signed, not in a block of the best chain;
 * `confirmed`: in a block, fewer than the finality depth deep; `final`: deep enough,
 * no longer tracked.
 */
export type AnchorStatus = 'pending' | 'confirmed' | 'final';

/** Where an anchor's transaction was confirmed. */
export interface AnchorConfirmation {
  /** The attempt that confirmed (display order). */
  readonly txid: string;
  /** Display-order block hash. */
  readonly blockHash: string;
  readonly height: number;
}

/**
 * How a coin that an earlier taproot-tweak anchor paid back is signed: the change key's
 * index and the digest its output commits to.
 */
export interface CoinTweak {
  /** Index of the change key on the funding key's change path. */
  readonly changeIndex: number;
  /** The checkpoint digest the coin's output key is tweaked by, hex. */
  readonly digest: string;
}

/** A coin spent by an anchor, kept so replacements spend exactly the same ones. */
export interface AnchorStateCoin {
  /** Display-order txid. */
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  /** Output script, hex. */
  readonly script: string;
  /** Set for the change of an earlier taproot-tweak anchor (signed with a tweaked change key). */
  readonly tweak?: CoinTweak;
}

/**
 * An anchor that commits by a taproot tweak (docs/spec/anchor-taproot.md): its only
 * output is the change, paid to a fresh change key tweaked by the digest.
 */
export interface AnchorTweak {
  /** Index of the change key on the funding key's change path. */
  readonly changeIndex: number;
  /** The change key's x-only internal key, hex (the receipt entry carries it). */
  readonly internalKey: string;
}

/**
 * Everything the anchorer knows about the anchor of one checkpoint digest. Written
 * to the {@link AnchorStateStore} before any of its transactions is broadcast.
 */
export interface AnchorRecord {
  /** The checkpoint digest, 64 hex characters: the key of the record. */
  readonly digest: string;
  readonly status: AnchorStatus;
  /** Inputs shared by every attempt (an RBF replacement spends the same coins). */
  readonly coins: readonly AnchorStateCoin[];
  /**
   * Signed transactions, oldest first; the last is the one to (re)broadcast. Empty only
   * while the first transaction waits for its signature (`unsigned`).
   */
  readonly attempts: readonly AnchorAttempt[];
  /**
   * The transaction waiting for a signature from outside the process: the first one,
   * or a fee bump of the last attempt. Once signed it becomes the next attempt.
   */
  readonly unsigned?: UnsignedAttempt;
  /** Set when the anchor commits by a taproot tweak of its change output instead of an OP_RETURN. */
  readonly tweak?: AnchorTweak;
  /** Set while confirmed or final. */
  readonly confirmation?: AnchorConfirmation;
  /** The last broadcast or tracking failure, for display (no secrets). */
  readonly lastError?: string;
  /**
   * Rolling anchors: the checkpoint digest (hex) whose transaction replaced this one's
   * pending transaction, or took this waiting checkpoint along. The receipts of this
   * checkpoint are carried (by consistency proof) along the `replacedBy` chain to the first
   * checkpoint that is not replaced, whose transaction anchors them. Such a record follows
   * that anchor's `status` and `confirmation` and never has an `entry` of its own.
   */
  readonly replacedBy?: string;
  /**
   * Rolling anchors: the checkpoint waits for the next replacement of the wallet's pending
   * anchor (no coins and no transaction of its own yet).
   */
  readonly waiting?: true;
  /**
   * Rolling anchors: the log size of the checkpoint, so a checkpoint is only ever carried
   * to a larger one of the same log.
   */
  readonly logSize?: number;
  /**
   * The receipt entry of a final anchor, as verified when it became final (level 2,
   * height and depth through validated headers). Kept so a final anchor's entry is never
   * fetched, nor changed, again.
   */
  readonly entry?: BitcoinAnchorEntry;
}

/**
 * Durable storage of anchor records. `save` must make the record durable before it
 * resolves: the anchorer broadcasts a transaction only after `save` of the record
 * holding it has resolved, so a crash never loses a broadcast transaction.
 *
 * Implementations: {@link memoryAnchorStateStore}, and `fileAnchorStateStore` in
 * `@medanchor/chain/node`.
 */
export interface AnchorStateStore {
  /** Every record saved so far (the latest version of each digest). */
  load(): Promise<AnchorRecord[]>;
  /** Inserts or replaces the record of `record.digest`, durably. */
  save(record: AnchorRecord): Promise<void>;
}

/** An in-memory store, durable for the life of the object (browsers, tests). */
export interface MemoryAnchorStateStore extends AnchorStateStore {
  /** Number of `save` calls so far. */
  readonly saves: number;
}

/**
 * A new in-memory anchor state store. Reusing the object for a second anchorer is how
 * tests simulate a restart without files.
 */
export function memoryAnchorStateStore(): MemoryAnchorStateStore {
  const records = new Map<string, string>();
  let saves = 0;
  return {
    get saves() {
      return saves;
    },
    async load() {
      return [...records.values()].map((j) => decodeAnchorRecord(JSON.parse(j)));
    },
    async save(record) {
      // Stored as JSON so callers cannot mutate what was saved.
      records.set(record.digest, JSON.stringify(encodeAnchorRecord(record)));
      saves++;
    },
  };
}

/** Version of the anchor state format ({@link encodeAnchorState}). */
export const ANCHOR_STATE_VERSION = 1;

/** JSON form of a record: bigints as decimal strings; see docs/spec/anchor-transaction.md. */
export function encodeAnchorRecord(r: AnchorRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    digest: r.digest,
    status: r.status,
    coins: r.coins.map((c) => ({
      txid: c.txid,
      vout: c.vout,
      value: c.value.toString(),
      script: c.script,
      ...(c.tweak === undefined ? {} : { tweak: { ...c.tweak } }),
    })),
    attempts: r.attempts.map((a) => ({
      txid: a.txid,
      rawTx: a.rawTx,
      feeRate: a.feeRate,
      fee: a.fee.toString(),
      signedAtHeight: a.signedAtHeight,
      ...(a.signedAt === undefined ? {} : { signedAt: a.signedAt }),
    })),
  };
  if (r.replacedBy !== undefined) out['replacedBy'] = r.replacedBy;
  if (r.waiting === true) out['waiting'] = true;
  if (r.logSize !== undefined) out['logSize'] = r.logSize;
  if (r.unsigned !== undefined) {
    const u = r.unsigned;
    out['unsigned'] = {
      txid: u.txid,
      psbt: u.psbt,
      feeRate: u.feeRate,
      fee: u.fee.toString(),
      builtAtHeight: u.builtAtHeight,
    };
  }
  if (r.tweak !== undefined) out['tweak'] = { ...r.tweak };
  if (r.confirmation !== undefined) out['confirmation'] = { ...r.confirmation };
  if (r.lastError !== undefined) out['lastError'] = r.lastError;
  if (r.entry !== undefined) out['entry'] = JSON.parse(JSON.stringify(r.entry));
  return out;
}

function malformed(what: string): MedanchorError {
  return new MedanchorError(
    'ANCHOR_STATE_CORRUPT',
    `the anchor state is damaged (${what}): restore it from a backup; never start over with an empty state while anchors are pending`,
  );
}

const HEX64 = /^[0-9a-f]{64}$/;

function str(v: unknown, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) throw malformed(what);
  return v;
}

function int(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw malformed(what);
  return v as number;
}

function sats(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,17})$/.test(v)) throw malformed(what);
  return BigInt(v);
}

/**
 * Reads a record from its JSON form.
 * @throws MedanchorError `ANCHOR_STATE_CORRUPT` naming the bad field.
 */
export function decodeAnchorRecord(json: unknown): AnchorRecord {
  if (typeof json !== 'object' || json === null) throw malformed('record is not an object');
  const o = json as Record<string, unknown>;
  const status = o['status'];
  if (status !== 'pending' && status !== 'confirmed' && status !== 'final')
    throw malformed('status');
  if (!Array.isArray(o['coins']) || !Array.isArray(o['attempts']))
    throw malformed('coins/attempts');
  const coins = (o['coins'] as unknown[]).map((c) => {
    const x = (c ?? {}) as Record<string, unknown>;
    const coin = {
      txid: str(x['txid'], HEX64, 'coin txid'),
      vout: int(x['vout'], 'coin vout'),
      value: sats(x['value'], 'coin value'),
      script: str(x['script'], /^([0-9a-f]{2})+$/, 'coin script'),
    };
    if (x['tweak'] === undefined) return coin;
    const t = (x['tweak'] ?? {}) as Record<string, unknown>;
    return {
      ...coin,
      tweak: {
        changeIndex: int(t['changeIndex'], 'coin changeIndex'),
        digest: str(t['digest'], HEX64, 'coin tweak digest'),
      },
    };
  });
  const attempts = (o['attempts'] as unknown[]).map((a) => {
    const x = (a ?? {}) as Record<string, unknown>;
    const feeRate = rate(x['feeRate']);
    const rawTx = str(x['rawTx'], /^([0-9a-f]{2})+$/, 'rawTx');
    fromHex(rawTx);
    return {
      txid: str(x['txid'], HEX64, 'attempt txid'),
      rawTx,
      feeRate,
      fee: sats(x['fee'], 'fee'),
      signedAtHeight: int(x['signedAtHeight'], 'signedAtHeight'),
      ...(x['signedAt'] === undefined ? {} : { signedAt: int(x['signedAt'], 'signedAt') }),
    };
  });
  const unsigned = o['unsigned'] === undefined ? undefined : decodeUnsigned(o['unsigned']);
  const replacedBy =
    o['replacedBy'] === undefined ? undefined : str(o['replacedBy'], HEX64, 'replacedBy');
  if (o['waiting'] !== undefined && o['waiting'] !== true) throw malformed('waiting');
  const waiting = o['waiting'] === true;
  // A rolling checkpoint that waits, or was taken along by a later one, may have no transaction.
  const rides = waiting || replacedBy !== undefined;
  if (!rides && ((attempts.length === 0 && unsigned === undefined) || coins.length === 0))
    throw malformed('a record needs coins and an attempt');
  const record: {
    -readonly [K in keyof AnchorRecord]: AnchorRecord[K];
  } = { digest: str(o['digest'], HEX64, 'digest'), status, coins, attempts };
  if (replacedBy !== undefined) record.replacedBy = replacedBy;
  if (waiting) record.waiting = true;
  if (o['logSize'] !== undefined) record.logSize = int(o['logSize'], 'logSize');
  if (unsigned !== undefined) record.unsigned = unsigned;
  if (o['tweak'] !== undefined) {
    const t = (o['tweak'] ?? {}) as Record<string, unknown>;
    record.tweak = {
      changeIndex: int(t['changeIndex'], 'changeIndex'),
      internalKey: str(t['internalKey'], HEX64, 'tweak internalKey'),
    };
  }
  if (o['confirmation'] !== undefined) {
    const c = (o['confirmation'] ?? {}) as Record<string, unknown>;
    record.confirmation = {
      txid: str(c['txid'], HEX64, 'confirmation txid'),
      blockHash: str(c['blockHash'], HEX64, 'confirmation blockHash'),
      height: int(c['height'], 'confirmation height'),
    };
  }
  if (status !== 'pending' && record.confirmation === undefined) throw malformed('confirmation');
  if (o['lastError'] !== undefined) {
    if (typeof o['lastError'] !== 'string') throw malformed('lastError');
    record.lastError = o['lastError'];
  }
  if (o['entry'] !== undefined) record.entry = decodeEntry(o['entry'], record);
  return record;
}

function rate(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw malformed('feeRate');
  return v;
}

function decodeUnsigned(json: unknown): UnsignedAttempt {
  const x = (json ?? {}) as Record<string, unknown>;
  return {
    txid: str(x['txid'], HEX64, 'unsigned txid'),
    psbt: str(x['psbt'], /^[A-Za-z0-9+/]+={0,2}$/, 'unsigned psbt'),
    feeRate: rate(x['feeRate']),
    fee: sats(x['fee'], 'unsigned fee'),
    builtAtHeight: int(x['builtAtHeight'], 'builtAtHeight'),
  };
}

// A kept entry must be a well-formed Bitcoin entry of the record's own confirmation.
function decodeEntry(
  json: unknown,
  record: Pick<AnchorRecord, 'status' | 'confirmation' | 'replacedBy'>,
) {
  if (
    record.status !== 'final' ||
    record.replacedBy !== undefined ||
    typeof json !== 'object' ||
    json === null
  )
    throw malformed('entry');
  try {
    decodeBitcoinAnchorEntry(json as BitcoinAnchorEntry);
  } catch (e) {
    if (isMedanchorError(e)) throw malformed('entry');
    throw e;
  }
  const entry = JSON.parse(JSON.stringify(json)) as BitcoinAnchorEntry;
  const c = record.confirmation!;
  if (entry.txid !== c.txid || entry.blockHash !== c.blockHash || entry.height !== c.height)
    throw malformed('entry is not of the confirmation');
  return entry;
}

/** The whole state as one JSON document: `{ "version": 1, "anchors": [...] }`, sorted by digest. */
export function encodeAnchorState(records: Iterable<AnchorRecord>): string {
  const anchors = [...records]
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
    .map(encodeAnchorRecord);
  return `${JSON.stringify({ version: ANCHOR_STATE_VERSION, anchors }, null, 1)}\n`;
}

/**
 * Parses a state document written by {@link encodeAnchorState}.
 * @throws MedanchorError `ANCHOR_STATE_CORRUPT` or `ANCHOR_STATE_VERSION` (written by a newer version).
 */
export function decodeAnchorState(text: string): AnchorRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  const o = (doc ?? {}) as Record<string, unknown>;
  if (o['version'] !== ANCHOR_STATE_VERSION) {
    throw new MedanchorError(
      'ANCHOR_STATE_VERSION',
      'the anchor state was written by another format version: use the medanchor version that wrote it',
      { details: { version: typeof o['version'] === 'number' ? o['version'] : null } },
    );
  }
  if (!Array.isArray(o['anchors'])) throw malformed('anchors');
  return (o['anchors'] as unknown[]).map(decodeAnchorRecord);
}

/** The hex key of a digest, checked. */
export function digestKey(digest: Uint8Array): string {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw new MedanchorError('INVALID_LENGTH', 'a checkpoint digest is 32 bytes');
  }
  return toHex(digest);
}

import { MedanchorError } from '../errors.js';
import { keyIdHex, type NoteVerifierKey, parseVerifierKey } from '../note/keys.js';
import { verifyNote } from '../note/verify.js';
import { isValidOrigin } from './checkpoint.js';
import { readCheckpointNote } from './signed-checkpoint.js';

/** Keys trusted to sign the checkpoints of one log. */
export interface TrustedLog {
  /** The log's origin. */
  readonly origin: string;
  /**
   * vkeys (C2SP verifier keys, type 0x01) that may sign this origin's checkpoints. Keep a
   * retired key listed while receipts signed by it should keep verifying.
   */
  readonly keys: readonly string[];
  /**
   * This log's own witnesses (vkeys, type 0x04): replace the policy's `witnesses` for it, e.g.
   * when each log has its own witness network.
   */
  readonly witnesses?: readonly string[];
  /** Distinct witnesses of this log that must have cosigned (default: the policy's). */
  readonly minCosignatures?: number;
}

/**
 * Which keys a verifier trusts: per origin the log keys, the witnesses, and how many of
 * them must cosign. With a policy, a receipt's anchored checkpoint must be a signed note.
 */
export interface TrustPolicy {
  /** Logs and their signing keys; a checkpoint of an origin not listed is refused. */
  readonly logs: readonly TrustedLog[];
  /** vkeys of witnesses (type 0x04 cosignature/v1, or 0x01); default none. */
  readonly witnesses?: readonly string[];
  /** Distinct listed witnesses that must have cosigned (default 0). */
  readonly minCosignatures?: number;
}

/** A policy with its keys parsed. */
interface ParsedPolicy {
  readonly logs: ReadonlyMap<string, readonly NoteVerifierKey[]>;
  /** Per-origin witnesses and minimum, where a log has its own. */
  readonly logWitnesses: ReadonlyMap<
    string,
    { readonly witnesses: readonly NoteVerifierKey[]; readonly minCosignatures: number }
  >;
  readonly witnesses: readonly NoteVerifierKey[];
  readonly minCosignatures: number;
}

function invalid(message: string): MedanchorError {
  return new MedanchorError('TRUST_POLICY_INVALID', message);
}

const MAX_KEYS = 256;

function compile(policy: unknown): ParsedPolicy {
  if (typeof policy !== 'object' || policy === null) throw invalid('a trust policy is an object');
  const p = policy as Partial<TrustPolicy>;
  if (!Array.isArray(p.logs) || p.logs.length > MAX_KEYS) {
    throw invalid(`trust policy "logs" must be a list of at most ${MAX_KEYS} { origin, keys }`);
  }
  const logs = new Map<string, NoteVerifierKey[]>();
  const logWitnesses = new Map<
    string,
    { witnesses: readonly NoteVerifierKey[]; minCosignatures: number }
  >();
  for (const [i, log] of p.logs.entries()) {
    if (typeof log !== 'object' || log === null || !isValidOrigin(log.origin)) {
      throw invalid(`trust policy logs[${i}].origin must be a log origin`);
    }
    if (!Array.isArray(log.keys) || log.keys.length === 0 || log.keys.length > MAX_KEYS) {
      throw invalid(`trust policy logs[${i}].keys must list 1 to ${MAX_KEYS} vkeys`);
    }
    const keys = log.keys.map((k: unknown, j: number) => {
      const key = parse(k, `logs[${i}].keys[${j}]`);
      if (key.type !== 0x01)
        throw invalid(`trust policy logs[${i}].keys[${j}] is not an Ed25519 (0x01) log key`);
      return key;
    });
    logs.set(log.origin, [...(logs.get(log.origin) ?? []), ...keys]);
    if (log.witnesses !== undefined || log.minCosignatures !== undefined) {
      if (logWitnesses.has(log.origin))
        throw invalid(`trust policy logs[${i}]: witnesses of ${log.origin} are given twice`);
      logWitnesses.set(log.origin, witnessesOf(log, `logs[${i}].`));
    }
  }
  return { logs, logWitnesses, ...witnessesOf(p, '') };
}

// The witnesses and minimum of the policy (at = '') or of one of its logs.
function witnessesOf(
  p: { readonly witnesses?: unknown; readonly minCosignatures?: unknown },
  at: string,
): { witnesses: readonly NoteVerifierKey[]; minCosignatures: number } {
  const w = p.witnesses ?? [];
  if (!Array.isArray(w) || w.length > MAX_KEYS) {
    throw invalid(`trust policy "${at}witnesses" must be a list of at most ${MAX_KEYS} vkeys`);
  }
  const witnesses = w.map((k: unknown, j: number) => parse(k, `${at}witnesses[${j}]`));
  const min = p.minCosignatures ?? 0;
  if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 0 || min > witnesses.length) {
    throw invalid(
      `trust policy "${at}minCosignatures" must be an integer from 0 to the number of witnesses`,
    );
  }
  return { witnesses, minCosignatures: min };
}

function parse(k: unknown, path: string): NoteVerifierKey {
  try {
    return parseVerifierKey(k as string);
  } catch (e) {
    throw invalid(`trust policy ${path} is not a valid vkey (${(e as Error).message})`);
  }
}

/**
 * Checks a trust policy (e.g. read from a config file) and returns it.
 * @throws {@link MedanchorError} `TRUST_POLICY_INVALID` naming the bad entry.
 */
export function parseTrustPolicy(input: unknown): TrustPolicy {
  compile(input);
  return input as TrustPolicy;
}

/** Outcome of {@link checkCheckpointTrust}. */
export type CheckpointTrust =
  | {
      readonly ok: true;
      /** The log key that signed, as `name+keyid`. */
      readonly logKey: string;
      /** Names of the listed witnesses whose cosignatures verified, with their times. */
      readonly cosigners: readonly { readonly name: string; readonly timestamp?: bigint }[];
    }
  | { readonly ok: false; readonly reason: string };

/** A trust policy ready to check signed checkpoints: pass it as `verifyReceipt`'s `trust`. */
export interface TrustChecker {
  /** The policy it was made from. */
  readonly policy: TrustPolicy;
  /** Checks one signed checkpoint note, as {@link checkCheckpointTrust}. Never throws. */
  check(note: string): CheckpointTrust;
}

/**
 * Makes a checker of a trust policy (its keys parsed once).
 *
 * @example
 * ```ts
 * const trust = trustPolicy({ logs: [{ origin: 'clinic.example/ledger', keys: [vkey] }] });
 * const r = await verifyReceipt(receipt, { trust });
 * ```
 * @throws {@link MedanchorError} `TRUST_POLICY_INVALID` naming the bad entry.
 */
export function trustPolicy(policy: TrustPolicy): TrustChecker {
  const parsed = compile(policy);
  return { policy, check: (note) => checkWith(note, parsed) };
}

/**
 * Checks a signed checkpoint note against a trust policy: the log signature (the first
 * line) is by a key the policy trusts for the checkpoint's origin and verifies, every
 * signature by a known key verifies, and at least `minCosignatures` distinct listed
 * witnesses cosigned. Never throws.
 */
export function checkCheckpointTrust(note: string, policy: TrustPolicy): CheckpointTrust {
  let p: ParsedPolicy;
  try {
    p = compile(policy);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  return checkWith(note, p);
}

function checkWith(note: string, p: ParsedPolicy): CheckpointTrust {
  let read: ReturnType<typeof readCheckpointNote>;
  try {
    read = readCheckpointNote(note);
  } catch (e) {
    return { ok: false, reason: `the signed checkpoint is malformed: ${(e as Error).message}` };
  }
  const origin = read.checkpoint.origin;
  const logKeys = p.logs.get(origin);
  if (logKeys === undefined) {
    return { ok: false, reason: `the trust policy lists no keys for log ${origin}` };
  }
  const first = read.logSignature;
  const logKey = logKeys.find((k) => k.name === first.name && k.keyId === first.keyId);
  if (logKey === undefined) {
    return {
      ok: false,
      reason: `the checkpoint is signed by ${first.name}+${keyIdHex(first.keyId)}, a key the trust policy does not trust for log ${origin}`,
    };
  }
  // Witness keys equal to a log key would let the log vouch for itself: drop them.
  const own = p.logWitnesses.get(origin) ?? p;
  const witnesses = own.witnesses.filter(
    (w) => !logKeys.some((k) => k.name === w.name && k.keyId === w.keyId),
  );
  const r = verifyNote(read.parsed, [logKey, ...witnesses]);
  if (!r.ok) return { ok: false, reason: r.message };
  const cosigners = r.verified
    .filter((v) => v.key !== logKey && !logKeys.some((k) => equalKey(k, v.key)))
    .map((v) => ({
      name: v.key.name,
      ...(v.timestamp === undefined ? {} : { timestamp: v.timestamp }),
    }));
  if (cosigners.length < own.minCosignatures) {
    return {
      ok: false,
      reason: `${cosigners.length} trusted witness cosignature(s), the trust policy requires ${own.minCosignatures}`,
    };
  }
  return { ok: true, logKey: `${logKey.name}+${keyIdHex(logKey.keyId)}`, cosigners };
}

function equalKey(a: NoteVerifierKey, b: NoteVerifierKey): boolean {
  return a.name === b.name && a.keyId === b.keyId;
}

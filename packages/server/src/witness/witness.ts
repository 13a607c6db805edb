// WITNESS_CONFIG_INVALID is in chain's catalogue: this brings its codes into
// MedanchorErrorCode when the witness entry is compiled on its own (no code is imported).
import type {} from '@medanchor/chain';
import {
  addNoteSignatures,
  cosignCheckpoint,
  EMPTY_ROOT,
  equalBytes,
  formatCosignatures,
  isMedanchorError,
  MedanchorError,
  NOTE_TYPE_COSIGNATURE_V1,
  type Note,
  type NoteSignerKey,
  type NoteVerifierKey,
  parseAddCheckpoint,
  parseCheckpointText,
  parseNote,
  parseVerifierKey,
  verifyConsistency,
  verifyNote,
} from '@medanchor/core';
import { originHash, type WitnessState } from './state.js';

/** A log a witness follows: its origin and the vkeys that may sign its checkpoints. */
export interface WitnessedLog {
  /** The log origin (the first line of its checkpoints). */
  readonly origin: string;
  /** C2SP vkeys (type 0x01) of the log; signatures by other keys are ignored. */
  readonly vkeys: readonly string[];
}

/** Options of {@link createWitness}. */
export interface WitnessOptions {
  /** The witness's cosignature/v1 (type 0x04) signing key. */
  readonly key: NoteSignerKey;
  /** The logs it witnesses. */
  readonly logs: readonly WitnessedLog[];
  /** Where it keeps the checkpoint last cosigned per log. */
  readonly state: WitnessState;
  /** Clock in POSIX seconds (tests); default the system clock. */
  readonly now?: () => bigint;
  /** Told about refused checkpoints that were validly signed (possible forks). */
  readonly onEvidence?: (origin: string, reason: string) => void;
}

/** An answer to `add-checkpoint`, ready for HTTP. */
export interface WitnessAnswer {
  /** 200, 400, 403, 404, 409 or 422 (C2SP tlog-witness). */
  readonly status: number;
  /** `text/x.tlog.size` for a 409, else `text/plain; charset=utf-8` or JSON for errors. */
  readonly contentType: string;
  /** The body: cosignature lines (200), the witness's size (409), or an error. */
  readonly body: string;
  /** The stable error code when not 200. */
  readonly code?: string;
}

/** A witness: checks checkpoints for consistency with what it saw and cosigns them. */
export interface Witness {
  /** The witness's public key. */
  readonly key: NoteVerifierKey;
  /** Handles one `add-checkpoint` body. Never throws for a bad request. */
  addCheckpoint(body: Uint8Array): Promise<WitnessAnswer>;
  /** The latest cosigned note of the log whose origin hashes to `hash` (hex), if any. */
  latest(hash: string): Promise<string | undefined>;
}

function fail(status: number, code: string, message: string): WitnessAnswer {
  return {
    status,
    code,
    contentType: 'application/json',
    body: JSON.stringify({ error: { code, message } }),
  };
}

/**
 * Makes a witness (C2SP tlog-witness `add-checkpoint`, cosignature/v1). Checks, in the
 * order the spec gives: the body reads (400), the origin is known (404), a trusted log key
 * signed and no trusted signature is bad (403), old size <= size (400), old size equals the
 * size last cosigned (409, body: that size), the empty tree's root (422), the consistency
 * proof (422). Only then it persists and cosigns. Check and update run under one lock per
 * log, so two requests never both pass against the same old state.
 * @throws MedanchorError `WITNESS_CONFIG_INVALID` for a bad key or log list.
 */
export function createWitness(options: WitnessOptions): Witness {
  const { key, state } = options;
  if (key.type !== NOTE_TYPE_COSIGNATURE_V1) {
    throw new MedanchorError(
      'WITNESS_CONFIG_INVALID',
      'a witness key must be a cosignature/v1 (type 0x04) key',
    );
  }
  const logs = new Map<string, NoteVerifierKey[]>();
  const byHash = new Map<string, string>();
  for (const [i, log] of options.logs.entries()) {
    if (typeof log?.origin !== 'string' || !Array.isArray(log.vkeys) || log.vkeys.length === 0)
      throw new MedanchorError(
        'WITNESS_CONFIG_INVALID',
        `logs[${i}] must be { origin, vkeys: [at least one vkey] }`,
      );
    const keys = log.vkeys.map((v, j) => {
      try {
        const k = parseVerifierKey(v);
        if (k.type !== 0x01) throw new Error('not type 0x01');
        return k;
      } catch {
        throw new MedanchorError(
          'WITNESS_CONFIG_INVALID',
          `logs[${i}].vkeys[${j}] is not an Ed25519 (type 0x01) log vkey`,
        );
      }
    });
    logs.set(log.origin, [...(logs.get(log.origin) ?? []), ...keys]);
    byHash.set(originHash(log.origin), log.origin);
  }
  const now = options.now ?? (() => BigInt(Math.floor(Date.now() / 1000)));
  const lanes = new Map<string, Promise<unknown>>();
  const exclusive = <T>(origin: string, fn: () => Promise<T>): Promise<T> => {
    const run = (lanes.get(origin) ?? Promise.resolve()).then(fn);
    const tail = run.then(
      () => {},
      () => {},
    );
    lanes.set(origin, tail);
    void tail.then(() => {
      if (lanes.get(origin) === tail) lanes.delete(origin);
    });
    return run;
  };
  const evidence = async (origin: string, reason: string, note: string) => {
    options.onEvidence?.(origin, reason);
    await state.recordEvidence(origin, reason, note).catch(() => {});
  };

  async function addCheckpoint(body: Uint8Array): Promise<WitnessAnswer> {
    let req: ReturnType<typeof parseAddCheckpoint>;
    let note: Note;
    let cp: ReturnType<typeof parseCheckpointText>['checkpoint'];
    try {
      req = parseAddCheckpoint(body);
      note = parseNote(req.note);
      cp = parseCheckpointText(note.text).checkpoint;
    } catch (e) {
      return fail(
        400,
        isMedanchorError(e) ? e.code : 'WITNESS_BAD_REQUEST',
        isMedanchorError(e) ? e.message : 'the request could not be read',
      );
    }
    const keys = logs.get(cp.origin);
    if (keys === undefined) {
      return fail(404, 'WITNESS_UNKNOWN_LOG', `this witness does not follow log ${cp.origin}`);
    }
    const v = verifyNote(note, keys);
    if (!v.ok) {
      return fail(
        403,
        v.code,
        v.code === 'NOTE_UNKNOWN_KEY'
          ? `no signature by a key this witness trusts for ${cp.origin}`
          : v.message,
      );
    }
    if (req.oldSize > cp.size) {
      return fail(400, 'WITNESS_BAD_REQUEST', 'the old size is larger than the checkpoint size');
    }
    return exclusive(cp.origin, async () => {
      const last = await state.get(cp.origin);
      const lastSize = last?.size ?? 0;
      if (req.oldSize !== lastSize) {
        // Whatever old size it claims, a signed root at the cosigned size that is not the
        // cosigned root is a second history.
        if (last !== undefined && cp.size === last.size && !equalBytes(cp.root, last.root))
          await evidence(cp.origin, `a second root at size ${cp.size}`, req.note);
        return {
          status: 409,
          code: 'WITNESS_CONFLICT',
          contentType: 'text/x.tlog.size',
          body: `${lastSize}\n`,
        };
      }
      const unprocessable = async (message: string, fork: boolean) => {
        if (fork) await evidence(cp.origin, message, req.note);
        return fail(422, 'WITNESS_INCONSISTENT', message);
      };
      if (cp.size === 0 && !equalBytes(cp.root, EMPTY_ROOT)) {
        return unprocessable('a checkpoint of size 0 must have the empty tree root', false);
      }
      if (req.oldSize === 0) {
        if (req.proof.length > 0) {
          return unprocessable('from old size 0 the consistency proof must be empty', false);
        }
      } else if (req.oldSize === cp.size) {
        if (!equalBytes(cp.root, last!.root))
          return unprocessable(
            `the log signed a different root at size ${cp.size} than the one this witness cosigned`,
            true,
          );
        if (req.proof.length > 0) {
          return unprocessable('at the same size the consistency proof must be empty', false);
        }
      } else if (!verifyConsistency(req.oldSize, cp.size, req.proof, last!.root, cp.root)) {
        return unprocessable(
          `the consistency proof from size ${req.oldSize} to ${cp.size} does not verify`,
          true,
        );
      }
      const cosignature = cosignCheckpoint(note, key, { timestamp: now() });
      const cosigned = new TextDecoder().decode(addNoteSignatures(note, [cosignature]));
      // Persisted before answering: a restart must never forget what it vouched for.
      await state.put({ origin: cp.origin, size: cp.size, root: cp.root, note: cosigned });
      return {
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        body: formatCosignatures([cosignature]),
      };
    });
  }

  return {
    key: { name: key.name, keyId: key.keyId, type: key.type, publicKey: key.publicKey.slice() },
    addCheckpoint,
    async latest(hash) {
      const origin = byHash.get(hash);
      return origin === undefined ? undefined : (await state.get(origin))?.note;
    },
  };
}

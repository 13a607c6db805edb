import {
  addCosignatures,
  formatAddCheckpoint,
  isMedanchorError,
  MedanchorError,
  type MedanchorErrorCode,
  NOTE_TYPE_COSIGNATURE_V1,
  type NoteVerifierKey,
  parseVerifierKey,
  parseWitnessSize,
  readCheckpointNote,
} from '@medanchor/core';

/** A witness a log asks to cosign its checkpoints (C2SP tlog-witness). */
export interface WitnessConfig {
  /** The witness's submission prefix, e.g. `https://witness.example/w1` (`/add-checkpoint` is appended). */
  readonly url: string;
  /** The witness's cosignature/v1 vkey (type 0x04): only its cosignatures are kept. */
  readonly vkey: string;
}

/** Options of {@link createWitnessAsker}. */
export interface WitnessAskerOptions {
  /** The witnesses to ask. */
  readonly witnesses: readonly WitnessConfig[];
  /** Give up on a witness after this many ms per request (default 5 000). */
  readonly timeoutMs?: number;
}

/** What one round of asking made. */
export interface CosignRound {
  /** The note with every cosignature received (the input note when none came). */
  readonly note: Uint8Array;
  /** Names of the witnesses that cosigned. */
  readonly cosigned: readonly string[];
  /** Typed failures, one per witness that did not cosign (retried on the next seal). */
  readonly failures: readonly MedanchorError[];
}

/** Asks a log's witnesses to cosign each new checkpoint. */
export interface WitnessAsker {
  /**
   * Sends `note` (a signed checkpoint of `size` leaves) to every witness at once. Never
   * throws: a witness that is down, slow or refuses is a failure in the result.
   *
   * @param proof - consistency proof from an older size of the same log to `size`.
   */
  cosign(note: Uint8Array, proof: (from: number) => Promise<Uint8Array[]>): Promise<CosignRound>;
}

interface Known {
  readonly config: WitnessConfig;
  readonly key: NoteVerifierKey;
  /** The size this witness cosigned last, as far as this process knows. */
  size: number | undefined;
}

function witnessError(
  code: MedanchorErrorCode,
  w: Known,
  message: string,
  cause?: unknown,
): MedanchorError {
  return new MedanchorError(code, `witness ${w.key.name}: ${message}`, {
    details: { witness: w.key.name, url: w.config.url },
    ...(cause === undefined ? {} : { cause }),
  });
}

// Every failure names its witness: an error from deeper down (a malformed answer) is wrapped.
function asWitnessError(e: unknown, w: Known): MedanchorError {
  if (isMedanchorError(e) && e.details['witness'] === w.key.name) return e;
  if (isMedanchorError(e)) return witnessError(e.code, w, e.message, e);
  return witnessError('WITNESS_REFUSED', w, 'the exchange failed', e);
}

function witnessKeyOf(vkey: string): NoteVerifierKey | undefined {
  try {
    const key = parseVerifierKey(vkey);
    return key.type === NOTE_TYPE_COSIGNATURE_V1 ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the asker of a log's witnesses. Each witness is remembered at the size it cosigned
 * last; on a first contact, or when the witness knows another size (409), the request is
 * sent again once from the size the witness names, with a consistency proof from there.
 * @throws MedanchorError `WITNESS_CONFIG_INVALID` for a bad URL or vkey.
 */
export function createWitnessAsker(options: WitnessAskerOptions): WitnessAsker {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const known: Known[] = options.witnesses.map((config, i) => {
    const key = witnessKeyOf(config.vkey);
    if (key === undefined)
      throw new MedanchorError(
        'WITNESS_CONFIG_INVALID',
        `witnesses[${i}].vkey must be a cosignature/v1 (type 0x04) vkey`,
      );
    if (typeof config.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(config.url))
      throw new MedanchorError(
        'WITNESS_CONFIG_INVALID',
        `witnesses[${i}].url must be an http(s) URL, e.g. https://witness.example/w1`,
      );
    return { config, key, size: undefined };
  });

  async function post(w: Known, body: Uint8Array): Promise<{ status: number; text: string }> {
    const url = `${w.config.url.replace(/\/+$/, '')}/add-checkpoint`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        // The body is text (a checkpoint note); a string also suits fetch's types everywhere.
        body: new TextDecoder().decode(body),
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw witnessError(
        'WITNESS_UNREACHABLE',
        w,
        `no answer from ${w.config.url} within ${timeoutMs} ms: is it running?`,
        e,
      );
    }
    return { status: res.status, text: await res.text() };
  }

  async function askOne(
    w: Known,
    note: Uint8Array,
    noteText: string,
    size: number,
    proof: (from: number) => Promise<Uint8Array[]>,
  ): Promise<string> {
    let from = w.size ?? 0;
    for (let attempt = 0; ; attempt++) {
      if (from > size)
        throw witnessError(
          'WITNESS_AHEAD',
          w,
          `it cosigned size ${from}, larger than this checkpoint (${size}): was the log rolled back?`,
        );
      const p = from === 0 || from === size ? [] : await proof(from);
      const answer = await post(
        w,
        formatAddCheckpoint({ oldSize: from, proof: p, note: noteText }),
      );
      if (answer.status === 200) {
        addCosignatures(note, answer.text, w.key); // throws unless it holds a valid one
        w.size = size;
        return answer.text;
      }
      if (answer.status === 409 && attempt === 0) {
        from = parseWitnessSize(answer.text);
        continue;
      }
      let code = '';
      try {
        code = String(JSON.parse(answer.text)?.error?.code ?? '');
      } catch {
        // Witnesses need not answer errors in JSON.
      }
      throw witnessError(
        'WITNESS_REFUSED',
        w,
        `it answered ${answer.status}${code === '' ? '' : ` (${code})`} to the checkpoint of size ${size}${answer.status === 409 ? ' twice' : ''}`,
      );
    }
  }

  return {
    async cosign(note, proof) {
      const read = readCheckpointNote(note);
      const size = read.checkpoint.size;
      const results = await Promise.allSettled(
        known.map((w) => askOne(w, note, read.note, size, proof)),
      );
      let merged = note;
      const cosigned: string[] = [];
      const failures: MedanchorError[] = [];
      results.forEach((r, i) => {
        const w = known[i]!;
        if (r.status === 'rejected') {
          // Unknown state: start from the witness's own answer next time.
          w.size = undefined;
          failures.push(asWitnessError(r.reason, w));
          return;
        }
        merged = addCosignatures(merged, r.value, w.key).note;
        cosigned.push(w.key.name);
      });
      return { note: merged, cosigned, failures };
    },
  };
}

/**
 * One round of asking after a seal, as every ledger does it: each witness that fails is
 * reported to `onError` (and asked again at the next seal, from the size it then names).
 * Resolves with the note and the cosignatures received, or `undefined` when none came.
 */
export async function cosignAfterSeal(
  asker: WitnessAsker,
  signed: Uint8Array,
  proof: (from: number) => Promise<Uint8Array[]>,
  onError: (error: unknown) => void,
): Promise<string | undefined> {
  const round = await asker.cosign(signed, proof);
  for (const e of round.failures) onError(e);
  return round.cosigned.length === 0 ? undefined : new TextDecoder().decode(round.note);
}

import { base64 } from '@scure/base';
import { MedanchorError } from '../errors.js';
import { MAX_NOTE_BYTES } from './format.js';

// The body of C2SP tlog-witness `add-checkpoint`, both ways: the log writes it, the
// witness reads it. docs/spec/cosignature.md §3 is normative.

/** Most consistency proof lines a client may send (C2SP tlog-witness). */
export const MAX_PROOF_LINES = 63;

/** Largest `add-checkpoint` body read: the proof lines and a note of at most MAX_NOTE_BYTES. */
export const MAX_ADD_CHECKPOINT_BYTES = MAX_NOTE_BYTES + 64 * 45 + 32;

/** An `add-checkpoint` request (the note is not verified by reading it). */
export interface AddCheckpointRequest {
  /** The size of the checkpoint the client believes the witness cosigned last (0: none). */
  readonly oldSize: number;
  /** RFC 6962 consistency proof from `oldSize` to the checkpoint's size (empty from 0). */
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, as text. */
  readonly note: string;
}

function bad(message: string): MedanchorError {
  return new MedanchorError('WITNESS_BAD_REQUEST', message);
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads an `add-checkpoint` body: `old <size>\n`, up to 63 lines of base64 hashes, an
 * empty line, then the signed checkpoint note (not verified here).
 * @throws {@link MedanchorError} `WITNESS_BAD_REQUEST` naming what is wrong.
 */
export function parseAddCheckpoint(body: Uint8Array): AddCheckpointRequest {
  if (!(body instanceof Uint8Array)) throw bad('the request body must be bytes');
  if (body.length > MAX_ADD_CHECKPOINT_BYTES) {
    throw bad(`the request body is over ${MAX_ADD_CHECKPOINT_BYTES} bytes`);
  }
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw bad('the request body must be UTF-8 text');
  }
  const first = text.indexOf('\n');
  const m = first < 0 ? null : /^old (0|[1-9][0-9]{0,15})$/.exec(text.slice(0, first));
  if (m === null || !Number.isSafeInteger(Number(m[1]))) {
    throw bad('the body must start with "old <size>" (decimal, no leading zeros) and a newline');
  }
  const proof: Uint8Array[] = [];
  let at = first + 1;
  for (;;) {
    const end = text.indexOf('\n', at);
    if (end < 0) throw bad('the proof lines must be followed by an empty line and the checkpoint');
    const line = text.slice(at, end);
    at = end + 1;
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) {
      throw bad(`at most ${MAX_PROOF_LINES} consistency proof lines are allowed`);
    }
    let hash: Uint8Array | undefined;
    try {
      hash = base64.decode(line);
    } catch {
      hash = undefined;
    }
    if (hash?.length !== 32) {
      throw bad(`consistency proof line ${proof.length + 1} is not a 32-byte hash in base64`);
    }
    proof.push(hash);
  }
  const note = text.slice(at);
  if (note.length === 0) throw bad('the checkpoint is missing after the empty line');
  return { oldSize: Number(m[1]), proof, note };
}

/**
 * Encodes an `add-checkpoint` body (what a log sends a witness).
 * @throws {@link MedanchorError} `INVALID_SIZE`, `INVALID_ARGUMENT`, `INVALID_LENGTH`.
 */
export function formatAddCheckpoint(request: AddCheckpointRequest): Uint8Array {
  if (!Number.isSafeInteger(request.oldSize) || request.oldSize < 0) {
    throw new MedanchorError('INVALID_SIZE', 'the old size is a non-negative safe integer');
  }
  if (request.proof.length > MAX_PROOF_LINES) {
    throw new MedanchorError('INVALID_ARGUMENT', `at most ${MAX_PROOF_LINES} proof hashes`);
  }
  for (const h of request.proof) {
    if (!(h instanceof Uint8Array) || h.length !== 32) {
      throw new MedanchorError('INVALID_LENGTH', 'each proof hash is 32 bytes');
    }
  }
  const lines = request.proof.map((h) => `${base64.encode(h)}\n`).join('');
  return new TextEncoder().encode(`old ${request.oldSize}\n${lines}\n${request.note}`);
}

/**
 * Reads the body of a witness's 409 answer (`text/x.tlog.size`): the size of the
 * checkpoint it cosigned last, in decimal, and a newline.
 * @throws {@link MedanchorError} `WITNESS_BAD_ANSWER`.
 */
export function parseWitnessSize(body: string): number {
  const m = /^(0|[1-9][0-9]{0,15})\n$/.exec(body);
  if (m === null || !Number.isSafeInteger(Number(m[1]))) {
    throw new MedanchorError(
      'WITNESS_BAD_ANSWER',
      'a 409 answer must be the witness tree size in decimal and a newline',
    );
  }
  return Number(m[1]);
}

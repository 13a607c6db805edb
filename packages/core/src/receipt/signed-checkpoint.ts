import { equalBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import { checkpointNoteDigest, parseCheckpointText } from '../note/checkpoint-note.js';
import { type Note, type NoteSignature, parseNote } from '../note/format.js';
import { type Checkpoint, checkpointDigest } from './checkpoint.js';

/** A signed checkpoint note read for a receipt (syntax only, signatures not verified). */
export interface CheckpointNote {
  /** The note as text (what receipts carry). */
  readonly note: string;
  /** The parsed note. */
  readonly parsed: Note;
  /** The checkpoint its text states. */
  readonly checkpoint: Checkpoint;
  /** The log's signature: by definition the note's first signature line. */
  readonly logSignature: NoteSignature;
  /** What an anchor commits to: `checkpointNoteDigest(text, logSignature)`. */
  readonly digest: Uint8Array;
}

/**
 * Reads a signed checkpoint note for a receipt: the text must be a tlog-checkpoint body
 * and the first signature line is the log's. The digest binds the text and the log's
 * signature line (docs/spec/signed-note.md), so cosignatures added later do not change it.
 * @throws {@link MedanchorError} `NOTE_MALFORMED`, `NOTE_TOO_LONG`, `CHECKPOINT_MALFORMED`.
 */
export function readCheckpointNote(note: Uint8Array | string): CheckpointNote {
  const parsed = parseNote(note);
  const { checkpoint } = parseCheckpointText(parsed.text);
  const logSignature = parsed.signatures[0]!;
  const text = typeof note === 'string' ? note : new TextDecoder().decode(note);
  return {
    note: text,
    parsed,
    checkpoint,
    logSignature,
    digest: checkpointNoteDigest(parsed.text, logSignature),
  };
}

/**
 * The digest an anchor commits to for a checkpoint as a store keeps it: of its signed note
 * when it has one (docs/spec/signed-note.md §5), else `checkpointDigest` (receipt.md §1).
 * @throws {@link MedanchorError} as {@link readCheckpointNoteOf} for a bad note.
 */
export function anchoredDigestOf(
  cp: Checkpoint & { readonly note?: Uint8Array | string },
): Uint8Array {
  if (cp.note === undefined) return checkpointDigest(cp);
  return readCheckpointNoteOf(cp, cp.note).digest;
}

/**
 * Like {@link readCheckpointNote}, and checks that the note states `cp`.
 * @throws {@link MedanchorError} `CHECKPOINT_MISMATCH` when it states another checkpoint.
 */
export function readCheckpointNoteOf(cp: Checkpoint, note: Uint8Array | string): CheckpointNote {
  const read = readCheckpointNote(note);
  if (
    read.checkpoint.origin !== cp.origin ||
    read.checkpoint.size !== cp.size ||
    !equalBytes(read.checkpoint.root, cp.root)
  ) {
    throw new MedanchorError(
      'CHECKPOINT_MISMATCH',
      'the signed note states another checkpoint (origin, size or root differ)',
      { details: { size: cp.size, noteSize: read.checkpoint.size } },
    );
  }
  return read;
}

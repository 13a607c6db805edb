import type { ErrorCatalogue } from './errors.js';

/**
 * Error codes of `@medanchor/core`, and the general codes every package uses for bad
 * arguments (`INVALID_ARGUMENT`, `INVALID_LENGTH`, `INVALID_TYPE`, ...): what each means
 * and what to do. `docs/errors.md` is generated from this and the other catalogues.
 */
export const CORE_ERROR_CODES = {
  // General: bad arguments, in every package.
  INVALID_ARGUMENT: {
    meaning: 'An argument or option is out of its range or of the wrong kind.',
    action: 'Read the message: it names the argument and what it must be.',
  },
  INVALID_LENGTH: {
    meaning: 'A byte string (hash, key, salt, signature) has the wrong length.',
    action: 'Pass exactly the number of bytes the message states.',
  },
  INVALID_TYPE: {
    meaning: 'A value has the wrong type, for example a string where a Uint8Array is expected.',
    action: 'Pass the type the message names (bytes are Uint8Array, amounts bigint).',
  },
  INVALID_HEX: {
    meaning: 'A hex string has an odd length or a character that is not hex.',
    action: 'Pass an even-length string of 0-9 and a-f.',
  },
  INVALID_KEY: {
    meaning:
      'A key is not valid for its use: wrong length or encoding, not on the curve, or of another kind.',
    action:
      'Check where the key came from; generate or export it again with the documented format.',
  },
  INVALID_POLICY: {
    meaning: 'A batching, fee or verification policy has a value out of range.',
    action: 'Fix the policy field the message names.',
  },
  INDEX_OUT_OF_RANGE: {
    meaning: 'A leaf index or range lies outside the tree.',
    action: 'Ask for an index below the tree size (the message states it).',
  },
  SIZE_OUT_OF_RANGE: {
    meaning: 'A tree size is larger than the log.',
    action: 'Ask for a size no larger than the log, or wait until the log has grown.',
  },
  INVALID_SIZE: {
    meaning: 'A tree or checkpoint size is negative, not an integer, or too large.',
    action: 'Pass a non-negative safe integer.',
  },
  INVALID_SIZE_ORDER: {
    meaning: 'A consistency proof was asked from a larger size to a smaller one.',
    action: 'Pass the older (smaller) size first.',
  },
  INVALID_ORIGIN: {
    meaning: 'A log origin is empty, too long, or has spaces or non-printable characters.',
    action: 'Use 1 to 255 printable ASCII characters without spaces, e.g. "clinic.example/ledger".',
  },
  NO_CSPRNG: {
    meaning: 'No cryptographic random number generator is available to make a salt.',
    action: 'Run on Node >= 20 or a browser with Web Crypto, or pass a salt.',
  },
  KERNEL_UNAVAILABLE: {
    meaning: 'The chosen SHA-256 kernel cannot run on this JavaScript engine.',
    action: 'Pick one of sha256Kernels(), or leave the default.',
  },
  // Batching and the journal.
  BATCHER_CLOSED: {
    meaning: 'The batcher was closed and accepts no more records.',
    action: 'Open a new batcher on the journal.',
  },
  LOG_MISMATCH: {
    meaning: 'A new, empty journal was paired with a log that already has leaves.',
    action: 'Give each log its own journal, and reopen a log with the journal it was built from.',
  },
  JOURNAL_BROKEN: {
    meaning: 'A failed write left the journal in a state it could not repair in place.',
    action: 'Close the journal and open it again: recovery cuts the partial entry.',
  },
  JOURNAL_CORRUPT: {
    meaning: 'The journal is damaged beyond a torn last entry.',
    action: 'Restore the journal from a backup; acknowledged entries may be lost.',
  },
  JOURNAL_ENTRY_TOO_LARGE: {
    meaning: 'One append is larger than the largest journal entry.',
    action: 'Append in smaller groups.',
  },
  JOURNAL_FULL: {
    meaning: 'The disk holding the journal is full (or over quota).',
    action: 'Free disk space or move the journal, then retry: nothing was acknowledged.',
  },
  JOURNAL_NOT_OPEN: {
    meaning: 'The journal was used before open() or after close().',
    action: 'Call open() first.',
  },
  JOURNAL_OPEN: {
    meaning: 'open() was called on a journal that is already open.',
    action: 'Open each journal once.',
  },
  JOURNAL_ORIGIN_MISMATCH: {
    meaning: 'The journal belongs to another log origin.',
    action: 'Open it with its own origin, or use a new journal for this log.',
  },
  JOURNAL_WRITE_FAILED: {
    meaning: 'Writing or syncing the journal failed (an I/O error other than a full disk).',
    action: 'Check the disk and permissions, then retry: nothing was acknowledged.',
  },
  // Receipts and checkpoints.
  RECEIPT_MALFORMED: {
    meaning: 'A receipt does not follow the receipt format.',
    action:
      'The message names the field; see docs/spec/receipt.md, or ask the issuer for the receipt again.',
  },
  RECEIPT_UNSUPPORTED_VERSION: {
    meaning: 'The receipt has a format version this library does not read.',
    action: 'Upgrade @medanchor/core.',
  },
  RECEIPT_CARRY_INVALID: {
    meaning: 'A receipt cannot be carried to a later checkpoint with the proof given.',
    action: 'Pass the consistency proof between the two checkpoints of the same log.',
  },
  RECEIPT_HAS_ANCHORS: {
    meaning: 'The receipt already has anchors for its checkpoint, so it cannot be carried.',
    action: 'Carry receipts before anchors are attached, or keep the receipt as it is.',
  },
  ANCHOR_VERIFIER_EXISTS: {
    meaning: 'An anchor verifier for this anchor type is already registered.',
    action: 'Register one verifier per anchor type.',
  },
  CHECKPOINT_MISMATCH: {
    meaning:
      'A signed note or anchor states another checkpoint (origin, size or root) than the one expected.',
    action:
      'Use the note and anchor of this checkpoint; a mismatch from a server means it serves another log.',
  },
  CHECKPOINT_MALFORMED: {
    meaning: 'A note body is not a C2SP tlog checkpoint (origin, size, base64 root).',
    action: 'See docs/spec/signed-note.md for the checkpoint body.',
  },
  TRUST_POLICY_INVALID: {
    meaning: 'A trust policy (log keys, witnesses, quorum) is not well formed.',
    action: 'Fix the entry the message names.',
  },
  // Signed notes and witnesses.
  NOTE_MALFORMED: {
    meaning: 'A signed note is not well formed (text, signature lines or encoding).',
    action: 'See docs/spec/signed-note.md; ask the signer for the note again.',
  },
  NOTE_TOO_LONG: {
    meaning: 'A signed note has more bytes or signatures than allowed.',
    action: 'Refuse the note: honest logs stay well below the limits.',
  },
  NOTE_KEY_INVALID: {
    meaning: 'A note signer or verifier key is malformed or of an unsupported type.',
    action: 'Use a key in the C2SP format (name+hash+base64 key), made by generateNoteKey.',
  },
  WITNESS_BAD_REQUEST: {
    meaning: 'A witness add-checkpoint request is not well formed.',
    action: 'See the C2SP tlog-witness specification for the request body.',
  },
  WITNESS_BAD_ANSWER: {
    meaning: 'A witness answered with a body that does not follow C2SP tlog-witness.',
    action: 'Check the witness URL; report the witness to its operator.',
  },
  COSIGNATURE_INVALID: {
    meaning: 'A cosignature is not well formed or does not verify.',
    action: 'Refuse it; check the witness key in the trust policy.',
  },
  COSIGNATURE_FUTURE: {
    meaning: 'A cosignature is timestamped in the future.',
    action: 'Check the clocks of the witness and of this machine.',
  },
  // The storage contract and the file store.
  STORE_CLOSED: {
    meaning: 'The store was closed.',
    action: 'Open it again.',
  },
  STORE_CONFLICT: {
    meaning:
      'A write does not fit what the store holds: another writer moved first, or an idempotency key was reused with other content.',
    action:
      'Read the current state (size, checkpoint) again and retry; never reuse a key for other content.',
  },
  STORE_CORRUPT: {
    meaning: 'Data in the store is damaged or inconsistent.',
    action: 'Restore the store from a backup; the message names the file or table.',
  },
  STORE_RANGE: {
    meaning: 'A read or truncation asked for leaves, tiles or checkpoints the store does not have.',
    action: 'Ask within the sizes the store reports.',
  },
  STORE_LOCKED: {
    meaning: 'Another live process has the file store open (one writer process per directory).',
    action: 'Close the other process, or use the PostgreSQL store for several writers.',
  },
  STORE_LEASE_LOST: {
    meaning: 'The sequencer lease changed hands or was released while sequencing.',
    action: 'Stop sequencing and acquire the lease again.',
  },
  STORE_NOT_SEALED: {
    meaning: 'The leaf is not in a checkpoint yet.',
    action: 'Seal (or wait for the sequencer), then ask again.',
  },
  STORE_ORIGIN_MISMATCH: {
    meaning: 'The store holds another log origin than the one asked for.',
    action: 'Open it with its own origin, or choose another directory or database.',
  },
  STORE_SCHEMA_UNKNOWN: {
    meaning: 'The store was written with a layout version this release does not read.',
    action: 'Use a release that knows that layout.',
  },
  STORE_IO: {
    meaning: 'Reading or writing a store file failed.',
    action: 'Check the disk and permissions; the message names the file.',
  },
  STORE_FULL: {
    meaning: 'The disk holding the store is full (or over quota).',
    action: 'Free disk space, then retry: nothing was acknowledged.',
  },
  STORE_FORGET_PENDING: {
    meaning: 'Some records with this record id are not sequenced yet, so they cannot be forgotten.',
    action: 'Seal (or wait for the sequencer), then forget again; nothing was erased.',
  },
  TOMBSTONE_INVALID: {
    meaning: 'A tombstone document (the proof that a record was forgotten) is not well formed.',
    action: 'The message names the member at fault; use the document the store exported.',
  },
  HEAD_PROOF_MALFORMED: {
    meaning:
      'A head proof (docs/spec/head-map.md) is not well formed: a member is missing, unknown or wrong.',
    action: 'The message names the member at fault; use the proof the ledger exported.',
  },
  HEAD_PROOF_MISMATCH: {
    meaning:
      'A head proof does not prove its claim: another record or salt, a wrong path, or a head past the checkpoint.',
    action: 'Ask the log for a new proof; a signed map that is wrong is evidence against the log.',
  },
  HEAD_MAP_UNAVAILABLE: {
    meaning:
      'The checkpoint or the ledger has no head map (sealed without one, or opened without `headMap`).',
    action: 'Open the ledger with a signer and `headMap`; ask about a checkpoint sealed since.',
  },
  RECORD_FORGOTTEN: {
    meaning: 'The record was forgotten: its salt and digest are erased.',
    action: 'None: no receipt can be built for it any more, by design.',
  },
} as const satisfies ErrorCatalogue;

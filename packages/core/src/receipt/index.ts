export {
  type AnchorContext,
  type AnchorOutcome,
  type AnchorRegistry,
  type AnchorVerifier,
  createAnchorRegistry,
} from './anchors.js';
export { carryReceipt } from './carry.js';
export {
  assertOrigin,
  CHECKPOINT_TAG,
  type Checkpoint,
  checkpointDigest,
  encodeCheckpoint,
  isValidOrigin,
} from './checkpoint.js';
export { parseReceipt } from './parse.js';
export {
  type BuildReceiptInput,
  buildReceipt,
  buildReceiptAt,
  buildReceipts,
  encodeReceipt,
  RECEIPT_VERSION,
  type Receipt,
  type ReceiptAnchor,
  type ReceiptCarry,
  type ReceiptCheckpoint,
  type ReceiptRecord,
  toReceiptCheckpoint,
} from './receipt.js';
export { receiptV1Schema } from './schema.js';
export {
  anchoredDigestOf,
  type CheckpointNote,
  readCheckpointNote,
  readCheckpointNoteOf,
} from './signed-checkpoint.js';
export {
  type CheckpointTrust,
  checkCheckpointTrust,
  parseTrustPolicy,
  type TrustChecker,
  type TrustedLog,
  type TrustPolicy,
  trustPolicy,
} from './trust.js';
export {
  type AnchorCheck,
  type AnchorFacts,
  type ReceiptRejected,
  type ReceiptStep,
  type ReceiptVerification,
  type ReceiptVerified,
  statementOf,
  type VerdictFact,
  type VerifyReceiptMerkleOptions,
  type VerifyReceiptOptions,
  verifyReceipt,
  verifyReceiptMerkle,
} from './verify.js';

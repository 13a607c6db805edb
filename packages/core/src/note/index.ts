export {
  CHECKPOINT_NOTE_TAG,
  type CheckpointNoteVerification,
  type CheckpointText,
  checkpointNoteDigest,
  checkpointNotePrefix,
  formatCheckpointText,
  parseCheckpointText,
  signCheckpoint,
  verifyCheckpointNote,
} from './checkpoint-note.js';
export {
  addCosignatures,
  cosignatureKeyId,
  cosignCheckpoint,
  formatCosignatures,
  generateWitnessKey,
  parseCosignatures,
  type VerifiedCosignature,
  verifyCosignatures,
  witnessVerifierKey,
} from './cosignature.js';
export {
  type AddCheckpointRequest,
  formatAddCheckpoint,
  MAX_ADD_CHECKPOINT_BYTES,
  MAX_PROOF_LINES,
  parseAddCheckpoint,
  parseWitnessSize,
} from './cosignature-request.js';
export { type Equivocation, type EquivocationReport, findEquivocations } from './equivocation.js';
export {
  assertKeyName,
  assertNoteText,
  formatNote,
  formatSignatureLine,
  isValidKeyName,
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  type Note,
  type NoteSignature,
  parseNote,
} from './format.js';
export {
  encodeSignerKey,
  encodeVerifierKey,
  generateNoteKey,
  keyIdHex,
  NOTE_TYPE_COSIGNATURE_V1,
  NOTE_TYPE_ED25519,
  type NoteKeyType,
  type NoteSignerKey,
  type NoteVerifierKey,
  noteKeyId,
  noteSignerKey,
  noteVerifierKey,
  parseSignerKey,
  parseVerifierKey,
  toVerifierKey,
} from './keys.js';
export {
  addNoteSignatures,
  cosignatureMessage,
  type SignOptions,
  signNote,
  signNoteText,
} from './sign.js';
export {
  checkNoteSignature,
  type NoteVerification,
  type VerifiedNoteSignature,
  verifyNote,
} from './verify.js';

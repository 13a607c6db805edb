export { readOts, writeOts } from './codec.js';
export { type OtsBitcoinAnchor, receiptToOts } from './export.js';
export {
  ATTESTATION_TAG,
  OTS_MAGIC,
  type OtsAttestation,
  type OtsFile,
  type OtsOp,
  type OtsTimestamp,
} from './format.js';
export { applyOp as applyOtsOp } from './ops.js';
export {
  evaluateOts,
  type OtsAttestationResult,
  type OtsHeaderSource,
  type OtsVerification,
  verifyOts,
} from './verify.js';

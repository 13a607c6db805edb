export { type CreateSpvProofInput, createSpvProof } from './create.js';
export {
  type DepthFailure,
  type DepthProof,
  type DepthResult,
  fetchHeaderBytes,
  type HeaderSource,
  type ProveDepthInput,
  proveBlockDepth,
  type TrustedPoint,
  trustedPoints,
} from './depth.js';
export { type TxInclusionInput, type TxInclusionResult, verifyTxInclusion } from './inclusion.js';
export {
  ANCHOR_MAGIC,
  ANCHOR_PAYLOAD_SIZE,
  anchorOutputScript,
  bareAnchorOutputScript,
  decodeAnchorScript,
  encodeAnchorPayload,
  type FoundAnchor,
  findAnchorPayload,
} from './payload.js';
export {
  type AnchorCommitment,
  type AnchorCommitmentJson,
  type DecodedSpvProof,
  decodeSpvProof,
  encodeSpvProof,
  isSpvProofShape,
  SPV_PROOF_TYPE,
  type SpvProof,
  type SpvProofJson,
} from './proof.js';
export {
  isTaprootCommitment,
  taprootCommitmentKey,
  taprootCommitmentScript,
} from './taproot-commitment.js';
export {
  type SpvFailure,
  type SpvResult,
  type SpvStep,
  type SpvSuccess,
  type VerifySpvOptions,
  verifySpvProof,
} from './verify.js';

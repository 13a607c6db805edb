/**
 * @medanchor/chain/verify: only what a verifier needs (the Bitcoin anchor verifier,
 * network parameters, SPV and header checks, the Esplora backend, OpenTimestamps
 * reading and checking). Nothing here builds or signs a transaction, so a browser
 * bundle of {@link bitcoinAnchorVerifier} carries no bitcoinjs-lib, PSBT or secp256k1
 * code. Everything is also exported from `@medanchor/chain`; pick this entry when the
 * bundle size matters.
 *
 * @packageDocumentation
 */
export { BITCOIN_ANCHOR_TYPE, decodeBitcoinAnchorEntry } from './anchor/entry.js';
export {
  type BackendChainReport,
  type BitcoinAnchorFacts,
  type BitcoinAnchorVerifierOptions,
  type BoundFact,
  bitcoinAnchorVerifier,
} from './anchor/verifier.js';
export { type EsploraBackendOptions, esploraBackend } from './backend/esplora.js';
export type { FetchLike } from './backend/http.js';
export type { Backend, HeaderInfo, MerkleBranch, TxStatus, Utxo } from './backend/types.js';
export { hashFromDisplayHex, hashToDisplayHex } from './bitcoin/hash.js';
export { type BlockHeader, blockHashHex, parseHeader } from './bitcoin/header.js';
export {
  type HeaderChain,
  type HeaderChainFailure,
  type HeaderChainInput,
  type HeaderChainResult,
  type TrustedHeader,
  validateHeaderChain,
} from './bitcoin/header-chain.js';
// A type from the catalogue, so a program importing only this entry knows chain's error
// codes (the catalogue merges them into core's MedanchorErrorCodes) at no runtime cost.
export type { ChainErrorCode } from './error-codes.js';
export { defineNetwork } from './network/define.js';
export { networkByName } from './network/lookup.js';
export { builtinNetworks, mainnet, regtest, signet, testnet4 } from './network/networks.js';
export type { NetworkParams } from './network/params.js';
export { readOts } from './ots/codec.js';
export type { OtsAttestation, OtsFile, OtsOp, OtsTimestamp } from './ots/format.js';
export {
  evaluateOts,
  type OtsAttestationResult,
  type OtsHeaderSource,
  type OtsVerification,
  verifyOts,
} from './ots/verify.js';
export { bundledSchedule } from './schedule/bundled.js';
export type { DifficultySchedule, ScheduleEpoch } from './schedule/types.js';
export {
  type AnchorCommitment,
  type AnchorCommitmentJson,
  type DecodedSpvProof,
  decodeSpvProof,
  isSpvProofShape,
  SPV_PROOF_TYPE,
  type SpvProof,
  type SpvProofJson,
} from './spv/proof.js';
export {
  type SpvFailure,
  type SpvResult,
  type SpvStep,
  type SpvSuccess,
  type VerifySpvOptions,
  verifySpvProof,
} from './spv/verify.js';

export {
  type AnchorEvent,
  type AnchorEventKind,
  type Anchorer,
  type AnchorerOptions,
  type AnchorRequest,
  type AnchorUrgency,
  createAnchorer,
} from './anchorer.js';
export { type ChangeKey, defaultChangePath } from './change-keys.js';
export {
  type AnchorAction,
  type AnchorPolicy,
  type AnchorView,
  type AttemptView,
  decideAnchor,
  needsReorgCheck,
} from './decide.js';
export {
  BITCOIN_ANCHOR_TYPE,
  type BitcoinAnchorEntry,
  bitcoinAnchorEntryFromProof,
  decodeBitcoinAnchorEntry,
  fetchBitcoinAnchorEntry,
} from './entry.js';
export {
  assertWithinBudget,
  FEE_BUDGET_WINDOW_S,
  type FeeBudget,
  familyKey,
  feeSpentSince,
} from './fee-budget.js';
export {
  assertFeePolicy,
  bumpedFeeRate,
  chooseFeeRate,
  type FeePolicy,
  INCREMENTAL_RELAY_SAT_PER_VB,
} from './fee-policy.js';
export {
  type AnchorSigner,
  type FundingKey,
  type FundingKeyOptions,
  type FundingKeySource,
  type FundingKeyType,
  fundingKey,
  fundingKeyFromSecret,
  isSighashSigner,
  type PsbtSigner,
  type WatchOnlyKeySource,
  watchOnlyFundingKey,
} from './funding-key.js';
export type { KeyOrigin } from './key-origin.js';
export {
  buildUnsignedAnchor,
  type ExpectedAnchor,
  finalizeAnchorPsbt,
  type PsbtMismatch,
  signAnchorPsbt,
  type UnsignedAnchorTx,
} from './psbt.js';
export {
  carrierOf,
  orderOf,
  planRoll,
  type RollPlan,
  rollingHead,
  strayFamilyMembers,
  waitingRecords,
} from './rolling.js';
export {
  ANCHOR_STATE_VERSION,
  type AnchorAttempt,
  type AnchorConfirmation,
  type AnchorRecord,
  type AnchorStateCoin,
  type AnchorStateStore,
  type AnchorStatus,
  type AnchorTweak,
  type CoinTweak,
  decodeAnchorRecord,
  decodeAnchorState,
  encodeAnchorRecord,
  encodeAnchorState,
  type MemoryAnchorStateStore,
  memoryAnchorStateStore,
  type UnsignedAttempt,
} from './state.js';
export {
  type BackendChainReport,
  type BitcoinAnchorFacts,
  type BitcoinAnchorVerifierOptions,
  type BoundFact,
  bitcoinAnchorVerifier,
} from './verifier.js';
export {
  type AnchorProofStep,
  anchorProofRefused,
  checkReorg,
  type FetchVerifiedAnchorEntryInput,
  fetchHeaderRange,
  fetchVerifiedAnchorEntry,
  provenHeightFrom,
  type ReorgEvidence,
  type VerifiedAnchorEntry,
  validateHeadersAbove,
  verifyProofForWriting,
} from './verify-entry.js';

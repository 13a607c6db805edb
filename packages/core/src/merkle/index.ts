export {
  EMPTY_ROOT,
  HASH_SIZE,
  LEAF_PREFIX,
  leafHash,
  leafHashes32,
  NODE_PREFIX,
  nodeHash,
  parentHashes,
} from './hash.js';
export { MerkleLog } from './log.js';
export { type LogStore, MemoryLogStore } from './store.js';
export { merkleRoot } from './tree.js';
export {
  inclusionPathSides,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './verify.js';
export {
  type InclusionClaim,
  type PackedInclusionProofs,
  verifyInclusions,
  verifyInclusionsPacked,
} from './verify-batch.js';

export {
  HEAD_MAP_LINE_PREFIX,
  headMapLine,
  headMapRootOf,
} from './checkpoint-line.js';
export {
  assertHeadMapRecord,
  decodeHeadValue,
  encodeHeadValue,
  HEAD_MAP_EMPTY,
  HEAD_MAP_KEY_TAG,
  HEAD_MAP_LEAF_PREFIX,
  HEAD_MAP_MAX_RECORD,
  HEAD_MAP_NO_LEAF_SALT,
  HEAD_MAP_NODE_PREFIX,
  type HeadValue,
  headLeafHash,
  headMapKey,
  headMapKeySalt,
  headNodeHash,
  innerNodeBytes,
  keyBit,
  leafNodeBytes,
} from './hash.js';
export {
  HEAD_PROOF_TYPE,
  type HeadProof,
  type HeadProofStep,
  type HeadProofVerification,
  headProofDocument,
  type ParsedHeadProof,
  parseHeadProof,
  type VerifyHeadProofOptions,
  verifyHeadMapPath,
  verifyHeadProof,
} from './proof.js';
export {
  type HeadMapNodeStore,
  type HeadMapPath,
  type HeadMapStore,
  type HeadMapUpdate,
  type MemoryHeadMapStoreOptions,
  memoryHeadMapStore,
  proveHeadMap,
} from './tree.js';
export { advanceHeadMap, type HeadMapAdvance, updateHeadMap } from './update.js';

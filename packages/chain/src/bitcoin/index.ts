export { type ParsedBlock, parseBlock } from './block.js';
export { bitsToTarget, bitsWork, targetToBits, targetWork } from './compact.js';
export { hashFromDisplayHex, hashToDisplayHex, reverseBytes, sha256d } from './hash.js';
export {
  type BlockHeader,
  blockHash,
  blockHashHex,
  HEADER_SIZE,
  parseHeader,
  serializeHeader,
} from './header.js';
export {
  type HeaderChain,
  type HeaderChainFailure,
  type HeaderChainInput,
  type HeaderChainResult,
  type TrustedHeader,
  validateHeaderChain,
} from './header-chain.js';
export {
  bitcoinMerkleBranch,
  bitcoinMerkleLevels,
  bitcoinMerkleRoot,
  checkMerkleBranch,
  foldMerkleBranch,
  isMerkleMutated,
  type MerkleBranchCheck,
  type MerkleBranchInput,
  merkleBranchFromLevels,
  merkleDepth,
  merkleParent,
} from './merkle.js';
export { type MerkleBlock, type MerkleBlockMatch, parseMerkleBlock } from './merkleblock.js';
export { hashToBigint, headerMeetsTarget, powHashOf } from './pow.js';
export { nextBits, type RetargetHeader } from './retarget.js';
export {
  isCoinbase,
  type ParsedTransaction,
  parseTransaction,
  serializeTransaction,
  serializeTransactionNoWitness,
  stripWitness,
  type TxInput,
  type TxOutput,
  txidHex,
  txidOf,
} from './transaction.js';

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
export { hashToBigint, headerMeetsTarget, powHashOf } from './pow.js';

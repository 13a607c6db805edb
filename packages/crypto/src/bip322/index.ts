export {
  decodeSegwitAddress,
  encodeSegwitAddress,
  p2trAddress,
  p2wpkhAddress,
  type SegwitAddress,
} from './address.js';
export {
  type Bip322SignOptions,
  type Bip322Verification,
  bip322MessageHash,
  signBip322,
  verifyBip322,
} from './bip322.js';

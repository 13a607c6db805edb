export {
  type AddressType,
  type Base58Prefixes,
  BITCOIN_BASE58_PREFIXES,
  type DecodedAddress,
  decodeAddress,
  decodeSegwitAddress,
  encodeSegwitAddress,
  p2pkhAddress,
  p2shAddress,
  p2shP2wpkhAddress,
  p2trAddress,
  p2trScriptAddress,
  p2wpkhAddress,
  p2wshAddress,
  type SegwitAddress,
} from './address.js';
export {
  type Bip322FailureCode,
  type Bip322Verification,
  type Bip322VerifyOptions,
  bip322MessageHash,
  verifyBip322,
} from './bip322.js';
export { multisigScript, OP as SCRIPT_OPCODES, pushData, pushNumber } from './script.js';
export { type Bip322SignOptions, type Bip322Tapscript, signBip322 } from './sign.js';

import { MedanchorError, toHex, utf8 } from '@medanchor/core';
import { ripemd160, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { OTS_MAX_MSG_LENGTH, type OtsOp } from './format.js';

/** Output length of each hash operation. */
export const HASH_LENGTH = { sha1: 20, ripemd160: 20, sha256: 32, keccak256: 32 } as const;

/**
 * Applies one operation to a message, as OpenTimestamps defines them.
 * @throws `MedanchorError` `OTS_INVALID` when the result would exceed 4096 bytes.
 */
export function applyOp(op: OtsOp, msg: Uint8Array): Uint8Array {
  let out: Uint8Array;
  switch (op.op) {
    case 'sha1':
      out = sha1(msg);
      break;
    case 'ripemd160':
      out = ripemd160(msg);
      break;
    case 'sha256':
      out = sha256(msg);
      break;
    case 'keccak256':
      out = keccak_256(msg);
      break;
    case 'reverse':
      out = msg.slice().reverse();
      break;
    case 'hexlify':
      out = utf8(toHex(msg));
      break;
    case 'append':
    case 'prepend': {
      out = new Uint8Array(msg.length + op.arg.length);
      out.set(op.op === 'append' ? msg : op.arg, 0);
      out.set(op.op === 'append' ? op.arg : msg, op.op === 'append' ? msg.length : op.arg.length);
      break;
    }
  }
  if (out.length > OTS_MAX_MSG_LENGTH) {
    throw new MedanchorError(
      'OTS_INVALID',
      `an operation produced ${out.length} bytes; OpenTimestamps allows 4096`,
    );
  }
  return out;
}

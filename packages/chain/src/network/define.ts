import { MedanchorError } from '@medanchor/core';
import { bitsToTarget } from '../bitcoin/compact.js';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import type { NetworkParams } from './params.js';

function invalid(field: string, rule: string): MedanchorError {
  return new MedanchorError('INVALID_NETWORK', `network parameter ${field} ${rule}`, {
    details: { field },
  });
}

function checkByte(value: unknown, field: string): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xff) {
    throw invalid(field, 'must be an integer in 0..255');
  }
}

function checkU32(value: unknown, field: string): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xffffffff) {
    throw invalid(field, 'must be an unsigned 32-bit integer');
  }
}

function checkPositiveInt(value: unknown, field: string): void {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw invalid(field, 'must be a positive integer');
  }
}

function checkFlag(value: unknown, field: string): void {
  if (typeof value !== 'boolean') throw invalid(field, 'must be a boolean');
}

/**
 * Validates user-defined network parameters and returns a frozen copy, so a
 * Bitcoin-derived chain (other address prefixes, scrypt proof of work, its own
 * genesis) is described as data. The genesis header must hash (sha256d) to
 * `genesisHash` and claim a target no easier than `powLimit`.
 *
 * @example
 * ```ts
 * const litecoinRegtest = defineNetwork({ ...regtest, name: 'ltc-regtest', bech32: 'rltc',
 *   powHash: 'scrypt', genesisHeader: '01000000...', genesisHash: '530827f3...' });
 * ```
 * @throws MedanchorError `INVALID_NETWORK` naming the first field that is wrong.
 */
export function defineNetwork(params: NetworkParams): NetworkParams {
  if (typeof params !== 'object' || params === null) throw invalid('params', 'must be an object');
  const p = params;
  if (typeof p.name !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(p.name)) {
    throw invalid('name', 'must be 1-64 lowercase letters, digits, ".", "_" or "-"');
  }
  // BIP173: the human-readable part is 1-83 US-ASCII characters in 33..126; we keep it lowercase.
  if (typeof p.bech32 !== 'string' || !/^[\x21-\x40\x5b-\x7e]{1,83}$/.test(p.bech32)) {
    throw invalid('bech32', 'must be 1-83 printable ASCII characters, lowercase');
  }
  checkByte(p.pubKeyHash, 'pubKeyHash');
  checkByte(p.scriptHash, 'scriptHash');
  checkByte(p.wif, 'wif');
  if (p.pubKeyHash === p.scriptHash) throw invalid('scriptHash', 'must differ from pubKeyHash');
  if (typeof p.bip32 !== 'object' || p.bip32 === null) throw invalid('bip32', 'must be an object');
  checkU32(p.bip32.public, 'bip32.public');
  checkU32(p.bip32.private, 'bip32.private');
  if (p.bip32.public === p.bip32.private)
    throw invalid('bip32.private', 'must differ from bip32.public');
  if (typeof p.messagePrefix !== 'string') throw invalid('messagePrefix', 'must be a string');
  if (typeof p.powLimit !== 'bigint' || p.powLimit <= 0n || p.powLimit >> 256n !== 0n) {
    throw invalid('powLimit', 'must be a bigint in (0, 2^256)');
  }
  if (p.powHash !== 'sha256d' && p.powHash !== 'scrypt') {
    throw invalid('powHash', "must be 'sha256d' or 'scrypt'");
  }
  if (typeof p.retarget !== 'object' || p.retarget === null)
    throw invalid('retarget', 'must be an object');
  checkPositiveInt(p.retarget.interval, 'retarget.interval');
  checkPositiveInt(p.retarget.targetTimespan, 'retarget.targetTimespan');
  checkFlag(p.retarget.noRetarget, 'retarget.noRetarget');
  checkFlag(p.retarget.allowMinDifficulty, 'retarget.allowMinDifficulty');

  if (typeof p.genesisHeader !== 'string' || !/^[0-9a-f]{160}$/.test(p.genesisHeader)) {
    throw invalid('genesisHeader', 'must be 160 lowercase hex characters (80 bytes)');
  }
  if (typeof p.genesisHash !== 'string' || !/^[0-9a-f]{64}$/.test(p.genesisHash)) {
    throw invalid('genesisHash', 'must be 64 lowercase hex characters (display order)');
  }
  const header = new Uint8Array(80);
  for (let i = 0; i < 80; i++)
    header[i] = Number.parseInt(p.genesisHeader.slice(2 * i, 2 * i + 2), 16);
  if (hashToDisplayHex(sha256d(header)) !== p.genesisHash) {
    throw invalid('genesisHash', 'must be the sha256d of genesisHeader in display order');
  }
  const bits = (header[72]! | (header[73]! << 8) | (header[74]! << 16) | (header[75]! << 24)) >>> 0;
  let target: bigint;
  try {
    target = bitsToTarget(bits);
  } catch {
    throw invalid('genesisHeader', 'has invalid bits');
  }
  if (target > p.powLimit) throw invalid('genesisHeader', 'claims a target above powLimit');

  return Object.freeze({
    name: p.name,
    bech32: p.bech32,
    pubKeyHash: p.pubKeyHash,
    scriptHash: p.scriptHash,
    wif: p.wif,
    bip32: Object.freeze({ public: p.bip32.public, private: p.bip32.private }),
    messagePrefix: p.messagePrefix,
    genesisHeader: p.genesisHeader,
    genesisHash: p.genesisHash,
    powLimit: p.powLimit,
    powHash: p.powHash,
    retarget: Object.freeze({
      interval: p.retarget.interval,
      targetTimespan: p.retarget.targetTimespan,
      noRetarget: p.retarget.noRetarget,
      allowMinDifficulty: p.retarget.allowMinDifficulty,
    }),
  });
}

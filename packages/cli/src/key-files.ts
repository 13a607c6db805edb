import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fromHex, MedanchorError } from '@medanchor/core';
import { x25519PublicKey } from '@medanchor/crypto';
import { inputError } from './usage-error.js';

/** An X25519 key file (`medanchor keys new --type x25519`): decrypts envelopes sealed to it. */
export interface X25519KeyFile {
  type: 'x25519';
  privateKey: string;
  publicKey: string;
}

/** A secp256k1 key file (`medanchor keys new --type secp256k1`): signs consents, funds anchors. */
export interface Secp256k1KeyFile {
  type: 'secp256k1';
  secretKey: string;
  /** BIP-340 x-only public key. */
  publicKey: string;
}

/** Any key file the CLI writes. */
export type KeyFile = X25519KeyFile | Secp256k1KeyFile;

const HEX32 = /^[0-9a-f]{64}$/;

/**
 * Writes a secret file readable only by its owner (mode 0600). Refuses to replace an
 * existing file unless `force`, so a key is never lost to a typo.
 */
export function writeSecretFile(path: string, value: unknown, force = false): void {
  if (!force && existsSync(path))
    throw new MedanchorError('CLI_EXISTS', `${path} exists; pass --force to replace it`);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

// A key file's JSON. A read failure keeps its cause (a path and an errno); a parse
// failure keeps none: JSON.parse quotes the text, and the text holds a secret key.
function parseKeyFileText(path: string, message: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw inputError(message, cause);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // fall through: same error, no cause
  }
  throw inputError(message);
}

/** Reads a key file of the given type. The message never includes the file's content. */
export function readKeyFile<T extends KeyFile['type']>(
  path: string,
  type: T,
): Extract<KeyFile, { type: T }> {
  const o = parseKeyFileText(
    path,
    `cannot read the key file ${path} (a JSON key file from \`medanchor keys new\`)`,
  );
  const secret = type === 'x25519' ? o['privateKey'] : o['secretKey'];
  if (o['type'] !== type || typeof secret !== 'string' || !HEX32.test(secret))
    throw inputError(
      `${path} is not ${type === 'x25519' ? 'an X25519' : 'a secp256k1'} key file (make one with \`medanchor keys new --type ${type}\`)`,
    );
  return o as unknown as Extract<KeyFile, { type: T }>;
}

/** Secret bytes of a key file. */
export function secretOf(key: KeyFile): Uint8Array {
  return fromHex(key.type === 'x25519' ? key.privateKey : key.secretKey);
}

/**
 * An X25519 public key given as 64 hex digits, or as the path of a key file (its
 * public part is used; a file with only `publicKey` works too, so keys can be shared).
 */
export async function recipientPublicKey(spec: string, cwd: string): Promise<Uint8Array> {
  if (HEX32.test(spec.toLowerCase())) return fromHex(spec.toLowerCase());
  const path = resolve(cwd, spec);
  const parsed = parseKeyFileText(
    path,
    `recipient "${spec}" is neither 64 hex digits nor a readable key file`,
  );
  if (
    typeof parsed['publicKey'] === 'string' &&
    HEX32.test(parsed['publicKey']) &&
    parsed['type'] !== 'secp256k1'
  )
    return fromHex(parsed['publicKey']);
  if (
    parsed['type'] === 'x25519' &&
    typeof parsed['privateKey'] === 'string' &&
    HEX32.test(parsed['privateKey'])
  )
    return x25519PublicKey(fromHex(parsed['privateKey']));
  throw inputError(`${spec} holds no X25519 public key`);
}

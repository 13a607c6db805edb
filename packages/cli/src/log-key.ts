import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeSignerKey,
  encodeVerifierKey,
  generateNoteKey,
  type NoteSignerKey,
  parseSignerKey,
} from '@medanchor/core';
import { writeSecretFile } from './key-files.js';
import { inputError } from './usage-error.js';

/** The log signing key file as `medanchor init` writes it (mode 0600). */
export interface LogKeyFile {
  type: 'medanchor/log-key';
  /** The signer key, Go sumdb/note format (`PRIVATE+KEY+...`). Secret. */
  skey: string;
  /** Its public verifier key (C2SP vkey), to publish. */
  vkey: string;
}

/** Where the log's checkpoint signing key lives: `<dataDir>/log-key.json`. */
export function logKeyPath(config: { dataDir: string }): string {
  return join(config.dataDir, 'log-key.json');
}

/**
 * Creates the log's signing key (named after the origin) and writes it, readable only by
 * its owner. Refuses to replace an existing key unless `force`.
 * @returns the key and its vkey.
 */
export function createLogKey(
  path: string,
  origin: string,
  force = false,
): { key: NoteSignerKey; vkey: string } {
  const key = generateNoteKey(origin);
  const vkey = encodeVerifierKey(key);
  const file: LogKeyFile = { type: 'medanchor/log-key', skey: encodeSignerKey(key), vkey };
  writeSecretFile(path, file, force);
  return { key, vkey };
}

/**
 * The log's signing key: the existing one when the file exists (never replaced here: a new
 * key is a key rotation, which auditors must be told about), else a new one named `origin`.
 */
export function ensureLogKey(
  path: string,
  origin: string,
): { key: NoteSignerKey; vkey: string; created: boolean } {
  const existing = readLogKey(path);
  if (existing !== undefined)
    return { key: existing, vkey: encodeVerifierKey(existing), created: false };
  return { ...createLogKey(path, origin), created: true };
}

/**
 * Reads the log's signing key, or `undefined` when the file does not exist (a data
 * directory from before signed checkpoints). Messages never include the key.
 * @throws MedanchorError `CLI_INPUT` for an unreadable or malformed file.
 */
export function readLogKey(path: string): NoteSignerKey | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // No cause: a JSON error quotes part of the text, which is a secret here.
    throw inputError(`cannot read the log key file ${path} (JSON written by \`medanchor init\`)`);
  }
  const o = parsed as Partial<LogKeyFile> | null;
  if (
    o === null ||
    typeof o !== 'object' ||
    o.type !== 'medanchor/log-key' ||
    typeof o.skey !== 'string'
  )
    throw inputError(`${path} is not a medanchor log key file`);
  try {
    return parseSignerKey(o.skey);
  } catch {
    throw inputError(`${path} holds no valid signer key (expected PRIVATE+KEY+<name>+<id>+<key>)`);
  }
}

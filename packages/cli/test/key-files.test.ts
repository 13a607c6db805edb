import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMedanchorError } from '@medanchor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readKeyFile, recipientPublicKey } from '../src/key-files.js';

const dir = mkdtempSync(join(tmpdir(), 'medanchor-key-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'ab'.repeat(32);

// Every message in an error and its cause chain, as a log would print them.
function messages(e: unknown): string {
  const parts: string[] = [];
  for (let x = e; x instanceof Error; x = (x as Error).cause)
    parts.push(x.message, String(x.stack));
  return parts.join('\n');
}

describe('key files', () => {
  it('a damaged key file is CLI_INPUT whose message and cause never quote the secret', async () => {
    const path = join(dir, 'damaged.json');
    // Not JSON (the secret lost its quotes): JSON.parse's own message quotes the text
    // around the error, which here is the secret.
    writeFileSync(path, `{"type":"secp256k1","secretKey":${SECRET}}`);
    let caught: unknown;
    try {
      readKeyFile(path, 'secp256k1');
    } catch (e) {
      caught = e;
    }
    expect(isMedanchorError(caught, 'CLI_INPUT')).toBe(true);
    expect(messages(caught)).not.toContain(SECRET.slice(0, 10));

    const recipient = await recipientPublicKey(path, dir).catch((e: unknown) => e);
    expect(isMedanchorError(recipient, 'CLI_INPUT')).toBe(true);
    expect(messages(recipient)).not.toContain(SECRET.slice(0, 10));
  });

  it('a missing key file keeps the file-system cause', () => {
    let caught: unknown;
    try {
      readKeyFile(join(dir, 'missing.json'), 'x25519');
    } catch (e) {
      caught = e;
    }
    expect(isMedanchorError(caught, 'CLI_INPUT')).toBe(true);
    expect(((caught as Error).cause as { code?: string }).code).toBe('ENOENT');
  });
});

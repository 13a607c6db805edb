import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NetworkParams } from '@medanchor/chain';
import { fromHex, toHex } from '@medanchor/core';
import { consentSignerForKey, generateX25519KeyPair } from '@medanchor/crypto';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { type KeyFile, readKeyFile, writeSecretFile } from '../key-files.js';
import { inputError, usageError } from '../usage-error.js';

// 32 random bytes are a valid secret key except with probability ~2^-128; retry then.
function randomSecp256k1Secret(): Uint8Array {
  for (;;) {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    try {
      consentSignerForKey(secret, 'bip340');
      return secret;
    } catch {
      // out of range: draw again
    }
  }
}

function publicParts(key: KeyFile, network: NetworkParams): Record<string, string> {
  if (key.type === 'x25519') return { type: 'x25519', publicKey: key.publicKey };
  const secret = fromHex(key.secretKey);
  const hrp = network.bech32;
  return {
    type: 'secp256k1',
    publicKey: key.publicKey,
    p2tr: (consentSignerForKey(secret, 'p2tr', hrp) as { address: string }).address,
    p2wpkh: (consentSignerForKey(secret, 'p2wpkh', hrp) as { address: string }).address,
  };
}

export const keysNewCommand = defineCommand({
  path: ['keys', 'new'],
  summary: 'generate a key file: x25519 (receive envelopes) or secp256k1 (sign consents)',
  usage: '',
  description:
    'Writes a fresh key to a JSON file readable only by you (mode 0600) and prints its public part. Share the public key (or `medanchor keys show --public` output); keep the file secret.',
  options: [
    {
      name: 'type',
      type: 'string',
      value: '<x25519|secp256k1>',
      description: 'key type (default x25519)',
    },
    {
      name: 'out',
      type: 'string',
      short: 'o',
      value: '<file>',
      description: 'key file to write (required)',
    },
    { name: 'force', type: 'boolean', description: 'replace an existing file' },
  ],
  examples: [
    ['medanchor keys new --type x25519 -o dr-lind.key.json', "a clinician's decryption key"],
    ['medanchor keys new --type secp256k1 -o patient.key.json', "a patient's consent signing key"],
  ],
  arity: [0, 0],
  async run({ args, config, out, io }) {
    const type = args.values['type'] ?? 'x25519';
    const target = args.values['out'];
    if (target === undefined)
      throw usageError('--out <file> is required (where to write the secret key)');
    let key: KeyFile;
    if (type === 'x25519') {
      const pair = await generateX25519KeyPair();
      key = { type, privateKey: toHex(pair.privateKey), publicKey: toHex(pair.publicKey) };
    } else if (type === 'secp256k1') {
      const secret = randomSecp256k1Secret();
      const signer = consentSignerForKey(secret, 'bip340') as { publicKey: string };
      key = { type, secretKey: toHex(secret), publicKey: signer.publicKey };
    } else {
      throw usageError('--type is x25519 or secp256k1');
    }
    const path = resolve(io.cwd, target);
    writeSecretFile(path, key, args.values['force'] === true);
    const pub = publicParts(key, config.network);
    out.result({ ok: true, file: path, ...pub }, [
      `wrote ${path} (secret, mode 0600)`,
      ...Object.entries(pub).map(([k, v]) => `${k}: ${v}`),
    ]);
    return EXIT_OK;
  },
});

export const keysShowCommand = defineCommand({
  path: ['keys', 'show'],
  summary: 'print the public parts of a key file (never the secret)',
  usage: '<keyfile>',
  options: [],
  examples: [['medanchor keys show dr-lind.key.json', 'the public key to encrypt for']],
  arity: [1, 1],
  async run({ args, config, out, io }) {
    const path = resolve(io.cwd, args.positionals[0]!);
    let type: unknown;
    try {
      type = (JSON.parse(readFileSync(path, 'utf8')) as { type?: unknown }).type;
    } catch (cause) {
      throw inputError(`cannot read the key file ${path}`, cause);
    }
    if (type !== 'x25519' && type !== 'secp256k1')
      throw inputError(`${path} is not a medanchor key file`);
    const pub = publicParts(readKeyFile(path, type), config.network);
    out.result(
      { ok: true, file: path, ...pub },
      Object.entries(pub).map(([k, v]) => `${k}: ${v}`),
    );
    return EXIT_OK;
  },
});

import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { open, seal } from '@medanchor/crypto';
import { stringList } from '../args.js';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { readKeyFile, recipientPublicKey, secretOf } from '../key-files.js';
import { inputError, usageError } from '../usage-error.js';

/** File extension of medanchor envelopes written by `encrypt`. */
export const ENVELOPE_EXTENSION = '.menv';

async function pipeToFile(stream: ReadableStream<Uint8Array>, path: string): Promise<void> {
  try {
    await stream.pipeTo(Writable.toWeb(createWriteStream(path, { mode: 0o600 })));
  } catch (e) {
    // Never leave a partial plaintext or envelope behind.
    rmSync(path, { force: true });
    throw e;
  }
}

function readStream(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
}

function checkReadable(path: string): void {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // reported below
  }
  if (!isFile) throw inputError(`cannot read ${path}: no such file`);
}

export const encryptCommand = defineCommand({
  path: ['encrypt'],
  summary: 'encrypt a file for one or more recipients (HPKE-wrapped key, streaming AEAD)',
  usage: '<file>',
  description:
    "Seals the file into a medanchor envelope (docs/spec/envelope.md): a fresh data key encrypts the content in 64 KiB chunks, and the key is wrapped for each recipient's X25519 public key with HPKE (RFC 9180). The record id, version and media type are bound into the authenticated header. Streams: any size, constant memory.",
  options: [
    {
      name: 'to',
      type: 'string',
      multiple: true,
      value: '<key>',
      description: 'recipient: 64 hex digits or a key file (at least one)',
    },
    {
      name: 'out',
      type: 'string',
      short: 'o',
      value: '<file>',
      description: `output (default <file>${ENVELOPE_EXTENSION})`,
    },
    {
      name: 'record-id',
      type: 'string',
      value: '<id>',
      description: 'record identifier bound to the envelope (default: the file name)',
    },
    {
      name: 'record-version',
      type: 'string',
      value: '<v>',
      description: 'record version (default 1)',
    },
    {
      name: 'content-type',
      type: 'string',
      value: '<type>',
      description:
        'media type (default application/octet-stream; .json files application/fhir+json)',
    },
  ],
  examples: [
    [
      'medanchor encrypt --to dr-lind.pub.json obs-17.json',
      'writes obs-17.json.menv for one clinician',
    ],
    [
      'medanchor encrypt --to 5f3c...e1 --to patient.key.json -o out.menv scan.pdf',
      'two recipients',
    ],
  ],
  arity: [1, 1],
  async run({ args, out, io }) {
    const input = resolve(io.cwd, args.positionals[0]!);
    const to = stringList(args.values['to']);
    if (to.length === 0)
      throw usageError('give at least one recipient with --to <public key or key file>');
    const recipients = await Promise.all(to.map((t) => recipientPublicKey(t, io.cwd)));
    checkReadable(input);
    const target = resolve(io.cwd, args.values['out'] ?? `${input}${ENVELOPE_EXTENSION}`);
    const context = {
      recordId: args.values['record-id'] ?? basename(input),
      version: args.values['record-version'] ?? '1',
      contentType:
        args.values['content-type'] ??
        (input.endsWith('.json') ? 'application/fhir+json' : 'application/octet-stream'),
    };
    const sealed = await seal(readStream(input), { recipients, context });
    await pipeToFile(sealed, target);
    out.result({ ok: true, envelope: target, recipients: recipients.length, context }, [
      `wrote ${target} for ${recipients.length} recipient(s)`,
    ]);
    return EXIT_OK;
  },
});

export const decryptCommand = defineCommand({
  path: ['decrypt'],
  summary: 'decrypt an envelope with your X25519 key file',
  usage: '<envelope>',
  description:
    'Opens an envelope written by `encrypt` (or the crypto package). Every chunk is authenticated before it is written; a tampered or truncated envelope fails and the partial output is removed.',
  options: [
    {
      name: 'key',
      type: 'string',
      short: 'k',
      value: '<keyfile>',
      description: 'your x25519 key file (required)',
    },
    {
      name: 'out',
      type: 'string',
      short: 'o',
      value: '<file>',
      description: `output (default: the envelope name without ${ENVELOPE_EXTENSION})`,
    },
    {
      name: 'expect-record-id',
      type: 'string',
      value: '<id>',
      description: 'fail unless the envelope is for this record id',
    },
  ],
  examples: [['medanchor decrypt --key dr-lind.key.json obs-17.json.menv', 'writes obs-17.json']],
  arity: [1, 1],
  async run({ args, out, io }) {
    const input = resolve(io.cwd, args.positionals[0]!);
    const keyPath = args.values['key'];
    if (keyPath === undefined) throw usageError('--key <keyfile> is required');
    const key = readKeyFile(resolve(io.cwd, keyPath), 'x25519');
    checkReadable(input);
    const defaultOut = input.endsWith(ENVELOPE_EXTENSION)
      ? input.slice(0, -ENVELOPE_EXTENSION.length)
      : `${input}.out`;
    const target = resolve(io.cwd, args.values['out'] ?? defaultOut);
    const expect = args.values['expect-record-id'];
    const opened = await open(
      readStream(input),
      secretOf(key),
      expect === undefined ? {} : { expectContext: { recordId: expect } },
    );
    await pipeToFile(opened.payload, target);
    out.result({ ok: true, file: target, context: opened.context }, [
      `wrote ${target} (record ${opened.context.recordId}, version ${opened.context.version}, ${opened.context.contentType})`,
    ]);
    return EXIT_OK;
  },
});

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  encodeSignerKey,
  encodeVerifierKey,
  generateWitnessKey,
  NOTE_TYPE_COSIGNATURE_V1,
  type NoteSignerKey,
  parseSignerKey,
  parseVerifierKey,
  toVerifierKey,
} from '@medanchor/core';
import {
  createWitness,
  createWitnessServer,
  openWitnessState,
  type WitnessedLog,
} from '@medanchor/server/witness';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { writeSecretFile } from '../key-files.js';
import { inputError, usageError } from '../usage-error.js';

/** The witness key file (mode 0600), like the log's `log-key.json`. */
interface WitnessKeyFile {
  type: 'medanchor/witness-key';
  /** Signer key, Go sumdb/note text form (`PRIVATE+KEY+...`, type 0x04). Secret. */
  skey: string;
  /** The cosignature/v1 vkey to give logs and verifiers. */
  vkey: string;
}

function parseListen(value: unknown): { host: string; port: number } {
  const text = typeof value === 'string' ? value : '127.0.0.1:8090';
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = m === null ? Number.NaN : Number(m[2]);
  if (m === null || !(port >= 0 && port <= 65535))
    throw usageError('--listen takes <host>:<port>, e.g. 127.0.0.1:8090 (port 0 picks a free one)');
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Reads the witness key, or makes one (named `name`) when the file does not exist. */
function witnessKey(path: string, name: string): { key: NoteSignerKey; created: boolean } {
  if (!existsSync(path)) {
    const key = generateWitnessKey(name);
    mkdirSync(dirname(path), { recursive: true });
    const file: WitnessKeyFile = {
      type: 'medanchor/witness-key',
      skey: encodeSignerKey(key),
      vkey: encodeVerifierKey(key),
    };
    writeSecretFile(path, file);
    return { key, created: true };
  }
  let o: Partial<WitnessKeyFile> | null;
  try {
    o = JSON.parse(readFileSync(path, 'utf8')) as Partial<WitnessKeyFile> | null;
  } catch {
    // No cause: a JSON error quotes the text, which holds the secret key.
    throw inputError(`cannot read the witness key file ${path}`);
  }
  let key: NoteSignerKey | undefined;
  try {
    key = o?.type === 'medanchor/witness-key' ? parseSignerKey(String(o.skey)) : undefined;
  } catch {
    key = undefined;
  }
  if (key === undefined || key.type !== NOTE_TYPE_COSIGNATURE_V1)
    throw inputError(`${path} is not a medanchor witness key file (type 0x04 signer key)`);
  return { key, created: false };
}

/** The logs to witness: `--log <vkey>` (origin = key name) and `--logs <file>`. */
function witnessedLogs(values: Record<string, unknown>, cwd: string): WitnessedLog[] {
  const logs: WitnessedLog[] = [];
  const flags = values['log'];
  for (const vkey of Array.isArray(flags) ? flags : flags === undefined ? [] : [flags]) {
    let name: string;
    try {
      const k = parseVerifierKey(String(vkey));
      if (k.type !== 0x01) throw new Error('type');
      name = k.name;
    } catch {
      throw usageError('--log takes a log vkey (type 0x01), as `medanchor init` prints it');
    }
    logs.push({ origin: name, vkeys: [String(vkey)] });
  }
  const file = values['logs'];
  if (typeof file === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(resolve(cwd, file), 'utf8'));
    } catch (e) {
      throw inputError(`cannot read the logs file ${file} as JSON`, e);
    }
    if (!Array.isArray(parsed))
      throw inputError(`${file} must be a JSON array of {"origin", "vkeys": [...]}`);
    logs.push(...(parsed as WitnessedLog[]));
  }
  if (logs.length === 0)
    throw usageError('name the logs to witness: --log <log vkey> (repeatable) or --logs <file>');
  return logs;
}

export const witnessCommand = defineCommand({
  path: ['witness'],
  summary: 'run a witness: cosign the checkpoints of logs after checking they only grew',
  usage: '',
  description:
    'Runs a C2SP tlog-witness over HTTP: POST /add-checkpoint takes a log checkpoint with a consistency proof from the last one this witness cosigned and answers a timestamped cosignature (cosignature/v1); a fork, a rollback or a bad proof is refused (409/422) and never cosigned. GET /<sha256 of the origin>/checkpoint serves the latest cosigned checkpoint to monitors. The witness key is made on first start (0600, --key) and the last checkpoint per log is kept in --state, replaced atomically. Give its vkey to the logs (config "witnesses") and to verifiers (trust.witnesses). Stop with Ctrl-C.',
  options: [
    {
      name: 'listen',
      type: 'string',
      value: '<host:port>',
      description: 'address to listen on (default 127.0.0.1:8090; port 0 picks a free one)',
    },
    {
      name: 'log',
      type: 'string',
      multiple: true,
      value: '<vkey>',
      description: "a log to witness, by its vkey (the key's name is the origin); repeatable",
    },
    {
      name: 'logs',
      type: 'string',
      value: '<file>',
      description: 'JSON array of logs to witness: [{"origin", "vkeys": [<vkey>, ...]}]',
    },
    {
      name: 'key',
      type: 'string',
      value: '<file>',
      description: 'the witness key file (default <data dir>/witness-key.json; made if absent)',
    },
    {
      name: 'name',
      type: 'string',
      value: '<name>',
      description:
        'name of a new witness key, e.g. witness.example/w1 (default <hostname>/witness)',
    },
    {
      name: 'state',
      type: 'string',
      value: '<dir>',
      description:
        'where the last cosigned checkpoint of each log is kept (default <data dir>/witness)',
    },
  ],
  examples: [
    [
      'medanchor witness --listen 127.0.0.1:8090 --log clinic.example/ledger+1a2b3c4d+AQ...',
      'witness one log',
    ],
    ['medanchor witness --logs logs.json --name witness.example/w1 --json', 'several logs; JSON'],
  ],
  arity: [0, 0],
  async run({ args, config, out, io }) {
    const { host, port } = parseListen(args.values['listen']);
    const logs = witnessedLogs(args.values, io.cwd);
    const keyPath = resolve(io.cwd, args.values['key'] ?? join(config.dataDir, 'witness-key.json'));
    const name = args.values['name'] ?? `${hostname()}/witness`;
    const { key, created } = witnessKey(keyPath, name);
    const vkey = encodeVerifierKey(toVerifierKey(key));
    const stateDir = resolve(io.cwd, args.values['state'] ?? join(config.dataDir, 'witness'));
    const state = await openWitnessState(stateDir);
    try {
      let witness: ReturnType<typeof createWitness>;
      try {
        witness = createWitness({
          key,
          logs,
          state,
          onEvidence: (origin, reason) =>
            out.info(
              `witness: refused a signed checkpoint of ${origin}: ${reason} (kept in ${stateDir}/evidence.jsonl)`,
            ),
        });
      } catch (e) {
        throw inputError((e as Error).message);
      }
      const server = createWitnessServer({
        witness,
        onError: (e) =>
          out.info(`witness: ${e instanceof Error ? e.message : 'unexpected failure'}`),
      });
      const bound = await server.listen(port, host);
      const origins = logs.map((l) => l.origin);
      out.result({ ok: true, url: bound.url, vkey, keyCreated: created, logs: origins }, [
        `witness ${key.name} at ${bound.url} for ${origins.join(', ')}; Ctrl-C to stop`,
        `vkey: ${vkey}${created ? ` (new key in ${keyPath})` : ''}`,
      ]);
      await new Promise<void>((done) => {
        if (io.signal === undefined || io.signal.aborted) return done();
        io.signal.addEventListener('abort', () => done(), { once: true });
      });
      await server.close();
      out.info('witness stopped');
      return EXIT_OK;
    } finally {
      await state.close();
    }
  },
});

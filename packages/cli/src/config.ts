import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type NetworkParams, networkByName, type WitnessConfig } from '@medanchor/chain';
import {
  isValidOrigin,
  MedanchorError,
  NOTE_TYPE_COSIGNATURE_V1,
  parseTrustPolicy,
  parseVerifierKey,
  type TrustPolicy,
} from '@medanchor/core';
import { checkCalendars } from './calendar-urls.js';
import type { ParsedArgs } from './command.js';
import { BACKEND_KEYS, CONFIG_KEYS, FEE_KEYS, refuseUnknownKeys } from './config-keys.js';
import type { CliIo } from './io.js';
import { describePlace, parseJsonText } from './json-text.js';
import { wholeNumber, wholeNumberWords } from './whole-number.js';

/** The default config file name, looked up in the working directory. */
export const CONFIG_FILE = 'medanchor.config.json';

/** A Bitcoin backend as written in the config file. */
export type BackendConfig =
  | { type: 'esplora'; url: string }
  | { type: 'core-rpc'; url: string; cookie?: string; user?: string; password?: string }
  | { type: 'electrum'; host: string; port: number; tls?: boolean; fingerprint256?: string };

/**
 * The config file (`medanchor.config.json`), every field optional. Relative paths are
 * relative to the file's directory. Secrets do not belong here: a Core RPC password
 * comes from `$MEDANCHOR_RPC_PASSWORD`, a funding key from the wallet file or
 * `$MEDANCHOR_FUNDING_WIF`.
 */
export interface ConfigFile {
  /** The log's origin, e.g. `clinic.example/records` (named in every checkpoint). */
  origin?: string;
  /** `mainnet`, `testnet4`, `signet` or `regtest`. */
  network?: string;
  /** Data directory (log, journal, receipts, anchor state). Default `.medanchor`. */
  dataDir?: string;
  /** The funding key file for anchoring. Default `<dataDir>/wallet.json`. */
  wallet?: string;
  /**
   * Where the ledger lives: a directory (the file store; default `<dataDir>/store`), or
   * a database URL such as `postgres://...`. Overridden by `$MEDANCHOR_STORE` and `--store`.
   */
  store?: string;
  /** The Bitcoin backend. */
  backend?: BackendConfig;
  /**
   * Several backends (operators), all asked at verification level 3; the first also serves
   * the other commands. Replaces `backend` when both are given.
   */
  backends?: BackendConfig[];
  /** How many of `backends` must show the block deep enough (default: all of them). */
  quorum?: number;
  /**
   * Fee bounds in sat/vB for anchor transactions, and with `dailyBudgetSats` a cap on the
   * satoshis committed to anchor fees within any 24 hours (past it anchors wait).
   */
  fee?: { minSatPerVb?: number; maxSatPerVb?: number; dailyBudgetSats?: number };
  /**
   * Rolling anchors (default false): at most one unconfirmed anchor transaction at a time;
   * a later checkpoint replaces it by RBF over the same coins and the earlier receipts are
   * carried to the checkpoint that confirms. Needs a wallet that signs (not watch-only).
   */
  rolling?: boolean;
  /**
   * How anchors commit to checkpoints: `"op_return"` (default: an OP_RETURN output) or
   * `"p2tr-tweak"` (no OP_RETURN: the change key is tweaked by the checkpoint digest,
   * docs/spec/anchor-taproot.md). The taproot mode needs a wallet file with `"xprv"`,
   * `"path"` and `"keyType": "p2tr"` (a fresh change key per anchor) and no `"rolling"`.
   */
  commitment?: 'op_return' | 'p2tr-tweak';
  /** Confirmations for level 3 verification and `upgrade --wait`. Default 6. */
  confirmations?: number;
  /**
   * Trust policy for `verify`: which verifier keys may sign which log's checkpoints, which
   * witnesses, how many must cosign (docs/spec/signed-note.md §7). Unset: signatures unchecked.
   */
  trust?: TrustPolicy;
  /**
   * Witnesses (C2SP tlog-witness) the log asks to cosign each checkpoint it seals:
   * `[{ "url": "https://witness.example/w1", "vkey": "<cosignature/v1 vkey>" }]`.
   */
  witnesses?: WitnessConfig[];
  /**
   * OpenTimestamps calendars given every checkpoint digest right after its seal, as a second
   * attestation beside the log's own anchor: `["https://a.pool.opentimestamps.org"]`
   * (https, or http to 127.0.0.1/localhost). Receipts carry each calendar's entry, pending
   * until `medanchor upgrade` finds its Bitcoin attestation; `ots export` writes both.
   */
  calendars?: string[];
  /**
   * Keep a head map (docs/spec/head-map.md): every seal signs, into the checkpoint, a map from
   * each record to its newest version, so `medanchor history prove` can show "no later
   * version up to checkpoint C". Default true for a log with a signing key (`init` makes
   * one); a log that had none gets it built from leaf 0 at its next seal. `false` turns it off.
   */
  headMap?: boolean;
}

/** Configuration after defaults, the file, the environment and the flags. */
export interface ResolvedConfig {
  /** The config file that was read, if any. */
  file?: string;
  /** Where the config file is or would be (`init` writes it there). */
  configPath: string;
  /** Log origin. */
  origin: string;
  /** Network parameters. */
  network: NetworkParams;
  /** Absolute data directory. */
  dataDir: string;
  /** Absolute wallet file path. */
  wallet: string;
  /** The store: an absolute directory, or a URL with a scheme (e.g. `postgres://...`); unset = the file store in the data directory. */
  store?: string;
  /** Backend, when one is configured (the first of `backends`). */
  backend?: BackendConfig;
  /** Every configured backend, asked together at level 3 (empty when none). */
  backends: BackendConfig[];
  /** Backends that must agree at level 3 (1 to `backends.length`). */
  quorum: number;
  /** Fee bounds, sat/vB. */
  fee: { minSatPerVb: number; maxSatPerVb: number };
  /** Satoshis anchors may spend on fees within any 24 hours, when capped. */
  dailyFeeBudget?: bigint;
  /** Whether anchors roll (one unconfirmed transaction, replaced by later checkpoints). */
  rolling: boolean;
  /** How anchors commit: an OP_RETURN output, or a taproot tweak of the change key. */
  commitment: 'op_return' | 'p2tr-tweak';
  /** Confirmations wanted. */
  confirmations: number;
  /** Trust policy for signed checkpoints, when configured. */
  trust?: TrustPolicy;
  /** Witnesses asked to cosign each seal (empty when none). */
  witnesses: WitnessConfig[];
  /** OpenTimestamps calendar URLs stamped at each seal (empty when none). */
  calendars: string[];
  /** Whether a signed log keeps a head map (default true; `"headMap": false` in the file). */
  headMap: boolean;
  /** `--json`. */
  json: boolean;
  /** `--quiet`. */
  quiet: boolean;
  /** Whether to draw progress bars. */
  progress: boolean;
}

/** Default origin of a log created by `medanchor init`. */
export const DEFAULT_ORIGIN = 'medanchor.local/records';

function configError(message: string): MedanchorError {
  return new MedanchorError('CLI_CONFIG', message);
}

function positiveInt(value: unknown, what: string): number {
  const n = wholeNumber(value, 1);
  if (n === undefined) throw configError(`${what} must be ${wholeNumberWords(1)}`);
  return n;
}

function checkBackend(b: unknown, where: string): BackendConfig {
  const o = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
  const keys = typeof o['type'] === 'string' ? BACKEND_KEYS[o['type']] : undefined;
  if (keys !== undefined) refuseUnknownKeys(o, keys, `${where}: backend`);
  const str = (k: string) =>
    typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined;
  if (o['type'] === 'esplora' && str('url')) return { type: 'esplora', url: str('url')! };
  if (o['type'] === 'core-rpc' && str('url')) {
    if (o['password'] !== undefined)
      throw configError(
        `${where}: keep the RPC password out of files; set $MEDANCHOR_RPC_PASSWORD`,
      );
    return {
      type: 'core-rpc',
      url: str('url')!,
      ...(str('cookie') ? { cookie: str('cookie')! } : {}),
      ...(str('user') ? { user: str('user')! } : {}),
    };
  }
  if (o['type'] === 'electrum' && str('host')) {
    return {
      type: 'electrum',
      host: str('host')!,
      port: positiveInt(o['port'], `${where}: backend.port`),
      ...(typeof o['tls'] === 'boolean' ? { tls: o['tls'] } : {}),
      ...(str('fingerprint256') ? { fingerprint256: str('fingerprint256')! } : {}),
    };
  }
  throw configError(
    `${where}: backend must be {"type":"esplora","url":...}, {"type":"core-rpc","url":...,"cookie"|"user":...} or {"type":"electrum","host":...,"port":...}`,
  );
}

function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw configError(`cannot read the config file ${path}`);
  }
  const json = parseJsonText(text);
  if (!json.ok)
    throw configError(`the config file ${path} is not valid JSON at ${describePlace(json.place)}`);
  const parsed = json.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw configError(`the config file ${path} must hold a JSON object`);
  const o = parsed as Record<string, unknown>;
  refuseUnknownKeys(o, CONFIG_KEYS, path);
  const fee = o['fee'];
  if (typeof fee === 'object' && fee !== null && !Array.isArray(fee))
    refuseUnknownKeys(fee as Record<string, unknown>, FEE_KEYS, `${path}: fee`);
  return parsed as ConfigFile;
}

/**
 * Resolves the configuration: built-in defaults, then the config file (`--config`,
 * `$MEDANCHOR_CONFIG` or `./medanchor.config.json` when present), then `MEDANCHOR_*`
 * environment variables, then flags.
 * @throws MedanchorError `CLI_CONFIG` naming the field at fault.
 */
export function resolveConfig(
  args: ParsedArgs,
  io: CliIo,
  options: { creating?: boolean } = {},
): ResolvedConfig {
  const env = io.env;
  const flag = (name: string) => {
    const v = args.values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const explicit = flag('config') ?? env['MEDANCHOR_CONFIG'];
  const path = resolve(io.cwd, explicit ?? CONFIG_FILE);
  if (explicit !== undefined && !existsSync(path) && options.creating !== true)
    throw configError(`the config file ${path} does not exist (run \`medanchor init\`)`);
  const file = existsSync(path) ? readConfigFile(path) : {};
  const base = existsSync(path) ? dirname(path) : io.cwd;
  const where = existsSync(path) ? path : 'configuration';

  const networkName = flag('network') ?? env['MEDANCHOR_NETWORK'] ?? file.network ?? 'regtest';
  let network: NetworkParams;
  try {
    network = networkByName(networkName);
  } catch {
    throw configError(`unknown network "${networkName}": use mainnet, testnet4, signet or regtest`);
  }

  const origin = env['MEDANCHOR_ORIGIN'] ?? file.origin ?? DEFAULT_ORIGIN;
  if (!isValidOrigin(origin))
    throw configError(`origin "${origin}" is not a valid log origin (see docs/spec/log.md)`);

  const dataDir = flag('data-dir')
    ? resolve(io.cwd, flag('data-dir')!)
    : env['MEDANCHOR_DATA_DIR']
      ? resolve(io.cwd, env['MEDANCHOR_DATA_DIR'])
      : resolve(base, file.dataDir ?? '.medanchor');
  const wallet = env['MEDANCHOR_WALLET']
    ? resolve(io.cwd, env['MEDANCHOR_WALLET'])
    : file.wallet !== undefined
      ? resolve(base, file.wallet)
      : resolve(dataDir, 'wallet.json');

  // A URL keeps its scheme; anything else is a directory, relative to where it was given.
  const storeFrom = (v: string, dir: string) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : resolve(dir, v);
  const store = flag('store')
    ? storeFrom(flag('store')!, io.cwd)
    : env['MEDANCHOR_STORE']
      ? storeFrom(env['MEDANCHOR_STORE'], io.cwd)
      : typeof file.store === 'string' && file.store !== ''
        ? storeFrom(file.store, base)
        : undefined;

  let backend = file.backend === undefined ? undefined : checkBackend(file.backend, where);
  if (backend?.type === 'core-rpc' && backend.cookie !== undefined)
    backend = { ...backend, cookie: resolve(base, backend.cookie) };
  if (env['MEDANCHOR_RPC_URL']) {
    backend = {
      type: 'core-rpc',
      url: env['MEDANCHOR_RPC_URL'],
      ...(env['MEDANCHOR_RPC_COOKIE']
        ? { cookie: resolve(io.cwd, env['MEDANCHOR_RPC_COOKIE']) }
        : {}),
      ...(env['MEDANCHOR_RPC_USER'] ? { user: env['MEDANCHOR_RPC_USER'] } : {}),
    };
  }
  if (backend?.type === 'core-rpc' && env['MEDANCHOR_RPC_PASSWORD'])
    backend = { ...backend, password: env['MEDANCHOR_RPC_PASSWORD'] };
  // Flags and environment name Esplora backends; they replace the file's backends.
  const esploraFlag = args.values['esplora'];
  const flagged = (Array.isArray(esploraFlag) ? esploraFlag : [esploraFlag]).filter(
    (u): u is string => typeof u === 'string' && u !== '',
  );
  const fromEnv = env['MEDANCHOR_ESPLORA_URL'];
  const esploras = flagged.length > 0 ? flagged : fromEnv ? [fromEnv] : [];
  let backends: BackendConfig[] = backend === undefined ? [] : [backend];
  if (Array.isArray(file.backends) && file.backends.length > 0 && !env['MEDANCHOR_RPC_URL'])
    backends = file.backends.map((b, i) => {
      const c = checkBackend(b, `${where}: backends[${i}]`);
      return c.type === 'core-rpc' && c.cookie !== undefined
        ? { ...c, cookie: resolve(base, c.cookie) }
        : c;
    });
  else if (file.backends !== undefined && !Array.isArray(file.backends))
    throw configError(`${where}: backends must be an array of backend objects`);
  if (esploras.length > 0) backends = esploras.map((url) => ({ type: 'esplora', url }));
  backend = backends[0];
  const quorum =
    file.quorum === undefined ? backends.length : positiveInt(file.quorum, `${where}: quorum`);
  if (backends.length > 0 && quorum > backends.length)
    throw configError(
      `${where}: quorum ${quorum} is more than the ${backends.length} backend(s) configured`,
    );

  const fee = {
    minSatPerVb: file.fee?.minSatPerVb ?? 1,
    maxSatPerVb: file.fee?.maxSatPerVb ?? (network.name === 'mainnet' ? 50 : 25),
  };
  if (!(fee.minSatPerVb > 0 && fee.maxSatPerVb >= fee.minSatPerVb))
    throw configError(`${where}: fee needs 0 < minSatPerVb <= maxSatPerVb`);
  const budget = file.fee?.dailyBudgetSats;
  const dailyFeeBudget =
    budget === undefined
      ? undefined
      : BigInt(positiveInt(budget, `${where}: fee.dailyBudgetSats (satoshis)`));
  if (file.rolling !== undefined && typeof file.rolling !== 'boolean')
    throw configError(`${where}: rolling must be true or false`);
  const rolling = file.rolling === true;
  const commitment = file.commitment ?? 'op_return';
  if (commitment !== 'op_return' && commitment !== 'p2tr-tweak')
    throw configError(`${where}: commitment must be "op_return" or "p2tr-tweak"`);
  if (rolling && commitment === 'p2tr-tweak')
    throw configError(
      `${where}: "rolling": true works with the op_return commitment only (a taproot-tweak anchor cannot be replaced by a later checkpoint): remove one of them`,
    );
  const confirmations = positiveInt(
    env['MEDANCHOR_CONFIRMATIONS'] ?? file.confirmations ?? 6,
    'confirmations',
  );

  let trust: TrustPolicy | undefined;
  if (file.trust !== undefined) {
    try {
      trust = parseTrustPolicy(file.trust);
    } catch (e) {
      throw configError(`${where}: trust: ${(e as Error).message}`);
    }
  }

  const witnesses = checkWitnesses(file.witnesses, where);
  const calendars = checkCalendars(file.calendars, where);
  if (file.headMap !== undefined && typeof file.headMap !== 'boolean')
    throw configError(`${where}: headMap must be true or false`);

  const json = args.values['json'] === true;
  const envProgress = env['MEDANCHOR_PROGRESS'];
  // Bars go to stderr, so they never spoil --json on stdout; only --progress asks for
  // them there, since scripts that read JSON rarely want them.
  const progress =
    args.values['no-progress'] === true || args.values['quiet'] === true
      ? false
      : args.values['progress'] === true
        ? true
        : json || envProgress === '0'
          ? false
          : envProgress === '1' || io.stderrIsTTY;
  return {
    ...(existsSync(path) ? { file: path } : {}),
    configPath: path,
    origin,
    network,
    dataDir,
    wallet,
    ...(store === undefined ? {} : { store }),
    ...(backend === undefined ? {} : { backend }),
    backends,
    quorum,
    fee,
    ...(dailyFeeBudget === undefined ? {} : { dailyFeeBudget }),
    rolling,
    commitment,
    confirmations,
    ...(trust === undefined ? {} : { trust }),
    witnesses,
    calendars,
    headMap: file.headMap !== false,
    json,
    quiet: args.values['quiet'] === true,
    progress,
  };
}

/** The `witnesses` of a config file: `[{ url, vkey }]`, each vkey a cosignature/v1 key. */
function checkWitnesses(value: unknown, where: string): WitnessConfig[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 64)
    throw configError(`${where}: witnesses must be an array of { "url", "vkey" } (at most 64)`);
  return value.map((w: unknown, i) => {
    const at = `${where}: witnesses[${i}]`;
    if (typeof w !== 'object' || w === null || Array.isArray(w))
      throw configError(`${at} must be { "url", "vkey" }`);
    refuseUnknownKeys(w as Record<string, unknown>, ['url', 'vkey'], at);
    const { url, vkey } = w as { url?: unknown; vkey?: unknown };
    if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))
      throw configError(`${at}.url must be an http(s) URL of the witness`);
    let type: number | undefined;
    try {
      type = parseVerifierKey(vkey as string).type;
    } catch {
      type = undefined;
    }
    if (type !== NOTE_TYPE_COSIGNATURE_V1)
      throw configError(
        `${at}.vkey must be the witness's cosignature/v1 vkey (type 0x04), as \`medanchor witness\` prints it`,
      );
    return { url, vkey: vkey as string };
  });
}

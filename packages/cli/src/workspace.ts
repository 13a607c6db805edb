import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  type Anchorer,
  type Backend,
  coreRpcBackend,
  createAnchorer,
  electrumBackend,
  esploraBackend,
  type FundingKey,
  fundingKey,
  fundingKeyFromSecret,
  type Ledger,
  openLedger,
} from '@medanchor/chain';
import {
  coreCookieFile,
  electrumSocketTransport,
  type FileReceiptStore,
  fileAnchorStateStore,
  fileReceiptStore,
} from '@medanchor/chain/node';
import { type Batcher, fromHex, MedanchorError, MerkleLog, openBatcher } from '@medanchor/core';
import { FileJournal, FileLogStore } from '@medanchor/core/node';
import type { BackendConfig, ResolvedConfig } from './config.js';

/** The funding wallet `medanchor init` writes (mode 0600). */
export interface WalletFile {
  type: 'medanchor/wallet';
  network: string;
  keyType: 'p2tr' | 'p2wpkh';
  secretKey: string;
}

// A batch is sealed by `medanchor seal`, never by size while stamping.
const NO_AUTO_SEAL = { maxRecords: 2 ** 40 };

/** Paths inside the data directory. */
export function dataPaths(dataDir: string) {
  return {
    journal: join(dataDir, 'journal.bin'),
    log: join(dataDir, 'log'),
    receipts: join(dataDir, 'receipts'),
    anchors: join(dataDir, 'anchors.json'),
    stamps: join(dataDir, 'stamps.jsonl'),
    lock: join(dataDir, 'lock'),
  };
}

/** The Bitcoin backend the configuration names. */
export function backendFor(config: ResolvedConfig): Backend {
  const b: BackendConfig | undefined = config.backend;
  if (b === undefined)
    throw new MedanchorError(
      'CLI_NO_BACKEND',
      'no Bitcoin backend is configured: pass --esplora <url>, set $MEDANCHOR_ESPLORA_URL, or add "backend" to medanchor.config.json',
    );
  if (b.type === 'esplora')
    return esploraBackend({
      url: b.url,
      ...(config.network.name === 'mainnet' ? {} : { fallbackFeeRate: 1 }),
    });
  if (b.type === 'core-rpc') {
    if (b.cookie !== undefined)
      return coreRpcBackend({ url: b.url, cookie: coreCookieFile(b.cookie) });
    if (b.user !== undefined && b.password !== undefined)
      return coreRpcBackend({ url: b.url, user: b.user, password: b.password });
    throw new MedanchorError(
      'CLI_CONFIG',
      'the core-rpc backend needs "cookie" (a .cookie file), or "user" with $MEDANCHOR_RPC_PASSWORD',
    );
  }
  return electrumBackend({
    transport: electrumSocketTransport({
      host: b.host,
      port: b.port,
      ...(b.tls === true
        ? { tls: b.fingerprint256 === undefined ? true : { fingerprint256: b.fingerprint256 } }
        : {}),
    }),
  });
}

/** The funding key: `$MEDANCHOR_FUNDING_WIF`, else the wallet file. */
export function loadFundingKey(config: ResolvedConfig, env: CliEnv): FundingKey {
  const wif = env['MEDANCHOR_FUNDING_WIF'];
  if (wif) return fundingKey({ wif, type: 'p2tr' }, config.network);
  if (!existsSync(config.wallet))
    throw new MedanchorError(
      'CLI_NO_WALLET',
      `no funding wallet at ${config.wallet}: run \`medanchor init\` or set $MEDANCHOR_FUNDING_WIF`,
    );
  let w: Partial<WalletFile>;
  try {
    w = JSON.parse(readFileSync(config.wallet, 'utf8')) as Partial<WalletFile>;
  } catch (cause) {
    throw new MedanchorError('CLI_NO_WALLET', `the wallet file ${config.wallet} cannot be read`, {
      cause,
    });
  }
  if (
    w.type !== 'medanchor/wallet' ||
    typeof w.secretKey !== 'string' ||
    !/^[0-9a-f]{64}$/.test(w.secretKey)
  )
    throw new MedanchorError('CLI_NO_WALLET', `${config.wallet} is not a medanchor wallet file`);
  if (w.network !== config.network.name)
    throw new MedanchorError(
      'CLI_NO_WALLET',
      `the wallet ${config.wallet} is for ${w.network}, the configuration for ${config.network.name}`,
    );
  return fundingKeyFromSecret(
    fromHex(w.secretKey),
    w.keyType === 'p2wpkh' ? 'p2wpkh' : 'p2tr',
    config.network,
  );
}

type CliEnv = Readonly<Record<string, string | undefined>>;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory's lock file: two commands writing one journal at once would
 * interleave their frames. A lock left by a dead process is taken over.
 */
function lockDataDir(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder))
        throw new MedanchorError(
          'CLI_BUSY',
          `another medanchor command (pid ${holder}) is using ${path.replace(/\/lock$/, '')}; wait for it to finish`,
        );
      rmSync(path, { force: true });
    }
  }
  throw new MedanchorError('CLI_BUSY', `cannot take the lock ${path}`);
}

/** A stamped file, as `stamps.jsonl` remembers it (so receipts can be written beside it). */
export interface StampEntry {
  leaf: number;
  path: string;
  digest: string;
}

/** Every stamp recorded in the data directory, by leaf index. */
export function readStamps(dataDir: string): Map<number, StampEntry> {
  const path = dataPaths(dataDir).stamps;
  const out = new Map<number, StampEntry>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as StampEntry;
      out.set(e.leaf, e);
    } catch {
      // A torn last line after a crash: that stamp is in the journal, only its path is lost.
    }
  }
  return out;
}

/** Appends stamps to `stamps.jsonl`. */
export function appendStamps(dataDir: string, entries: readonly StampEntry[]): void {
  if (entries.length === 0) return;
  appendFileSync(dataPaths(dataDir).stamps, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

/** Cuts a line torn by a crash off `stamps.jsonl`, so the next append starts a clean line. */
function repairStamps(path: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path);
  const end = text.lastIndexOf(10) + 1;
  if (end < text.length) truncateSync(path, end);
}

/** The data directory opened for stamping (no backend, no key needed). */
export interface StampingWorkspace {
  batcher: Batcher;
  close(): Promise<void>;
}

function openLog(config: ResolvedConfig) {
  const paths = dataPaths(config.dataDir);
  if (!existsSync(config.dataDir))
    throw new MedanchorError(
      'CLI_NOT_INITIALIZED',
      `no data directory at ${config.dataDir}: run \`medanchor init\` first (or pass --data-dir)`,
    );
  const release = lockDataDir(paths.lock);
  try {
    repairStamps(paths.stamps);
    mkdirSync(paths.log, { recursive: true });
    const store = FileLogStore.open(paths.log);
    const close = () => {
      store.close();
      release();
    };
    return { paths, close, journal: new FileJournal(paths.journal), log: new MerkleLog(store) };
  } catch (e) {
    release();
    throw e;
  }
}

/** Opens the log and journal to accept records. */
export async function openStamping(config: ResolvedConfig): Promise<StampingWorkspace> {
  const { close: closeLog, journal, log } = openLog(config);
  try {
    const batcher = await openBatcher({
      origin: config.origin,
      journal,
      log,
      policy: NO_AUTO_SEAL,
    });
    return {
      batcher,
      async close() {
        await batcher.close();
        closeLog();
      },
    };
  } catch (e) {
    closeLog();
    throw e;
  }
}

/** The data directory opened as a ledger: log, journal, receipts, anchorer, backend. */
export interface LedgerWorkspace {
  ledger: Ledger;
  anchorer: Anchorer;
  backend: Backend;
  receipts: FileReceiptStore;
  /** Errors the ledger met anchoring in the background (reported, not thrown). */
  errors: unknown[];
  close(): Promise<void>;
}

/** Opens the ledger: needs the backend and the funding key. */
export async function openWorkspaceLedger(
  config: ResolvedConfig,
  env: CliEnv,
): Promise<LedgerWorkspace> {
  const key = loadFundingKey(config, env);
  const backend = backendFor(config);
  const { paths, close: closeLog, journal, log } = openLog(config);
  try {
    const anchorer = await createAnchorer({
      backend,
      network: config.network,
      key,
      state: fileAnchorStateStore(paths.anchors),
      fee: config.fee,
    });
    const receipts = fileReceiptStore(paths.receipts);
    const errors: unknown[] = [];
    const ledger = await openLedger({
      origin: config.origin,
      journal,
      log,
      policy: NO_AUTO_SEAL,
      anchorer,
      network: config.network,
      receipts,
      onError: (e) => errors.push(e),
    });
    return {
      ledger,
      anchorer,
      backend,
      receipts,
      errors,
      async close() {
        await ledger.close();
        closeLog();
      },
    };
  } catch (e) {
    closeLog();
    throw e;
  }
}

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  type Backend,
  checkpointMapRoot,
  coreRpcBackend,
  electrumBackend,
  esploraBackend,
  type FundingKey,
  fundingKey,
  openLedger,
  type StoreLedger,
} from '@medanchor/chain';
import { coreCookieFile, electrumSocketTransport } from '@medanchor/chain/node';
import { type HeadMapStore, type LedgerStore, MedanchorError } from '@medanchor/core';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';
import type { BackendConfig, ResolvedConfig } from './config.js';
import { type DataDirUpgrade, needsDataDirUpgrade, upgradeDataDir } from './data-dir-upgrade.js';
import { logKeyPath, readLogKey } from './log-key.js';
import { StampBook } from './stamp-book.js';
import { fundingKeyOfWallet } from './wallet-file.js';

export type { WalletFile } from './wallet-file.js';

// A batch is sealed by `medanchor seal`, never by size while stamping.
const NO_AUTO_SEAL = { maxRecords: Number.MAX_SAFE_INTEGER };

/** Paths inside the data directory. */
export function dataPaths(dataDir: string) {
  return {
    /** The file store (unless `store` names another). */
    store: join(dataDir, 'store'),
    /** Stamped files and their receipts, relative to the project folder. */
    stamps: join(dataDir, 'stamps.jsonl'),
    /** Which anchor state of each checkpoint the receipts beside the files show. */
    beside: join(dataDir, 'beside.json'),
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(config.wallet, 'utf8'));
  } catch (cause) {
    throw new MedanchorError('CLI_NO_WALLET', `the wallet file ${config.wallet} cannot be read`, {
      cause,
    });
  }
  return fundingKeyOfWallet(parsed, config.wallet, config.network);
}

/** True when the key can anchor by taproot tweak: P2TR, signing in process, with change keys. */
function tweakCapable(key: FundingKey): boolean {
  return key.type === 'p2tr' && key.changeKey !== undefined && key.signer !== undefined;
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
 * Takes the data directory's lock file: two commands writing one file store at once
 * would fight over it. A lock left by a dead process is taken over.
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

/** A stamped file (absolute path), as receipt writers take it. */
export interface StampEntry {
  leaf: number;
  path: string;
  digest: string;
}

/** A store opened for the CLI. */
export interface OpenedStore {
  /** The store. */
  store: LedgerStore;
  /**
   * True when only one process may use it at a time (the file store): the CLI then
   * holds the data directory's lock and is always the sequencer.
   */
  exclusive: boolean;
  /** How to name it in messages (a path, or a URL without its password). */
  label: string;
  /** Opens the head map store that belongs with this store (same backups, same secret). */
  openHeadMap(): Promise<HeadMapStore>;
  /** The folder of the head map's files (file store only). */
  headMapDir?: string;
}

/** The folder of a file store's head map: inside the store, so one backup holds both. */
export function headMapDir(storeDir: string): string {
  return join(storeDir, 'head-map');
}

const POSTGRES_SCHEMES = ['postgres', 'postgresql'];

/** Store URL schemes the CLI knows (a plain path is the file store). */
export const STORE_SCHEMES = ['file', ...POSTGRES_SCHEMES];

/**
 * Opens the store the configuration names: nothing or a directory = the file store
 * (default `<dataDir>/store`); `file://<dir>` likewise; `postgres://` or `postgresql://`
 * the PostgreSQL store of `@medanchor/postgres` (shared: other processes may add and
 * sequence at the same time).
 * @throws MedanchorError `CLI_STORE_SCHEME` for a URL of another scheme (nothing is
 * opened or written), the store's own errors.
 */
export async function openStoreFor(config: ResolvedConfig): Promise<OpenedStore> {
  const url = config.store;
  const scheme = url === undefined ? undefined : /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme === undefined || scheme.toLowerCase() === 'file') {
    const dir =
      url === undefined
        ? dataPaths(config.dataDir).store
        : scheme === undefined
          ? url
          : decodeURIComponent(new URL(url).pathname);
    return {
      store: await openFileLedgerStore(dir, { origin: config.origin }),
      exclusive: true,
      label: dir,
      openHeadMap: () => openFileHeadMapStore(headMapDir(dir)),
      headMapDir: headMapDir(dir),
    };
  }
  if (url !== undefined && POSTGRES_SCHEMES.includes(scheme.toLowerCase())) {
    // Loaded only when asked for: the file store needs no database client.
    const { openPostgresHeadMapStore, openPostgresLedgerStore, parseStoreUrl } = await import(
      '@medanchor/postgres'
    );
    const at = parseStoreUrl(url);
    return {
      store: await openPostgresLedgerStore({ url, origin: config.origin }),
      exclusive: false,
      label: `postgres://${at.host}:${at.port}/${at.database}`,
      openHeadMap: () => openPostgresHeadMapStore({ url, origin: config.origin }),
    };
  }
  throw new MedanchorError(
    'CLI_STORE_SCHEME',
    `the store URL scheme "${scheme}:" is not known: use a directory path (the file store)${STORE_SCHEMES.filter(
      (s) => s !== 'file',
    )
      .map((s) => ` or ${s}://...`)
      .join('')}`,
    { details: { scheme, accepted: STORE_SCHEMES.join(', ') } },
  );
}

/**
 * Refuses to open a file store's head map whose secret is gone while a signed checkpoint
 * carries a map root: opening would make a new secret, under which no seal can continue.
 */
async function refuseLostHeadMap(store: LedgerStore, dir: string | undefined): Promise<void> {
  if (dir === undefined || existsSync(join(dir, 'secret'))) return;
  const latest = await store.latestCheckpoint();
  if (latest === undefined || checkpointMapRoot(latest) === undefined) return;
  throw new MedanchorError(
    'CLI_HEAD_MAP_MISSING',
    `the head map (${dir}) is missing but checkpoints sign one: restore it from a backup, then run \`medanchor head-map check\``,
  );
}

/** A head map store that refuses everything: what a command that never seals gets. */
function refusingHeadMap(): HeadMapStore {
  const refuse = async (): Promise<never> => {
    throw new MedanchorError(
      'CLI_HEAD_MAP_NOT_OPEN',
      'this command did not open the head map and must not seal: run `medanchor seal`',
    );
  };
  return { secret: new Uint8Array(32), get: refuse, getMany: refuse, put: refuse };
}

/** The data directory opened on its store: the ledger, the stamps, and (to anchor) a backend. */
export interface Workspace {
  /** The ledger on the store. */
  ledger: StoreLedger;
  /** The store itself. */
  store: LedgerStore;
  /** Stamped files and where their receipts go. */
  stamps: StampBook;
  /** The backend, when opened for anchoring. */
  backend?: Backend;
  /** The funding address, when opened for anchoring. */
  address?: string;
  /** Set when this open upgraded a data directory of an earlier release. */
  upgraded?: DataDirUpgrade;
  /** False when other processes may sequence too (only then can a leaf be unknown yet). */
  exclusive: boolean;
  /**
   * True when the ledger keeps a head map (a signed log without `"headMap": false`,
   * opened with `headMap: true`): each seal signs the map's root into the checkpoint and
   * `ledger.headProof` works.
   */
  headMap: boolean;
  /** Opens the head map store of this store (for `head-map check` and `rebuild`). */
  openHeadMap(): Promise<HeadMapStore>;
  /** The folder of the head map's files (file store only). */
  headMapDir?: string;
  close(): Promise<void>;
}

/** Earlier name of {@link Workspace}. */
export type LedgerWorkspace = Workspace;

/**
 * Opens the data directory: takes its lock (file store), upgrades a data directory of
 * an earlier release in place, opens the store and the ledger on it. With `anchoring`
 * it also loads the funding key and the backend (seal, anchor, upgrade need them).
 * @throws MedanchorError `CLI_NOT_INITIALIZED`, `CLI_BUSY`, `CLI_STORE_SCHEME`,
 * `CLI_UPGRADE`, `CLI_NO_WALLET`, `CLI_NO_BACKEND`, `CLI_HEAD_MAP_MISSING`, the store's errors.
 */
export async function openWorkspace(
  config: ResolvedConfig,
  env: CliEnv,
  options: {
    anchoring: boolean;
    /**
     * Open the head map too (commands that seal or prove: seal, serve, history, consent
     * status). Without it, a ledger that keeps a map refuses to seal
     * (`CLI_HEAD_MAP_NOT_OPEN`). With it, a file store whose map secret is gone while
     * checkpoints sign a map is refused (`CLI_HEAD_MAP_MISSING`) before anything is written.
     */
    headMap?: boolean;
    onError?: (error: unknown) => void;
  },
): Promise<Workspace> {
  if (!existsSync(config.dataDir))
    throw new MedanchorError(
      'CLI_NOT_INITIALIZED',
      `no data directory at ${config.dataDir}: run \`medanchor init\` first (or pass --data-dir)`,
    );
  const key = options.anchoring ? loadFundingKey(config, env) : undefined;
  // Said here in the CLI's words: the anchorer's own refusal names options, not the wallet.
  if (config.rolling && key !== undefined && key.signer === undefined)
    throw new MedanchorError(
      'CLI_CONFIG',
      `${config.file ?? 'configuration'}: "rolling": true needs a wallet that signs; ${config.wallet} is watch-only (its anchors are signed elsewhere, one transaction per checkpoint): remove "rolling" or use a wallet with its secret key`,
    );
  if (config.commitment === 'p2tr-tweak' && key !== undefined && !tweakCapable(key))
    throw new MedanchorError(
      'CLI_CONFIG',
      `${config.file ?? 'configuration'}: "commitment": "p2tr-tweak" needs a wallet that derives a fresh change key per anchor; ${config.wallet} must hold "xprv" and "path" with "keyType": "p2tr"`,
    );
  const backend = options.anchoring ? backendFor(config) : undefined;
  const paths = dataPaths(config.dataDir);
  const fileStore = config.store === undefined || !/^[a-z][a-z0-9+.-]*:\/\//i.test(config.store);
  const release = fileStore ? lockDataDir(paths.lock) : () => {};
  let store: LedgerStore | undefined;
  let headMap: HeadMapStore | undefined;
  try {
    let upgraded: DataDirUpgrade | undefined;
    if (config.store !== undefined && needsDataDirUpgrade(config.dataDir))
      throw new MedanchorError(
        'CLI_UPGRADE',
        `${config.dataDir} was written by medanchor 0.0.0: run one command without --store (and without "store" in the config) to upgrade it into its own store first`,
      );
    if (config.store === undefined) {
      upgraded = await upgradeDataDir(config.dataDir, config.origin, (dir) =>
        openFileLedgerStore(dir, { origin: config.origin }),
      );
    }
    const opened = await openStoreFor(config);
    store = opened.store;
    const stamps = new StampBook(config.dataDir, { repair: opened.exclusive });
    // Data directories from before signed checkpoints have no log key: they stay unsigned.
    const signer = readLogKey(logKeyPath(config));
    // A head map needs signed checkpoints (its root is a line of the signed note). A log
    // that had none gets it built from leaf 0 by its next seal, once.
    const mapped = signer !== undefined && config.headMap;
    if (mapped && options.headMap === true) {
      await refuseLostHeadMap(store, opened.headMapDir);
      headMap = await opened.openHeadMap();
    }
    const ledger = await openLedger({
      store,
      ...(signer === undefined ? {} : { signer }),
      // A command that did not open the map gets one that refuses every read and write:
      // should it ever seal, the seal stops with a typed error instead of signing no map.
      ...(headMap !== undefined
        ? { headMap: { store: headMap } }
        : mapped
          ? { headMap: { store: refusingHeadMap() } }
          : {}),
      ...(signer === undefined || config.witnesses.length === 0
        ? {}
        : { witnesses: config.witnesses }),
      ...(config.calendars.length === 0 ? {} : { calendars: config.calendars }),
      ...(key === undefined || backend === undefined
        ? {}
        : {
            anchorer: {
              backend,
              network: config.network,
              key,
              fee: config.fee,
              ...(config.rolling ? { rolling: true } : {}),
              ...(config.commitment === 'p2tr-tweak' ? { commitment: 'p2tr-tweak' as const } : {}),
              ...(config.dailyFeeBudget === undefined
                ? {}
                : { feeBudget: { satsPerDay: config.dailyFeeBudget } }),
            },
          }),
      policy: NO_AUTO_SEAL,
      pollMs: 0,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
      // Under the lock one CLI process at a time: a fixed owner lets the next command
      // take over at once from one that was killed.
      owner: opened.exclusive ? 'medanchor-cli' : `medanchor-cli@${hostname()}:${process.pid}`,
    });
    const s = store;
    const map = headMap;
    return {
      ledger,
      store: s,
      stamps,
      ...(backend === undefined ? {} : { backend }),
      ...(key === undefined ? {} : { address: key.address }),
      ...(upgraded === undefined ? {} : { upgraded }),
      exclusive: opened.exclusive,
      headMap: map !== undefined,
      openHeadMap: opened.openHeadMap,
      ...(opened.headMapDir === undefined ? {} : { headMapDir: opened.headMapDir }),
      async close() {
        try {
          await ledger.close();
          if (opened.exclusive && stamps.needsCompaction) stamps.compact();
        } finally {
          await map?.close?.().catch(() => {});
          await s.close();
          release();
        }
      },
    };
  } catch (e) {
    await headMap?.close?.().catch(() => {});
    await store?.close().catch(() => {});
    release();
    throw e;
  }
}

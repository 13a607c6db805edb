import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fundingKeyFromSecret } from '@medanchor/chain';
import { isValidOrigin, MedanchorError, toHex } from '@medanchor/core';
import { defineCommand } from '../command.js';
import { type ConfigFile, DEFAULT_ORIGIN } from '../config.js';
import { DEVNET_DEFAULT_PORT } from '../devnet-port.js';
import { EXIT_OK } from '../exit-codes.js';
import { writeSecretFile } from '../key-files.js';
import { ensureLogKey, logKeyPath } from '../log-key.js';
import { usageError } from '../usage-error.js';
import { openStoreFor, type WalletFile } from '../workspace.js';

/**
 * The Esplora URL `medanchor devnet` listens on by default. When `devnet` takes another
 * port (`--port 0` or `--port <n>`), it rewrites this URL in the config file.
 */
export const DEVNET_DEFAULT_URL = `http://127.0.0.1:${DEVNET_DEFAULT_PORT}`;

/** The store as the config file keeps it: a URL without its password, a path relative to the file. */
function storeForFile(store: string, rel: (p: string) => string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(store)) return rel(store);
  if (new URL(store).password !== '')
    throw usageError(
      'keep the store password out of the config file: pass the URL in $MEDANCHOR_STORE instead of --store',
    );
  return store;
}

export const initCommand = defineCommand({
  path: ['init'],
  summary: 'create medanchor.config.json, the data directory and a funding wallet',
  usage: '',
  description:
    "Writes a config file in the working directory, creates the data directory, generates a funding key (wallet.json, mode 0600) whose address pays for anchor transactions, and the log's checkpoint signing key (log-key.json, mode 0600) whose verifier key it prints for auditors (docs/transparency.md). The log keeps a head map (config key headMap, default true; docs/spec/head-map.md): each signed checkpoint commits to every record's newest version, which `history prove` and `history verify` use. On regtest the default backend is the Esplora API of `medanchor devnet`, which funds this wallet when it starts.",
  options: [
    {
      name: 'origin',
      type: 'string',
      value: '<origin>',
      description: `log origin named in every checkpoint (default ${DEFAULT_ORIGIN})`,
    },
    {
      name: 'key-type',
      type: 'string',
      value: '<p2tr|p2wpkh>',
      description: 'funding address type (default p2tr)',
    },
    { name: 'force', type: 'boolean', description: 'replace an existing config file and wallet' },
  ],
  examples: [
    ['medanchor init', 'a regtest setup that talks to `medanchor devnet`'],
    [
      'medanchor init --network signet --esplora https://mempool.space/signet/api --origin clinic.example/records',
      'a signet setup',
    ],
  ],
  arity: [0, 0],
  async run({ args, config, out, io }) {
    const origin = args.values['origin'] ?? config.origin;
    if (!isValidOrigin(origin))
      throw usageError(`"${origin}" is not a valid log origin (e.g. clinic.example/records)`);
    const keyType = args.values['key-type'] ?? 'p2tr';
    if (keyType !== 'p2tr' && keyType !== 'p2wpkh')
      throw usageError('--key-type is p2tr or p2wpkh');
    const force = args.values['force'] === true;
    const configPath = config.configPath;
    if (existsSync(configPath) && !force)
      throw new MedanchorError('CLI_EXISTS', `${configPath} exists; pass --force to replace it`);

    const backend =
      config.backend ??
      (config.network.name === 'regtest'
        ? { type: 'esplora' as const, url: DEVNET_DEFAULT_URL }
        : undefined);
    const rel = (p: string) => relative(io.cwd, p) || '.';
    const file: ConfigFile = {
      origin,
      network: config.network.name,
      dataDir: rel(config.dataDir),
      ...(config.store === undefined ? {} : { store: storeForFile(config.store, rel) }),
      ...(backend === undefined ? {} : { backend }),
      fee: config.fee,
      confirmations: config.confirmations,
      // Written out so the setting is found; a config without it keeps a map too.
      headMap: config.headMap,
    };
    mkdirSync(config.dataDir, { recursive: true });
    // Created now (or checked: origin, layout version), before any file is written.
    await (await openStoreFor({ ...config, origin })).store.close();
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const key = fundingKeyFromSecret(secret, keyType, config.network);
    const wallet: WalletFile = {
      type: 'medanchor/wallet',
      network: config.network.name,
      keyType,
      secretKey: toHex(secret),
    };
    writeSecretFile(config.wallet, wallet, force);
    const logKeyFile = logKeyPath(config);
    // Kept across `init --force`: replacing it would be a key rotation auditors must hear of.
    const { vkey, created } = ensureLogKey(logKeyFile, origin);
    writeFileSync(configPath, `${JSON.stringify(file, null, 2)}\n`);
    const lines = [
      `wrote ${rel(configPath)} (origin ${origin}, ${config.network.name})`,
      `data directory ${rel(config.dataDir)}, funding wallet ${rel(config.wallet)} (keep it secret)`,
      `fund this address to pay for anchors: ${key.address}`,
      `log signing key ${rel(logKeyFile)}${created ? '' : ' (kept)'} (keep it secret); publish its verifier key for auditors:`,
      `  ${vkey}`,
      config.headMap
        ? "head map on: every checkpoint signs each record's newest version (`medanchor history prove <file>`)"
        : 'head map off ("headMap": false): checkpoints sign no record heads',
    ];
    if (config.network.name === 'regtest')
      lines.push(
        `next: run \`medanchor devnet\` in another terminal (it funds this wallet; \`--port 0\` if port ${DEVNET_DEFAULT_PORT} is taken, and this config follows), then \`medanchor stamp <files>\``,
      );
    if (backend === undefined)
      lines.push('no backend configured: add "backend" to the config or pass --esplora <url>');
    out.result(
      {
        ok: true,
        config: configPath,
        dataDir: config.dataDir,
        wallet: config.wallet,
        address: key.address,
        logKey: logKeyFile,
        vkey,
        network: config.network.name,
        origin,
        headMap: config.headMap,
      },
      lines,
    );
    return EXIT_OK;
  },
});

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type FundingKey, regtest } from '@medanchor/chain';
import { createDevnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { defineCommand } from '../command.js';
import { devnetPort, learnDevnetUrl, listenError } from '../devnet-port.js';
import { EXIT_OK } from '../exit-codes.js';
import { usageError } from '../usage-error.js';
import { loadFundingKey } from '../workspace.js';

function positive(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= min)) throw usageError(`--${name} takes a number >= ${min}`);
  return n;
}

export const devnetCommand = defineCommand({
  path: ['devnet'],
  summary: 'run a local regtest chain with an Esplora API on 127.0.0.1 (funds your wallet)',
  usage: '',
  description:
    "Starts medanchor's in-process regtest chain (real blocks, signature-checking mempool) and serves the Esplora HTTP API on 127.0.0.1, so every other command works against it as against a public explorer. On start it mines coins to the configured wallet (and any --fund wallet) and lets them mature; then it mines a block every --block-time. State lives in memory: restarting it starts a new chain. Stop with Ctrl-C.",
  options: [
    {
      name: 'port',
      type: 'string',
      value: '<port>',
      description:
        "TCP port (default: the config's devnet URL, else 3002; 0 picks a free one and the config learns it)",
    },
    {
      name: 'host',
      type: 'string',
      value: '<addr>',
      description: 'interface to listen on (default 127.0.0.1)',
    },
    {
      name: 'block-time',
      type: 'string',
      value: '<seconds>',
      description: 'mine a block this often (default 1; 0 never)',
    },
    {
      name: 'fund',
      type: 'string',
      multiple: true,
      value: '<wallet.json>',
      description: 'also fund this wallet file',
    },
    {
      name: 'seed',
      type: 'string',
      value: '<text>',
      description: 'deterministic block times and hashes',
    },
  ],
  examples: [
    ['medanchor devnet', 'the chain `medanchor init` is configured for'],
    [
      'medanchor devnet --port 0 --block-time 0.2 --json',
      'fast blocks on a free port; the URL as JSON',
    ],
  ],
  arity: [0, 0],
  async run({ args, config, out, io }) {
    if (config.network.name !== 'regtest')
      throw usageError(
        `devnet is a regtest chain; the configuration says ${config.network.name} (pass --network regtest)`,
      );
    const port = devnetPort(args.values['port'], config);
    const blockMs = positive(args.values['block-time'], 'block-time', 1) * 1000;
    const seed = args.values['seed'];
    const devnet = createDevnet(seed === undefined ? {} : { seed });

    const keys: FundingKey[] = [];
    if (existsSync(config.wallet) || io.env['MEDANCHOR_FUNDING_WIF'])
      keys.push(loadFundingKey(config, io.env));
    for (const w of args.values['fund'] ?? [])
      keys.push(loadFundingKey({ ...config, wallet: resolve(io.cwd, w), network: regtest }, {}));
    for (const key of keys) await devnet.test.mine(2, key.script);
    await devnet.test.mine(100); // coinbase maturity

    const host = args.values['host'] ?? '127.0.0.1';
    const server = await serveEsplora(devnet, { port, host }).catch((e: unknown) => {
      throw listenError(e, host, port);
    });
    const tip = await devnet.tip();
    // The config's backend follows the port actually taken, so other commands find it.
    const learned = learnDevnetUrl(config, server.url);
    out.result(
      {
        ok: true,
        url: server.url,
        height: tip.height,
        funded: keys.map((k) => k.address),
        ...(learned === undefined ? {} : { config: learned }),
      },
      [
        `devnet (regtest) Esplora API at ${server.url}, height ${tip.height}`,
        ...(learned === undefined ? [] : [`${learned} now points at ${server.url}`]),
        ...keys.map((k) => `funded ${k.address}`),
        blockMs > 0
          ? `mining a block every ${blockMs / 1000} s; Ctrl-C to stop`
          : 'not mining on its own; Ctrl-C to stop',
      ],
    );
    const timer = blockMs > 0 ? setInterval(() => void devnet.test.mine(1), blockMs) : undefined;
    await new Promise<void>((done) => {
      if (io.signal === undefined || io.signal.aborted) return done();
      io.signal.addEventListener('abort', () => done(), { once: true });
    });
    if (timer !== undefined) clearInterval(timer);
    await server.close();
    out.info('devnet stopped');
    return EXIT_OK;
  },
});

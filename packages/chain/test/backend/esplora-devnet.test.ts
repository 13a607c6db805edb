import { esploraBackend } from '../../src/backend/index.js';
import { createDevnet } from '../../src/devnet/index.js';
import { serveEsplora } from '../../src/node/index.js';
import { backendContract } from './contract.js';

// The Esplora backend over real HTTP on 127.0.0.1, against the devnet's Esplora server.
backendContract('esplora over HTTP against the devnet server', async () => {
  const devnet = createDevnet({ seed: 'contract esplora' });
  const server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
  const backend = esploraBackend({ url: server.url, timeoutMs: 5_000, retries: 1 });
  return { backend, test: devnet.test, close: server.close };
});

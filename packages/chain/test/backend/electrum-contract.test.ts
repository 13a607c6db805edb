// The shared Backend contract, run against the Electrum backend: our client over TCP to
// the test Electrum server on 127.0.0.1, which answers from a real litecoind.
import { describe, it } from 'vitest';
import { coreRpcBackend } from '../../src/backend/core-rpc.js';
import { electrumBackend } from '../../src/backend/electrum.js';
import { electrumClient } from '../../src/backend/electrum-client.js';
import { regtestControls } from '../../src/devnet/regtest-controls.js';
import { electrumSocketTransport } from '../../src/node/electrum-transport.js';
import { litecoindPath, startLitecoind } from '../node/litecoind.js';
import { backendContract } from './contract.js';
import { startElectrumServer } from './electrum-server.js';
import { litecoindElectrumHandler } from './electrum-server-litecoind.js';

if (litecoindPath()) {
  backendContract('electrum (TCP) against litecoind regtest', async () => {
    const node = await startLitecoind();
    const server = await startElectrumServer(litecoindElectrumHandler(node.rpc));
    const client = electrumClient({
      transport: electrumSocketTransport({ host: server.host, port: server.port }),
      timeoutMs: 20_000,
    });
    const backend = electrumBackend({ client });
    const core = coreRpcBackend({
      url: node.url,
      user: node.user,
      password: node.password,
    });
    return {
      backend,
      test: regtestControls(core),
      close: async () => {
        client.close();
        await server.close();
        await node.stop();
      },
    };
  });
} else {
  describe('Backend contract: electrum against litecoind regtest', () => {
    it.skip('needs litecoind (see the printed reason)', () => {});
  });
}

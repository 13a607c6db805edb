// The shared Backend contract, run against the Core RPC backend on a real litecoind.
import { describe, it } from 'vitest';
import { coreRpcBackend } from '../../src/backend/core-rpc.js';
import { regtestControls } from '../../src/devnet/regtest-controls.js';
import { litecoindPath, startLitecoind } from '../node/litecoind.js';
import { backendContract } from './contract.js';

if (litecoindPath()) {
  backendContract('core-rpc against litecoind regtest', async () => {
    const node = await startLitecoind();
    const backend = coreRpcBackend({
      url: node.url,
      user: node.user,
      password: node.password,
    });
    return { backend, test: regtestControls(backend), close: node.stop };
  });
} else {
  describe('Backend contract: core-rpc against litecoind regtest', () => {
    it.skip('needs litecoind (see the printed reason)', () => {});
  });
}

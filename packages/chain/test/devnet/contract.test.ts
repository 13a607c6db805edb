import { createDevnet } from '../../src/devnet/index.js';
import { backendContract } from '../backend/contract.js';

// The devnet itself, in process, keeps the Backend contract.
backendContract('devnet (in process)', async () => {
  const devnet = createDevnet({ seed: 'contract devnet' });
  return { backend: devnet, test: devnet.test };
});

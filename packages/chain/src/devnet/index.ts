export { createDevnet } from './devnet.js';
export type { ReplacementPolicy } from './mempool.js';
export { regtestControls } from './regtest-controls.js';
export type {
  Devnet,
  DevnetBlockInfo,
  DevnetControls,
  DevnetOptions,
  TestCapabilities,
} from './types.js';

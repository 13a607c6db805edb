export { createDevnet } from './devnet.js';
export type { ReplacementPolicy } from './mempool.js';
export type { Devnet, DevnetBlockInfo, DevnetControls, DevnetOptions } from './types.js';

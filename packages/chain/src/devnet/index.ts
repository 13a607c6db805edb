export {
  createDevnet,
  type Devnet,
  type DevnetBlockInfo,
  type DevnetControls,
  type DevnetOptions,
} from './devnet.js';
export type { ReplacementPolicy } from './mempool.js';

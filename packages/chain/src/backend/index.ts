export type {
  Backend,
  HeaderInfo,
  MerkleBranch,
  TestCapabilities,
  TxStatus,
  Utxo,
} from './types.js';

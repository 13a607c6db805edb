export { createWitnessServer, type WitnessServer, type WitnessServerOptions } from './http.js';
export {
  openWitnessState,
  originHash,
  type WitnessedCheckpoint,
  type WitnessState,
} from './state.js';
export {
  createWitness,
  type Witness,
  type WitnessAnswer,
  type WitnessedLog,
  type WitnessOptions,
} from './witness.js';

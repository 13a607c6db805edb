/**
 * @medanchor/server/witness: a C2SP tlog-witness. {@link createWitness} checks each
 * checkpoint a log submits against what the witness cosigned before (consistency proof,
 * same origin and key) and cosigns it; {@link createWitnessServer} answers the
 * `add-checkpoint` HTTP endpoint; {@link openWitnessState} keeps the state per log on disk.
 * Its own entry, so a log server that does not witness does not carry it.
 * Node only.
 *
 * @packageDocumentation
 */

// The witness's codes are server codes: exporting the type keeps their declaration merging
// into MedanchorErrorCode in this entry's declarations.
export type { ServerErrorCode } from './error-codes.js';
export {
  createWitness,
  createWitnessServer,
  openWitnessState,
  originHash,
  type Witness,
  type WitnessAnswer,
  type WitnessedCheckpoint,
  type WitnessedLog,
  type WitnessOptions,
  type WitnessServer,
  type WitnessServerOptions,
  type WitnessState,
} from './witness/index.js';

import { decodeSchedule } from './codec.js';
import { MAINNET_SCHEDULE } from './data/mainnet.js';
import { SIGNET_SCHEDULE } from './data/signet.js';
import { TESTNET4_SCHEDULE } from './data/testnet4.js';
import type { DifficultySchedule } from './types.js';

const PACKED: Readonly<Record<string, string>> = {
  mainnet: MAINNET_SCHEDULE,
  testnet4: TESTNET4_SCHEDULE,
  signet: SIGNET_SCHEDULE,
};
const decoded = new Map<string, DifficultySchedule>();

/**
 * The difficulty schedule bundled for a public network (`mainnet`, `testnet4`, `signet`),
 * decoded on first use; `undefined` for networks without one (regtest, devnet, custom).
 *
 * @example
 * ```ts
 * const s = bundledSchedule('mainnet');
 * console.log(scheduleEnd(s!)); // the last height level 2 can check offline
 * ```
 */
export function bundledSchedule(network: string): DifficultySchedule | undefined {
  const packed = Object.hasOwn(PACKED, network) ? PACKED[network] : undefined;
  if (packed === undefined) return undefined;
  let s = decoded.get(network);
  if (s === undefined) {
    s = decodeSchedule(network, packed);
    decoded.set(network, s);
  }
  return s;
}

/**
 * The least work (expected hashes) a header must carry on `network` by default: on mainnet
 * 2^64, far below any block above the anchor floor (about 2^79) and far above what a
 * laptop can mine; nothing on test networks, whose work proves nothing.
 */
export function defaultMinHeaderWork(network: string): bigint {
  return network === 'mainnet' ? 1n << 64n : 0n;
}

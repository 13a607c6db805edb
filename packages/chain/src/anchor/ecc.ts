import * as ecc from '@bitcoinerlab/secp256k1';
import { initEccLib } from 'bitcoinjs-lib';

let ready = false;

/**
 * Gives bitcoinjs-lib its elliptic-curve library (needed for taproot) on first use
 * rather than at import time, so importing the package has no side effects.
 */
export function ensureEccLib(): void {
  if (ready) return;
  initEccLib(ecc);
  ready = true;
}

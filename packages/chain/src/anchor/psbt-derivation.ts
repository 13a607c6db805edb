import type { Psbt } from 'bitcoinjs-lib';
import type { FundingKey } from './funding-key.js';

// BIP-174 and BIP-371 key-origin fields of the funding key, as bitcoinjs-lib's updateInput and
// updateOutput take them. A hardware wallet signs only inputs whose derivation it can follow
// from its own master key, and shows an output as change only when it can derive that too.

type InputUpdate = Parameters<Psbt['updateInput']>[1];
type OutputUpdate = Parameters<Psbt['updateOutput']>[1];

/**
 * The derivation fields of an input spending the funding key's own script:
 * `PSBT_IN_BIP32_DERIVATION` (0x06) for P2WPKH, `PSBT_IN_TAP_BIP32_DERIVATION` (0x16, key
 * path: no leaf hashes) for P2TR. `undefined` when the key's origin is unknown.
 */
export function fundingInputDerivation(key: FundingKey): InputUpdate | undefined {
  const origin = key.origin;
  if (origin === undefined) return undefined;
  const { masterFingerprint, path } = origin;
  if (key.type === 'p2wpkh')
    return { bip32Derivation: [{ masterFingerprint, path, pubkey: key.internalPublicKey }] };
  return {
    tapBip32Derivation: [
      { masterFingerprint, path, pubkey: key.internalPublicKey.subarray(1), leafHashes: [] },
    ],
  };
}

/**
 * The derivation fields of the change output paying the funding key's own script:
 * `PSBT_OUT_BIP32_DERIVATION` (0x02) for P2WPKH; for P2TR `PSBT_OUT_TAP_INTERNAL_KEY` (0x05)
 * and `PSBT_OUT_TAP_BIP32_DERIVATION` (0x07). `undefined` when the key's origin is unknown.
 */
export function fundingChangeDerivation(key: FundingKey): OutputUpdate | undefined {
  const origin = key.origin;
  if (origin === undefined) return undefined;
  const { masterFingerprint, path } = origin;
  if (key.type === 'p2wpkh')
    return { bip32Derivation: [{ masterFingerprint, path, pubkey: key.internalPublicKey }] };
  const xonly = key.internalPublicKey.subarray(1);
  return {
    tapInternalKey: xonly,
    tapBip32Derivation: [{ masterFingerprint, path, pubkey: xonly, leafHashes: [] }],
  };
}

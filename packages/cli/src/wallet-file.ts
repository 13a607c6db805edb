import {
  type FundingKey,
  fundingKey,
  fundingKeyFromSecret,
  type NetworkParams,
  watchOnlyFundingKey,
} from '@medanchor/chain';
import { fromHex, isMedanchorError, MedanchorError } from '@medanchor/core';

/**
 * The funding wallet file (mode 0600). `medanchor init` writes the first form; the others
 * are written by hand, with exactly one of `secretKey`, `publicKey`, `xprv`, `xpub`:
 *
 * - `secretKey`: a raw 32-byte secret (hex), signs in process;
 * - `publicKey`: its 33-byte compressed public key (hex), watch-only: anchors wait for a
 *   PSBT signed elsewhere (`medanchor anchor --psbt` / `--signed`);
 * - `xprv` and `path` (and optionally `changePath`): a BIP32 key that signs in process and
 *   derives a fresh change key per anchor, which the `"commitment": "p2tr-tweak"` mode needs;
 * - `xpub` and `path` (unhardened), with `masterFingerprint` and `xpubPath` (the key origin):
 *   watch-only, and the exported PSBTs carry BIP32 derivations for a hardware wallet.
 */
export interface WalletFile {
  type: 'medanchor/wallet';
  /** The network the key is for (`mainnet`, `testnet4`, `signet`, `regtest`). */
  network: string;
  /** Output type (default `p2tr`). */
  keyType: 'p2tr' | 'p2wpkh';
  secretKey?: string;
  publicKey?: string;
  xprv?: string;
  xpub?: string;
  /** The key's path below `xprv` or `xpub`, e.g. `m/86'/1'/0'/0/0` or `m/0/0`. */
  path?: string;
  /** With `xprv`: where taproot-tweak change keys are derived (default: the path's change chain). */
  changePath?: string;
  /** With `xpub`: the wallet's master key fingerprint, 8 hex digits. */
  masterFingerprint?: string;
  /** With `xpub`: the xpub's own path from the master key, e.g. `m/84'/1'/0'`. */
  xpubPath?: string;
}

const KEY_FIELDS = ['secretKey', 'publicKey', 'xprv', 'xpub'] as const;

function walletError(message: string): MedanchorError {
  return new MedanchorError('CLI_NO_WALLET', message);
}

const optionalString = (o: Record<string, unknown>, k: string) =>
  typeof o[k] === 'string' ? (o[k] as string) : undefined;

/**
 * The funding key a wallet file's JSON names. Messages name the file and the field, never
 * a key's value.
 * @throws MedanchorError `CLI_NO_WALLET` for a file that is not a medanchor wallet, a wallet
 * of another network or a key that does not parse.
 */
export function fundingKeyOfWallet(
  parsed: unknown,
  path: string,
  network: NetworkParams,
): FundingKey {
  const w = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >;
  // A secret key with its public key beside it (as some wallets were written) signs.
  const present = KEY_FIELDS.filter(
    (k) => w[k] !== undefined && !(k === 'publicKey' && w['secretKey'] !== undefined),
  );
  if (w['type'] !== 'medanchor/wallet' || present.length !== 1)
    throw walletError(
      `${path} is not a medanchor wallet file (it holds exactly one of ${KEY_FIELDS.join(', ')})`,
    );
  if (w['network'] !== network.name)
    throw walletError(
      `the wallet ${path} is for ${String(w['network'])}, the configuration for ${network.name}`,
    );
  const keyType = w['keyType'] === 'p2wpkh' ? 'p2wpkh' : 'p2tr';
  const field = present[0]!;
  const value = w[field];
  const keyPath = optionalString(w, 'path');
  try {
    if (field === 'secretKey' && typeof value === 'string' && /^[0-9a-f]{64}$/.test(value))
      return fundingKeyFromSecret(fromHex(value), keyType, network);
    if (field === 'publicKey' && typeof value === 'string' && /^0[23][0-9a-f]{64}$/.test(value))
      return watchOnlyFundingKey({ publicKey: fromHex(value), type: keyType }, network);
    if (field === 'xprv' && typeof value === 'string' && keyPath !== undefined) {
      const changePath = optionalString(w, 'changePath');
      return fundingKey(
        {
          xprv: value,
          path: keyPath,
          type: keyType,
          ...(changePath === undefined ? {} : { changePath }),
        },
        network,
      );
    }
    if (field === 'xpub' && typeof value === 'string' && keyPath !== undefined) {
      const masterFingerprint = optionalString(w, 'masterFingerprint');
      const xpubPath = optionalString(w, 'xpubPath');
      return watchOnlyFundingKey(
        {
          xpub: value,
          path: keyPath,
          type: keyType,
          ...(masterFingerprint === undefined ? {} : { masterFingerprint }),
          ...(xpubPath === undefined ? {} : { xpubPath }),
        },
        network,
      );
    }
  } catch (e) {
    // The key code's messages name what is wrong, never the key itself.
    if (isMedanchorError(e, 'INVALID_KEY')) throw walletError(`the wallet ${path}: ${e.message}`);
    throw e;
  }
  throw walletError(
    field === 'secretKey' || field === 'publicKey'
      ? `${path}: "${field}" is not a ${field === 'secretKey' ? '32-byte secret' : '33-byte compressed public key'} in lowercase hex`
      : `${path}: "${field}" needs "path" beside it (the key's BIP32 path below the ${field})`,
  );
}

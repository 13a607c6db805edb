import { fromHex, MedanchorError, toHex } from '@medanchor/core';
import type { HDKey } from '@scure/bip32';

/**
 * Where a funding key sits in its wallet's BIP32 tree, as BIP-174 records it next to a
 * public key (`PSBT_IN_BIP32_DERIVATION` and its taproot and output variants): the
 * fingerprint of the wallet's master key and the full path from that master key. A
 * hardware wallet finds its key by these two, so a PSBT without them may not be signed.
 */
export interface KeyOrigin {
  /** First 4 bytes of HASH160 of the master public key (as wallets print it: 8 hex digits). */
  readonly masterFingerprint: Uint8Array;
  /** The path from the master key, hardened steps marked `'`, e.g. `m/84'/1'/0'/0/0`. */
  readonly path: string;
}

const HARDENED = 0x8000_0000;

function badKey(message: string): MedanchorError {
  return new MedanchorError('INVALID_KEY', message);
}

/**
 * The steps of a BIP32 path (`m/84'/1'/0'/0/0`; `h` or `H` also mark hardened steps),
 * hardened ones with the high bit set.
 * @throws MedanchorError `INVALID_KEY` for anything else.
 */
export function parseBip32Path(path: string, what: string): number[] {
  if (typeof path !== 'string' || !/^m(\/\d+['hH]?)*$/.test(path) || path.length > 1_000)
    throw badKey(`${what} is not a BIP32 path: use the form "m/84'/1'/0'"`);
  return path
    .split('/')
    .slice(1)
    .map((step) => {
      const hard = /['hH]$/.test(step);
      const n = Number(hard ? step.slice(0, -1) : step);
      if (!Number.isSafeInteger(n) || n >= HARDENED)
        throw badKey(`${what} has a step above 2^31-1: ${step}`);
      return hard ? n + HARDENED : n;
    });
}

/** The path of `steps` in the form BIP-174 tools print (`'` for hardened steps). */
export function formatBip32Path(steps: readonly number[]): string {
  return ['m', ...steps.map((s) => (s >= HARDENED ? `${s - HARDENED}'` : String(s)))].join('/');
}

/**
 * A master fingerprint given as 8 hex digits or 4 bytes.
 * @throws MedanchorError `INVALID_KEY` for anything else.
 */
export function parseMasterFingerprint(value: string | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array && value.length === 4) return value.slice();
  if (typeof value === 'string' && /^[0-9a-fA-F]{8}$/.test(value))
    return fromHex(value.toLowerCase());
  throw badKey(
    'the master fingerprint is 8 hex digits (4 bytes), as the wallet shows it, e.g. "d34db33f"',
  );
}

function fingerprintBytes(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

/**
 * The origin of the key at `path` below the extended public key `node`, whose own path from
 * the master key is `xpubPath` (default `m`: the xpub is the master). An xpub records its
 * depth, the index of its last step and, at depth 1, its parent's fingerprint: each is
 * checked against what was given, so a mistyped origin is refused rather than written into
 * every PSBT.
 * @throws MedanchorError `INVALID_KEY` when the origin does not fit the xpub.
 */
export function originOfXpub(
  node: HDKey,
  path: string,
  masterFingerprint: string | Uint8Array,
  xpubPath = 'm',
): KeyOrigin {
  const fingerprint = parseMasterFingerprint(masterFingerprint);
  const above = parseBip32Path(xpubPath, 'xpubPath');
  const below = parseBip32Path(path, 'the derivation path');
  if (above.length !== node.depth)
    throw badKey(
      `xpubPath has ${above.length} step(s) but the xpub is at depth ${node.depth}: give the path of the xpub from the master key, as the wallet shows it beside the fingerprint (e.g. [d34db33f/84'/1'/0'])`,
    );
  if (above.length > 0 && above[above.length - 1] !== node.index)
    throw badKey(`xpubPath does not end in the xpub's own child number (${node.index})`);
  const claimed = toHex(fingerprint);
  if (node.depth === 0 && toHex(fingerprintBytes(node.fingerprint)) !== claimed)
    throw badKey("the master fingerprint is not this master xpub's: copy it again from the wallet");
  if (node.depth === 1 && toHex(fingerprintBytes(node.parentFingerprint)) !== claimed)
    throw badKey("the master fingerprint is not the xpub's parent: copy it again from the wallet");
  return { masterFingerprint: fingerprint, path: formatBip32Path([...above, ...below]) };
}

// BIP-341 key tweaking: key-path-only outputs (BIP-86: no script tree) and outputs
// committing to a script tree (tapleaf and tapbranch hashes, control blocks).
import { concatBytes, equalBytes, MedanchorError, taggedHash } from '@medanchor/core';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { withLength } from './tx.js';

const Point = schnorr.Point;
const N = Point.Fn.ORDER;

/** The only tapscript leaf version (BIP-342). */
export const TAPSCRIPT_LEAF_VERSION = 0xc0;

function tweakScalar(internalX: Uint8Array, merkleRoot?: Uint8Array): bigint {
  const t = bytesToNumberBE(
    taggedHash(
      'TapTweak',
      merkleRoot === undefined ? internalX : concatBytes(internalX, merkleRoot),
    ),
  );
  if (t >= N)
    throw new MedanchorError('INVALID_KEY', 'taproot tweak out of range; use another key');
  return t;
}

/**
 * x-only output key `Q = lift_x(P) + H_TapTweak(P)·G` of an x-only internal key `P`.
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function taprootOutputKey(internalKey: Uint8Array): Uint8Array {
  return taprootTweak(internalKey).outputKey;
}

/**
 * The tweaked output key of `internalKey` committing to a script tree with root
 * `merkleRoot` (none for BIP-86), and the parity of its y coordinate.
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function taprootTweak(
  internalKey: Uint8Array,
  merkleRoot?: Uint8Array,
): { outputKey: Uint8Array; parity: 0 | 1 } {
  if (!(internalKey instanceof Uint8Array) || internalKey.length !== 32) {
    throw new MedanchorError('INVALID_KEY', 'a taproot internal key is 32 bytes (x-only)');
  }
  let P: typeof Point.BASE;
  try {
    P = schnorr.utils.lift_x(bytesToNumberBE(internalKey));
  } catch {
    throw new MedanchorError('INVALID_KEY', 'the internal key is not an x coordinate on secp256k1');
  }
  const Q = P.add(Point.BASE.multiply(tweakScalar(internalKey, merkleRoot)));
  const { x, y } = Q.toAffine();
  return { outputKey: numberToBytesBE(x, 32), parity: y % 2n === 1n ? 1 : 0 };
}

/** `taggedHash("TapLeaf", leafVersion || compactSize(len) || script)`. */
export function tapLeafHash(script: Uint8Array, leafVersion = TAPSCRIPT_LEAF_VERSION): Uint8Array {
  return taggedHash('TapLeaf', Uint8Array.of(leafVersion), withLength(script));
}

/** `taggedHash("TapBranch", min(a, b) || max(a, b))` with bytes compared lexicographically. */
export function tapBranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  let aFirst = true;
  for (let i = 0; i < 32; i++) {
    if (a[i] !== b[i]) {
      aFirst = a[i]! < b[i]!;
      break;
    }
  }
  return taggedHash('TapBranch', aFirst ? a : b, aFirst ? b : a);
}

/** The script tree root reached from a leaf hash through the sibling hashes of `path`. */
export function tapMerkleRoot(leafHash: Uint8Array, path: readonly Uint8Array[]): Uint8Array {
  let k = leafHash;
  for (const sibling of path) k = tapBranchHash(k, sibling);
  return k;
}

/**
 * The control block spending `script` through an output of `internalKey` whose tree is
 * reached by `path` (sibling hashes from the leaf up; empty for a one-leaf tree).
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function tapControlBlock(
  internalKey: Uint8Array,
  script: Uint8Array,
  path: readonly Uint8Array[] = [],
): { controlBlock: Uint8Array; outputKey: Uint8Array } {
  const root = tapMerkleRoot(tapLeafHash(script), path);
  const { outputKey, parity } = taprootTweak(internalKey, root);
  return {
    controlBlock: concatBytes(Uint8Array.of(TAPSCRIPT_LEAF_VERSION | parity), internalKey, ...path),
    outputKey,
  };
}

/**
 * Checks a control block against the output key for `script` (BIP-341 script path):
 * undefined when it commits, else why not. Never throws.
 */
export function controlBlockProblem(
  controlBlock: Uint8Array,
  script: Uint8Array,
  outputKey: Uint8Array,
): string | undefined {
  const n = controlBlock.length;
  if (n < 33 || (n - 33) % 32 !== 0 || n > 33 + 128 * 32) {
    return 'a control block is 33 + 32m bytes (m at most 128)';
  }
  const leafVersion = controlBlock[0]! & 0xfe;
  const path: Uint8Array[] = [];
  for (let i = 33; i < n; i += 32) path.push(controlBlock.subarray(i, i + 32));
  try {
    const root = tapMerkleRoot(tapLeafHash(script, leafVersion), path);
    const q = taprootTweak(controlBlock.subarray(1, 33), root);
    if (!equalBytes(q.outputKey, outputKey) || q.parity !== (controlBlock[0]! & 1)) {
      return 'the control block does not commit the script to this address';
    }
  } catch {
    return 'the control block holds no valid internal key';
  }
  return undefined;
}

/**
 * The secret key that signs for the BIP-86 output key of `secretKey`'s x-only public key:
 * negate when the internal point has odd y, then add the tweak.
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function taprootTweakSecretKey(secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new MedanchorError('INVALID_KEY', 'the secret key must be 32 bytes');
  }
  let d: bigint;
  let P: typeof Point.BASE;
  try {
    d = bytesToNumberBE(secretKey);
    P = Point.BASE.multiply(d);
  } catch {
    throw new MedanchorError('INVALID_KEY', 'the secret key must be 32 bytes in [1, n-1]');
  }
  const { x, y } = P.toAffine();
  if (y % 2n === 1n) d = N - d;
  const tweaked = (d + tweakScalar(numberToBytesBE(x, 32))) % N;
  if (tweaked === 0n)
    throw new MedanchorError('INVALID_KEY', 'tweaked key is zero; use another key');
  return numberToBytesBE(tweaked, 32);
}

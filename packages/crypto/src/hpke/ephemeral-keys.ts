import { generateNativeX25519 } from './x25519-native.js';

/** An ephemeral X25519 key pair made by Web Crypto; the private half never leaves it. */
export interface NativeEphemeral {
  privateKey: CryptoKey;
  publicKey: Uint8Array;
}

// Key generation runs on a worker thread: keeping a few pairs made ahead takes it
// off the path of the next seal. Each pair is handed out once and never reused;
// the private halves are non-extractable CryptoKeys.
const KEEP_READY = 4;
const ready: NativeEphemeral[] = [];
let making = 0;
let madeBy: SubtleCrypto | undefined;

function refill(subtle: SubtleCrypto): void {
  while (ready.length + making < KEEP_READY) {
    making++;
    generateNativeX25519(subtle).then(
      (pair) => {
        making--;
        if (madeBy === subtle) ready.push(pair);
      },
      () => {
        making--;
      },
    );
  }
}

/**
 * A fresh ephemeral key pair made ahead, if one is ready (else `undefined`), and
 * the start of its replacement. Synchronous, so a caller can start its DH at once.
 */
export function takeReadyEphemeral(subtle: SubtleCrypto): NativeEphemeral | undefined {
  if (madeBy !== subtle) {
    // Another SubtleCrypto (a test swapped it): pairs made by the old one are dropped.
    ready.length = 0;
    madeBy = subtle;
  }
  const pair = ready.shift();
  refill(subtle);
  return pair;
}

/** A fresh ephemeral key pair: a ready one, or a new one made now. */
export function freshNativeEphemeral(
  subtle: SubtleCrypto,
): NativeEphemeral | Promise<NativeEphemeral> {
  return takeReadyEphemeral(subtle) ?? generateNativeX25519(subtle);
}

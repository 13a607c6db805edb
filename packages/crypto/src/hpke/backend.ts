import { allowKeyThread } from './ephemeral-worker.js';
import { type NodeCrypto, nodeCryptoModule } from './node-crypto.js';

/**
 * Which implementation of the primitives runs: Node's `node:crypto`, the platform's
 * Web Crypto (`globalThis.crypto.subtle`) or the `@noble` libraries. All produce the
 * same bytes; the switch exists so tests can prove that, and so a caller on a
 * platform with a broken or slow implementation can opt out.
 */
export type CryptoBackend = 'auto' | 'node' | 'webcrypto' | 'noble';

let selected: CryptoBackend = 'auto';
let x25519Probe: Promise<boolean> | undefined;

/**
 * Selects the implementation of AES-GCM, ChaCha20-Poly1305, X25519 and HKDF used by
 * HPKE and the envelope. `'auto'` (the default) picks the fastest one present: in
 * Node (20.16 and later) `node:crypto` for all of them, synchronously (it is found
 * at run time, never imported, so browser bundles do not see it); there, once a
 * process has asked for eight ephemeral keys, one worker thread makes them ahead
 * (each used once; the thread never keeps the process alive; `{ keyThread: false }`
 * forbids it); elsewhere Web
 * Crypto for X25519 key agreement and key generation and for AES-GCM messages over
 * 2 KiB, `@noble` for HKDF, for smaller AES-GCM messages and for deriving a public
 * key from a private one (for these a Web Crypto round trip costs more than the
 * work in JavaScript). `'node'` is `'auto'` by another name where `node:crypto`
 * exists; `'webcrypto'` forces Web Crypto (ChaCha20-Poly1305 then runs on `@noble`:
 * Web Crypto lacks it) and `'noble'` forces `@noble`. Output bytes are identical
 * either way.
 *
 * @example
 * ```ts
 * setCryptoBackend('noble'); // pure JavaScript everywhere
 * ```
 */
export function setCryptoBackend(backend: CryptoBackend, options: CryptoBackendOptions = {}): void {
  selected = backend;
  if (options.keyThread !== undefined) allowKeyThread(options.keyThread);
}

/** Options of {@link setCryptoBackend}. */
export interface CryptoBackendOptions {
  /**
   * Whether Node may start the worker thread that makes ephemeral X25519 keys ahead
   * (default `true`). `false` stops a running one and makes every key on the calling
   * thread: for processes that must not start threads, or whose cores are all busy
   * anyway (the thread only pays when a core is free).
   */
  keyThread?: boolean;
}

/** The backend chosen with {@link setCryptoBackend} (`'auto'` unless changed). */
export function getCryptoBackend(): CryptoBackend {
  return selected;
}

/** node:crypto when the selection allows it (`'auto'` or `'node'`) and the runtime has it. */
export function nodeCrypto(): NodeCrypto | undefined {
  return selected === 'auto' || selected === 'node' ? nodeCryptoModule() : undefined;
}

/** Web Crypto's SubtleCrypto when the selection allows it and the platform has it. */
export function nativeSubtle(): SubtleCrypto | undefined {
  if (selected === 'noble') return undefined;
  return globalThis.crypto?.subtle;
}

/**
 * SubtleCrypto for HKDF, only when `'webcrypto'` is forced. Under `'auto'` HKDF runs
 * on `@noble`: its inputs are a few dozen bytes, and one Web Crypto HMAC (an async key
 * import and sign) costs several times a whole HKDF in JavaScript (see bench crypto).
 */
export function nativeKdfSubtle(): SubtleCrypto | undefined {
  return selected === 'webcrypto' ? globalThis.crypto?.subtle : undefined;
}

/**
 * True when X25519 should run on Web Crypto: allowed by the selection and present
 * (Node >= 20, recent browsers). Probed once, because older browsers lack it.
 */
export async function useNativeX25519(): Promise<boolean> {
  const subtle = nativeSubtle();
  if (subtle === undefined) return false;
  x25519Probe ??= subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']).then(
    () => (x25519Native = true),
    () => (x25519Native = false),
  );
  return x25519Probe;
}

let x25519Native: boolean | undefined;

/**
 * Web Crypto for X25519 when {@link useNativeX25519} already answered yes, without
 * waiting: lets a caller start a native operation before its first `await`, so the
 * worker thread runs while the caller does other work. `undefined` means "no" or
 * "not known yet" (then ask {@link useNativeX25519}).
 */
export function nativeX25519Now(): SubtleCrypto | undefined {
  return x25519Native === true ? nativeSubtle() : undefined;
}

/** A view of `u` whose buffer is a plain ArrayBuffer, as Web Crypto's types require. */
export function bufferSource(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return u.buffer instanceof ArrayBuffer ? (u as Uint8Array<ArrayBuffer>) : new Uint8Array(u);
}

/** Cryptographically secure random bytes from the platform. */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

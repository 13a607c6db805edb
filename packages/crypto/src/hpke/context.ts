import { concatBytes, equalBytes, MedanchorError, toHex, utf8 } from '@medanchor/core';
import { AEAD_NONCE_LENGTH, type AeadCipher, aeadCipher, joined } from './aead.js';
import { nativeKdfSubtle } from './backend.js';
import { labeledExpand, labeledExpandSync, labeledExtract, labeledExtractSync, NH } from './kdf.js';
import {
  decap,
  encap,
  encapNow,
  type X25519KeyPair,
  type X25519Secret,
  x25519PublicKey,
  x25519SecretOf,
} from './kem.js';
import { aeadKeyLength, assertSuite, HpkeAead, HpkeMode, type HpkeSuite, i2osp } from './suite.js';

/** The secrets a key schedule yields (RFC 9180 section 5.1). */
export interface HpkeKeySchedule {
  key: Uint8Array;
  baseNonce: Uint8Array;
  /** Derived on first use: most contexts (every envelope wrap) never export. */
  exporterSecret(): Promise<Uint8Array>;
}

/**
 * An HPKE encryption context: seals (sender) or opens (recipient) messages in
 * order, and exports secrets. Sequence numbers advance on every successful call.
 */
export interface HpkeContext {
  /** The suite this context runs. */
  readonly suite: HpkeSuite;
  /** Encrypts the next message (sender contexts only). */
  seal(aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Decrypts the next message; throws `HPKE_OPEN_FAILED` when it does not verify. */
  open(aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array>;
  /** RFC 9180 Export: `length` bytes bound to `exporterContext`. */
  export(exporterContext: Uint8Array, length: number): Promise<Uint8Array>;
}

// suite_id of each suite seen, built once (every wrap and open asks for it).
const suiteIds = new Map<number, Uint8Array>();

function suiteKey(suite: HpkeSuite): number {
  return suite.kem * 2 ** 32 + suite.kdf * 2 ** 16 + suite.aead;
}

function suiteId(suite: HpkeSuite): Uint8Array {
  const k = suiteKey(suite);
  let sid = suiteIds.get(k);
  if (sid === undefined) {
    sid = concatBytes(utf8('HPKE'), i2osp(suite.kem, 2), i2osp(suite.kdf, 2), i2osp(suite.aead, 2));
    if (suiteIds.size < 64) suiteIds.set(k, sid);
  }
  return sid;
}

function checkPsk(mode: number, psk: Uint8Array, pskId: Uint8Array): void {
  const hasPsk = psk.length > 0;
  if (hasPsk !== pskId.length > 0) {
    throw new MedanchorError('HPKE_INVALID_PSK', 'give both a PSK and a PSK id, or neither');
  }
  const pskMode = mode === HpkeMode.PSK || mode === HpkeMode.AUTH_PSK;
  if (hasPsk !== pskMode) {
    throw new MedanchorError(
      'HPKE_INVALID_PSK',
      pskMode ? 'this HPKE mode needs a PSK and a PSK id' : 'this HPKE mode takes no PSK',
    );
  }
  if (hasPsk && psk.length < 32) {
    throw new MedanchorError('HPKE_INVALID_PSK', 'a PSK must have at least 32 bytes of entropy');
  }
}

const EMPTY = new Uint8Array(0);

/** RFC 9180 KeySchedule: derives key, base nonce and exporter secret. */
export async function keySchedule(
  suite: HpkeSuite,
  mode: number,
  sharedSecret: Uint8Array,
  info: Uint8Array,
  psk: Uint8Array = EMPTY,
  pskId: Uint8Array = EMPTY,
): Promise<HpkeKeySchedule> {
  if (nativeKdfSubtle() === undefined) {
    return keyScheduleSync(suite, mode, sharedSecret, info, psk, pskId);
  }
  checkPsk(mode, psk, pskId);
  const sid = suiteId(suite);
  const ctx = await scheduleContext(sid, suite, mode, pskId, info);
  const secret = await labeledExtract(sid, sharedSecret, 'secret', psk);
  const nk = aeadKeyLength(suite.aead);
  const exportOnly = suite.aead === HpkeAead.EXPORT_ONLY;
  let exporterSecret: Promise<Uint8Array> | undefined;
  return {
    key: exportOnly ? EMPTY : await labeledExpand(sid, secret, 'key', ctx, nk),
    baseNonce: exportOnly
      ? EMPTY
      : await labeledExpand(sid, secret, 'base_nonce', ctx, AEAD_NONCE_LENGTH),
    exporterSecret: () => {
      exporterSecret ??= labeledExpand(sid, secret, 'exp', ctx, NH);
      return exporterSecret;
    },
  };
}

/**
 * {@link keySchedule} without a promise, on node:crypto or `@noble` HMAC: what every
 * backend but the forced `'webcrypto'` runs (there HKDF is asynchronous).
 */
export function keyScheduleSync(
  suite: HpkeSuite,
  mode: number,
  sharedSecret: Uint8Array,
  info: Uint8Array,
  psk: Uint8Array = EMPTY,
  pskId: Uint8Array = EMPTY,
): HpkeKeySchedule {
  checkPsk(mode, psk, pskId);
  const sid = suiteId(suite);
  const ctx = scheduleContextSync(sid, suite, mode, pskId, info);
  const secret = labeledExtractSync(sid, sharedSecret, 'secret', psk);
  const nk = aeadKeyLength(suite.aead);
  const exportOnly = suite.aead === HpkeAead.EXPORT_ONLY;
  let exporterSecret: Promise<Uint8Array> | undefined;
  return {
    key: exportOnly ? EMPTY : labeledExpandSync(sid, secret, 'key', ctx, nk),
    baseNonce: exportOnly
      ? EMPTY
      : labeledExpandSync(sid, secret, 'base_nonce', ctx, AEAD_NONCE_LENGTH),
    exporterSecret: () => {
      exporterSecret ??= labeledExpand(sid, secret, 'exp', ctx, NH);
      return exporterSecret;
    },
  };
}

// key_schedule_context depends only on public inputs (suite, mode, psk_id, info), and
// envelope wraps repeat the same ones: remembered for short inputs, a few at a time.
const contexts = new Map<string, Uint8Array>();
const MAX_REMEMBERED_CONTEXTS = 64;
const MAX_REMEMBERED_INPUT = 256;

function contextId(suite: HpkeSuite, mode: number, pskId: Uint8Array, info: Uint8Array): string {
  if (pskId.length + info.length > MAX_REMEMBERED_INPUT) return '';
  return `${suiteKey(suite)}/${mode}/${toHex(pskId)}/${toHex(info)}`;
}

function rememberContext(id: string, ctx: Uint8Array): Uint8Array {
  if (id !== '') {
    if (contexts.size >= MAX_REMEMBERED_CONTEXTS) contexts.clear();
    contexts.set(id, ctx);
  }
  return ctx;
}

async function scheduleContext(
  sid: Uint8Array,
  suite: HpkeSuite,
  mode: number,
  pskId: Uint8Array,
  info: Uint8Array,
): Promise<Uint8Array> {
  const id = contextId(suite, mode, pskId, info);
  const known = id === '' ? undefined : contexts.get(id);
  if (known !== undefined) return known;
  const pskIdHash = await labeledExtract(sid, EMPTY, 'psk_id_hash', pskId);
  const infoHash = await labeledExtract(sid, EMPTY, 'info_hash', info);
  return rememberContext(id, concatBytes(new Uint8Array([mode]), pskIdHash, infoHash));
}

// The last context built without a promise, with copies of its inputs: every envelope
// wrap asks for the same one, and comparing a few bytes costs less than the hex key.
let last:
  | { suite: number; mode: number; pskId: Uint8Array; info: Uint8Array; ctx: Uint8Array }
  | undefined;

function scheduleContextSync(
  sid: Uint8Array,
  suite: HpkeSuite,
  mode: number,
  pskId: Uint8Array,
  info: Uint8Array,
): Uint8Array {
  const k = suiteKey(suite);
  if (
    last !== undefined &&
    last.suite === k &&
    last.mode === mode &&
    equalBytes(last.pskId, pskId) &&
    equalBytes(last.info, info)
  ) {
    return last.ctx;
  }
  const ctx = scheduleContextSyncUncached(sid, suite, mode, pskId, info);
  if (pskId.length + info.length <= MAX_REMEMBERED_INPUT) {
    last = { suite: k, mode, pskId: pskId.slice(), info: info.slice(), ctx };
  }
  return ctx;
}

function scheduleContextSyncUncached(
  sid: Uint8Array,
  suite: HpkeSuite,
  mode: number,
  pskId: Uint8Array,
  info: Uint8Array,
): Uint8Array {
  const id = contextId(suite, mode, pskId, info);
  const known = id === '' ? undefined : contexts.get(id);
  if (known !== undefined) return known;
  const pskIdHash = labeledExtractSync(sid, EMPTY, 'psk_id_hash', pskId);
  const infoHash = labeledExtractSync(sid, EMPTY, 'info_hash', info);
  return rememberContext(id, concatBytes(new Uint8Array([mode]), pskIdHash, infoHash));
}

/** An HPKE context over a finished key schedule; `role` limits it to seal or open. */
export function contextFromSchedule(
  suite: HpkeSuite,
  ks: HpkeKeySchedule,
  role: 'sender' | 'recipient',
): HpkeContext {
  const sid = suiteId(suite);
  const cipher: AeadCipher | undefined =
    suite.aead === HpkeAead.EXPORT_ONLY ? undefined : aeadCipher(suite.aead, ks.key);
  let seq = 0;
  const nonce = () => {
    const n = ks.baseNonce.slice();
    // seq stays below 2^53, so its bytes fit in the last 7 of the 12.
    const s = i2osp(seq, 8);
    for (let i = 0; i < 8; i++) n[4 + i]! ^= s[i]!;
    return n;
  };
  const needCipher = (op: string): AeadCipher => {
    if (cipher === undefined) {
      throw new MedanchorError('HPKE_EXPORT_ONLY', `an export-only HPKE context cannot ${op}`);
    }
    return cipher;
  };
  return {
    suite,
    async seal(aad, plaintext) {
      if (role !== 'sender') {
        throw new MedanchorError('HPKE_WRONG_ROLE', 'only a sender context can seal');
      }
      const ct = await needCipher('seal').seal(nonce(), aad, plaintext);
      seq++;
      return ct;
    },
    async open(aad, ciphertext) {
      if (role !== 'recipient') {
        throw new MedanchorError('HPKE_WRONG_ROLE', 'only a recipient context can open');
      }
      const pt = await needCipher('open').open(nonce(), aad, ciphertext);
      if (pt === undefined) {
        throw new MedanchorError(
          'HPKE_OPEN_FAILED',
          'HPKE ciphertext did not verify: wrong key, wrong info/aad, or tampered bytes',
          { details: { seq } },
        );
      }
      seq++;
      return pt;
    },
    export: (exporterContext, length) => {
      if (!Number.isInteger(length) || length < 0 || length > 255 * NH) {
        throw new MedanchorError('HPKE_INVALID_LENGTH', `export length must be 0..${255 * NH}`);
      }
      return ks
        .exporterSecret()
        .then((exp) => labeledExpand(sid, exp, 'sec', exporterContext, length));
    },
  };
}

/** Options of {@link hpkeSetupSender}; the fields present pick the mode. */
export interface HpkeSenderOptions {
  suite: HpkeSuite;
  /** The recipient's 32-byte X25519 public key. */
  recipientPublicKey: Uint8Array;
  /** Application info bound to the context. */
  info?: Uint8Array;
  /** Pre-shared key (psk and auth_psk modes), with `pskId`. */
  psk?: Uint8Array;
  /** Identifier of the pre-shared key. */
  pskId?: Uint8Array;
  /** The sender's static private key (auth and auth_psk modes). */
  senderPrivateKey?: Uint8Array;
}

/** Options of {@link hpkeSetupRecipient}; the fields present pick the mode. */
export interface HpkeRecipientOptions {
  suite: HpkeSuite;
  /** The encapsulated key sent by the sender. */
  enc: Uint8Array;
  /**
   * The recipient's 32-byte X25519 private key, or an {@link X25519Secret} that
   * runs X25519 with a key held elsewhere (HSM, KMS).
   */
  recipientPrivateKey: Uint8Array | X25519Secret;
  /** Application info bound to the context; must equal the sender's. */
  info?: Uint8Array;
  /** Pre-shared key (psk and auth_psk modes), with `pskId`. */
  psk?: Uint8Array;
  /** Identifier of the pre-shared key. */
  pskId?: Uint8Array;
  /** The sender's static public key (auth and auth_psk modes). */
  senderPublicKey?: Uint8Array;
}

function modeOf(hasPsk: boolean, hasAuth: boolean): number {
  if (hasAuth) return hasPsk ? HpkeMode.AUTH_PSK : HpkeMode.AUTH;
  return hasPsk ? HpkeMode.PSK : HpkeMode.BASE;
}

/**
 * Sender setup with a caller-chosen ephemeral IKM. Internal: only for test vectors
 * and the deterministic envelope vectors; reusing `ikmE` destroys confidentiality.
 */
export async function setupSenderWithIkm(
  opts: HpkeSenderOptions,
  ikmE: Uint8Array | undefined,
): Promise<{ enc: Uint8Array; context: HpkeContext }> {
  assertSuite(opts.suite);
  const sender: X25519KeyPair | undefined =
    opts.senderPrivateKey === undefined
      ? undefined
      : {
          privateKey: opts.senderPrivateKey,
          publicKey: await x25519PublicKey(opts.senderPrivateKey),
        };
  const { sharedSecret, enc } = await encap(opts.recipientPublicKey, sender, ikmE);
  const mode = modeOf(opts.psk !== undefined, sender !== undefined);
  const ks = await keySchedule(
    opts.suite,
    mode,
    sharedSecret,
    opts.info ?? new Uint8Array(0),
    opts.psk,
    opts.pskId,
  );
  return { enc, context: contextFromSchedule(opts.suite, ks, 'sender') };
}

/**
 * RFC 9180 single-shot SealBase without a promise, when everything it needs runs
 * synchronously right now (node:crypto in use); `undefined` otherwise, and the caller
 * takes {@link hpkeSetupSender}. Same bytes. `ikmE` fixes the ephemeral key: vectors only.
 */
export function sealBaseNow(
  suite: HpkeSuite,
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  ikmE?: Uint8Array,
): { enc: Uint8Array; ciphertext: Uint8Array } | undefined {
  assertSuite(suite);
  if (suite.aead === HpkeAead.EXPORT_ONLY || nativeKdfSubtle() !== undefined) return undefined;
  const e = encapNow(recipientPublicKey, ikmE);
  if (e === undefined) return undefined;
  const ks = keyScheduleSync(suite, HpkeMode.BASE, e.sharedSecret, info);
  const sync = aeadCipher(suite.aead, ks.key).sync;
  if (sync === undefined) return undefined;
  // Sequence number 0: the nonce is the base nonce itself.
  return { enc: e.enc, ciphertext: joined(sync.sealParts(ks.baseNonce, aad, [plaintext])) };
}

/**
 * RFC 9180 SetupBaseS / SetupPSKS / SetupAuthS / SetupAuthPSKS, chosen by the
 * options given: returns `enc` (send it along) and a sender context.
 *
 * @example
 * ```ts
 * const suite = { kem: HpkeKem.X25519_HKDF_SHA256, kdf: HpkeKdf.HKDF_SHA256, aead: HpkeAead.CHACHA20_POLY1305 };
 * const { enc, context } = await hpkeSetupSender({ suite, recipientPublicKey, info });
 * const ct = await context.seal(aad, message);
 * ```
 */
export function hpkeSetupSender(
  opts: HpkeSenderOptions,
): Promise<{ enc: Uint8Array; context: HpkeContext }> {
  return setupSenderWithIkm(opts, undefined);
}

/**
 * RFC 9180 SetupBaseR / SetupPSKR / SetupAuthR / SetupAuthPSKR, chosen by the
 * options given: returns a recipient context.
 *
 * @example
 * ```ts
 * const context = await hpkeSetupRecipient({ suite, enc, recipientPrivateKey, info });
 * const message = await context.open(aad, ct);
 * ```
 */
export async function hpkeSetupRecipient(opts: HpkeRecipientOptions): Promise<HpkeContext> {
  assertSuite(opts.suite);
  const recipient =
    opts.recipientPrivateKey instanceof Uint8Array
      ? await x25519SecretOf(opts.recipientPrivateKey)
      : opts.recipientPrivateKey;
  const sharedSecret = await decap(opts.enc, recipient, opts.senderPublicKey);
  const mode = modeOf(opts.psk !== undefined, opts.senderPublicKey !== undefined);
  const ks = await keySchedule(
    opts.suite,
    mode,
    sharedSecret,
    opts.info ?? new Uint8Array(0),
    opts.psk,
    opts.pskId,
  );
  return contextFromSchedule(opts.suite, ks, 'recipient');
}

import { MedanchorError } from '@medanchor/core';

/** HPKE KEM identifiers (RFC 9180 section 7.1) supported here. */
export const HpkeKem = {
  /** DHKEM(X25519, HKDF-SHA256). */
  X25519_HKDF_SHA256: 0x0020,
} as const;

/** HPKE KDF identifiers (RFC 9180 section 7.2) supported here. */
export const HpkeKdf = {
  /** HKDF-SHA256. */
  HKDF_SHA256: 0x0001,
} as const;

/** HPKE AEAD identifiers (RFC 9180 section 7.3) supported here. */
export const HpkeAead = {
  /** AES-128-GCM. */
  AES_128_GCM: 0x0001,
  /** AES-256-GCM. */
  AES_256_GCM: 0x0002,
  /** ChaCha20-Poly1305. */
  CHACHA20_POLY1305: 0x0003,
  /** No AEAD: the context can only export secrets. */
  EXPORT_ONLY: 0xffff,
} as const;

/** HPKE modes (RFC 9180 section 5). */
export const HpkeMode = {
  /** Base mode: anyone can encrypt to the recipient's public key. */
  BASE: 0x00,
  /** Pre-shared key mode. */
  PSK: 0x01,
  /** Authenticated mode: the sender proves possession of a static key. */
  AUTH: 0x02,
  /** Authenticated and pre-shared key mode. */
  AUTH_PSK: 0x03,
} as const;

/** An HPKE ciphersuite: one KEM, one KDF, one AEAD by their registry ids. */
export interface HpkeSuite {
  /** KEM id; only `0x0020` (DHKEM(X25519, HKDF-SHA256)). */
  kem: number;
  /** KDF id; only `0x0001` (HKDF-SHA256). */
  kdf: number;
  /** AEAD id: `0x0001`, `0x0002`, `0x0003` or `0xffff` (export only). */
  aead: number;
}

/** Key length `Nk` of an AEAD id (0 for export only). */
export function aeadKeyLength(aead: number): number {
  switch (aead) {
    case HpkeAead.AES_128_GCM:
      return 16;
    case HpkeAead.AES_256_GCM:
    case HpkeAead.CHACHA20_POLY1305:
      return 32;
    case HpkeAead.EXPORT_ONLY:
      return 0;
    default:
      throw unsupported('AEAD', aead);
  }
}

/** Throws unless the suite is one this implementation supports. */
export function assertSuite(suite: HpkeSuite): void {
  if (suite.kem !== HpkeKem.X25519_HKDF_SHA256) throw unsupported('KEM', suite.kem);
  if (suite.kdf !== HpkeKdf.HKDF_SHA256) throw unsupported('KDF', suite.kdf);
  aeadKeyLength(suite.aead);
}

function unsupported(what: string, id: number): MedanchorError {
  return new MedanchorError(
    'HPKE_UNSUPPORTED_SUITE',
    `HPKE ${what} id 0x${id.toString(16).padStart(4, '0')} is not supported; use DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 or export-only`,
    { details: { what, id } },
  );
}

/** I2OSP: `n` as a big-endian unsigned integer of `len` bytes. */
export function i2osp(n: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let v = n;
  for (let i = len - 1; i >= 0 && v > 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

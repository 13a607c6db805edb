/**
 * OpenTimestamps proof format constants (the `.ots` detached timestamp file).
 * docs/spec/ots.md describes how medanchor receipts map onto it.
 */

/** Magic bytes that open every detached timestamp file. */
export const OTS_MAGIC = Uint8Array.from([
  0x00, 0x4f, 0x70, 0x65, 0x6e, 0x54, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70, 0x73, 0x00,
  0x00, 0x50, 0x72, 0x6f, 0x6f, 0x66, 0x00, 0xbf, 0x89, 0xe2, 0xe8, 0x84, 0xe8, 0x92, 0x94,
]);

/** The one major version of the file format. */
export const OTS_MAJOR_VERSION = 1;

/** Longest message any operation may produce or take as an argument. */
export const OTS_MAX_MSG_LENGTH = 4096;

/** Deepest nesting of operations accepted when reading. */
export const OTS_MAX_DEPTH = 256;

/** Tags of the operations. */
export const OP = {
  sha1: 0x02,
  ripemd160: 0x03,
  sha256: 0x08,
  keccak256: 0x67,
  append: 0xf0,
  prepend: 0xf1,
  reverse: 0xf2,
  hexlify: 0xf3,
} as const;

/** 8-byte tags of the attestations medanchor understands. */
export const ATTESTATION_TAG = {
  bitcoin: '0588960d73d71901',
  litecoin: '06869a0d73d71b45',
  pending: '83dfe30d2ef90c8e',
} as const;

/** One operation of a timestamp: a hash, or appending/prepending bytes. */
export type OtsOp =
  | { readonly op: 'sha1' | 'ripemd160' | 'sha256' | 'keccak256' | 'reverse' | 'hexlify' }
  | { readonly op: 'append' | 'prepend'; readonly arg: Uint8Array };

/** A statement that the message existed: in a block, at a calendar, or unknown. */
export type OtsAttestation =
  | { readonly type: 'bitcoin' | 'litecoin'; readonly height: number }
  | { readonly type: 'pending'; readonly uri: string }
  | { readonly type: 'unknown'; readonly tag: string; readonly payload: Uint8Array };

/** A node of the timestamp tree: attestations of its message and operations leading on. */
export interface OtsTimestamp {
  readonly attestations: OtsAttestation[];
  readonly ops: { readonly op: OtsOp; readonly next: OtsTimestamp }[];
}

/** A parsed detached timestamp file. */
export interface OtsFile {
  /** How the file was hashed to get `digest`. */
  readonly fileHash: 'sha1' | 'ripemd160' | 'sha256' | 'keccak256';
  /** The file's digest: the first message of the timestamp. */
  readonly digest: Uint8Array;
  readonly timestamp: OtsTimestamp;
}

import { equalBytes, fromHex, MedanchorError, toHex } from '@medanchor/core';
import {
  ATTESTATION_TAG,
  OP,
  OTS_MAGIC,
  OTS_MAJOR_VERSION,
  OTS_MAX_DEPTH,
  OTS_MAX_MSG_LENGTH,
  type OtsAttestation,
  type OtsFile,
  type OtsOp,
  type OtsTimestamp,
} from './format.js';
import { HASH_LENGTH } from './ops.js';

// The detached timestamp file: magic, major version (varuint), the file hash op tag,
// the file digest, then the timestamp tree. Varuints are LEB128; byte strings are a
// varuint length followed by the bytes.

const invalid = (why: string) =>
  new MedanchorError('OTS_INVALID', `not a valid .ots proof: ${why}`);
const OP_NAMES = new Map<number, OtsOp['op']>(
  Object.entries(OP).map(([k, v]) => [v, k as OtsOp['op']]),
);
const HASH_OPS = new Set(['sha1', 'ripemd160', 'sha256', 'keccak256']);
const TAG_TYPES = new Map<string, string>(Object.entries(ATTESTATION_TAG).map(([k, v]) => [v, k]));

class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw invalid('unexpected end of data');
    return this.buf[this.pos++]!;
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw invalid('unexpected end of data');
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  varuint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      // A last byte of zero after the first adds nothing: the same number has a shorter
      // form, and one proof must have one encoding.
      if (b === 0 && scale > 1) throw invalid('non-minimal varuint (a trailing zero byte)');
      value += (b & 0x7f) * scale;
      if (value > Number.MAX_SAFE_INTEGER) throw invalid('varuint too large');
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
  }
  varbytes(max: number, min = 0): Uint8Array {
    const n = this.varuint();
    if (n > max || n < min) throw invalid(`byte string of ${n} bytes, allowed ${min}..${max}`);
    return this.bytes(n);
  }
  get done(): boolean {
    return this.pos === this.buf.length;
  }
}

class Writer {
  private parts: number[] = [];
  byte(b: number): void {
    this.parts.push(b);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
  varuint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
  }
  varbytes(b: Uint8Array): void {
    this.varuint(b.length);
    this.bytes(b);
  }
  result(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function readAttestation(r: Reader): OtsAttestation {
  const tag = toHex(r.bytes(8));
  const payload = r.varbytes(8192);
  const type = TAG_TYPES.get(tag);
  const p = new Reader(payload);
  if (type === 'bitcoin' || type === 'litecoin') {
    const height = p.varuint();
    if (!p.done) throw invalid(`trailing bytes in a ${type} attestation`);
    return { type, height };
  }
  if (type === 'pending') {
    let uri: string;
    try {
      uri = new TextDecoder('utf-8', { fatal: true }).decode(p.varbytes(1000));
    } catch (e) {
      if (e instanceof MedanchorError) throw e;
      throw invalid('pending attestation URI is not UTF-8');
    }
    if (!p.done) throw invalid('trailing bytes in a pending attestation');
    if (!/^[A-Za-z0-9.\-_/:]*$/.test(uri))
      throw invalid('pending attestation URI has invalid characters');
    return { type, uri };
  }
  return { type: 'unknown', tag, payload };
}

function readOp(r: Reader, tag: number): OtsOp {
  const name = OP_NAMES.get(tag);
  if (name === undefined) throw invalid(`unknown operation tag 0x${tag.toString(16)}`);
  if (name === 'append' || name === 'prepend')
    return { op: name, arg: r.varbytes(OTS_MAX_MSG_LENGTH, 1) };
  return { op: name } as OtsOp;
}

function readTimestamp(r: Reader, depth: number): OtsTimestamp {
  if (depth > OTS_MAX_DEPTH) throw invalid('operations nested too deeply');
  const ts: OtsTimestamp = { attestations: [], ops: [] };
  const one = (tag: number) => {
    if (tag === 0x00) ts.attestations.push(readAttestation(r));
    else ts.ops.push({ op: readOp(r, tag), next: readTimestamp(r, depth + 1) });
  };
  let tag = r.byte();
  while (tag === 0xff) {
    one(r.byte());
    tag = r.byte();
  }
  one(tag);
  return ts;
}

/**
 * Reads a detached timestamp file (`.ots`).
 * @throws `MedanchorError` `OTS_INVALID` naming what is wrong (not bytes, bad magic,
 * unknown version or operation, truncated data, oversized messages, a varuint not in
 * its shortest form, trailing bytes).
 */
export function readOts(bytes: Uint8Array): OtsFile {
  if (!(bytes instanceof Uint8Array)) throw invalid('expected the file bytes as a Uint8Array');
  const r = new Reader(bytes);
  if (bytes.length < OTS_MAGIC.length || !equalBytes(r.bytes(OTS_MAGIC.length), OTS_MAGIC)) {
    throw invalid('missing the OpenTimestamps magic');
  }
  const version = r.varuint();
  if (version !== OTS_MAJOR_VERSION) throw invalid(`unsupported major version ${version}`);
  const op = readOp(r, r.byte());
  if (!HASH_OPS.has(op.op)) throw invalid(`file digest type ${op.op} is not a hash`);
  const fileHash = op.op as OtsFile['fileHash'];
  const digest = r.bytes(HASH_LENGTH[fileHash]);
  const timestamp = readTimestamp(r, 0);
  if (!r.done) throw invalid('trailing bytes after the timestamp');
  return { fileHash, digest, timestamp };
}

/**
 * Reads a bare serialized timestamp (no file header), as calendars answer `POST /digest`
 * and `GET /timestamp/<commitment>`.
 * @throws `MedanchorError` `OTS_INVALID` naming what is wrong (truncated data, unknown
 * operation, oversized messages, trailing bytes).
 */
export function readOtsTimestamp(bytes: Uint8Array): OtsTimestamp {
  if (!(bytes instanceof Uint8Array)) throw invalid('expected the timestamp bytes as a Uint8Array');
  const r = new Reader(bytes);
  const timestamp = readTimestamp(r, 0);
  if (!r.done) throw invalid('trailing bytes after the timestamp');
  return timestamp;
}

/** Writes a bare timestamp (no file header); the inverse of {@link readOtsTimestamp}. */
export function writeOtsTimestamp(timestamp: OtsTimestamp): Uint8Array {
  const w = new Writer();
  writeTimestamp(w, timestamp);
  return w.result();
}

function writeAttestation(w: Writer, a: OtsAttestation): void {
  const p = new Writer();
  if (a.type === 'bitcoin' || a.type === 'litecoin') {
    w.bytes(fromHex(ATTESTATION_TAG[a.type]));
    p.varuint(a.height);
  } else if (a.type === 'pending') {
    w.bytes(fromHex(ATTESTATION_TAG.pending));
    p.varbytes(new TextEncoder().encode(a.uri));
  } else if (a.type === 'unknown') {
    w.bytes(fromHex(a.tag));
    p.bytes(a.payload);
  }
  w.varbytes(p.result());
}

function writeOp(w: Writer, op: OtsOp): void {
  w.byte(OP[op.op]);
  if (op.op === 'append' || op.op === 'prepend') w.varbytes(op.arg);
}

function writeTimestamp(w: Writer, ts: OtsTimestamp): void {
  const items = [
    ...ts.attestations.map((a) => () => {
      w.byte(0x00);
      writeAttestation(w, a);
    }),
    ...ts.ops.map(({ op, next }) => () => {
      writeOp(w, op);
      writeTimestamp(w, next);
    }),
  ];
  if (items.length === 0) throw invalid('a timestamp node needs an attestation or an operation');
  items.forEach((write, i) => {
    if (i < items.length - 1) w.byte(0xff);
    write();
  });
}

/** Writes a detached timestamp file (`.ots`); the inverse of {@link readOts}. */
export function writeOts(file: OtsFile): Uint8Array {
  const w = new Writer();
  w.bytes(OTS_MAGIC);
  w.varuint(OTS_MAJOR_VERSION);
  w.byte(OP[file.fileHash]);
  w.bytes(file.digest);
  writeTimestamp(w, file.timestamp);
  return w.result();
}

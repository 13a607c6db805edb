import { MedanchorError } from '@medanchor/core';
import type { DifficultySchedule, ScheduleEpoch } from './types.js';

// Layout (docs/spec/anchor.md, "Bundled difficulty schedule"): "MDS1", then u32 LE interval,
// epoch count and anchor floor, then 24 bytes per epoch: bits, first time, 16-byte hash
// prefix, zeros meaning unknown. Fixed records keep decoding a straight loop.
const MAGIC = [0x4d, 0x44, 0x53, 0x31];
const HEAD = 16;
const RECORD = 24;

function bad(reason: string): MedanchorError {
  return new MedanchorError('INVALID_SCHEDULE', `difficulty schedule: ${reason}`);
}

// Standard padded base64 through the platform's btoa/atob (browsers and Node alike): the
// verifier decodes the bundled schedules on every page, and a codec library for this one
// use cost its bundle ~3 KB (@scure/base keeps all its codecs when any is imported).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  if (!BASE64.test(text)) throw bad('not base64');
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Packs a schedule into its compact binary form, base64 (what the bundled data modules hold).
 * @throws MedanchorError `INVALID_SCHEDULE` when a member does not fit its field.
 */
export function encodeSchedule(schedule: DifficultySchedule): string {
  const { epochs } = schedule;
  const out = new Uint8Array(HEAD + RECORD * epochs.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, schedule.interval, true);
  view.setUint32(8, epochs.length, true);
  view.setUint32(12, schedule.anchorFloor, true);
  epochs.forEach((e, k) => {
    const at = HEAD + RECORD * k;
    view.setUint32(at, e.bits ?? 0, true);
    view.setUint32(at + 4, e.firstTime ?? 0, true);
    if (e.lastHashPrefix !== undefined) {
      if (e.lastHashPrefix.length !== 16) throw bad(`epoch ${k}: the hash prefix must be 16 bytes`);
      out.set(e.lastHashPrefix, at + 8);
    }
  });
  return toBase64(out);
}

/**
 * Unpacks a schedule made by {@link encodeSchedule}.
 * @throws MedanchorError `INVALID_SCHEDULE` when the text is not a schedule.
 */
export function decodeSchedule(network: string, packed: string): DifficultySchedule {
  const bytes = fromBase64(packed);
  if (bytes.length < HEAD || MAGIC.some((m, i) => bytes[i] !== m)) throw bad('wrong magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const interval = view.getUint32(4, true);
  const count = view.getUint32(8, true);
  if (interval === 0 || bytes.length !== HEAD + RECORD * count) throw bad('wrong length');
  const epochs: ScheduleEpoch[] = [];
  for (let k = 0; k < count; k++) {
    const at = HEAD + RECORD * k;
    const bits = view.getUint32(at, true);
    const firstTime = view.getUint32(at + 4, true);
    const prefix = bytes.slice(at + 8, at + RECORD);
    epochs.push(
      Object.freeze({
        ...(bits === 0 ? {} : { bits }),
        ...(firstTime === 0 ? {} : { firstTime }),
        ...(prefix.every((b) => b === 0) ? {} : { lastHashPrefix: prefix }),
      }),
    );
  }
  return Object.freeze({
    network,
    interval,
    epochs: Object.freeze(epochs),
    anchorFloor: view.getUint32(12, true),
  });
}

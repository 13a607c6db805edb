// How a checkpoint commits to the head map: one extension line of the C2SP tlog-checkpoint
// body, so the log's signature, the witnesses' cosignatures and the anchor digest of the
// signed note (docs/spec/signed-note.md section 5) all cover the map root.
import { base64 } from '@scure/base';
import { assertBytes } from '../bytes.js';
import { MedanchorError } from '../errors.js';

/** First word of the extension line that carries the head-map root. */
export const HEAD_MAP_LINE_PREFIX = 'medanchor/head-map/v1 ';

/**
 * The extension line for a map root: `medanchor/head-map/v1 <base64 root>` (no newline).
 * @throws MedanchorError `INVALID_LENGTH` unless the root is 32 bytes.
 */
export function headMapLine(root: Uint8Array): string {
  assertBytes(root, 32, 'head-map root');
  return `${HEAD_MAP_LINE_PREFIX}${base64.encode(root)}`;
}

/**
 * The head-map root among a checkpoint's extension lines: `undefined` when no line names
 * one (a checkpoint of a log without a head map, or sealed before it had one).
 * @throws MedanchorError `CHECKPOINT_MALFORMED` when a line names one badly, or two lines do.
 */
export function headMapRootOf(extensions: readonly string[]): Uint8Array | undefined {
  let root: Uint8Array | undefined;
  for (const line of extensions) {
    if (!line.startsWith('medanchor/head-map/')) continue;
    if (!line.startsWith(HEAD_MAP_LINE_PREFIX))
      throw new MedanchorError('CHECKPOINT_MALFORMED', 'a head-map line of an unknown version');
    if (root !== undefined)
      throw new MedanchorError('CHECKPOINT_MALFORMED', 'a checkpoint names two head-map roots');
    const text = line.slice(HEAD_MAP_LINE_PREFIX.length);
    let bytes: Uint8Array;
    try {
      bytes = base64.decode(text);
    } catch {
      throw new MedanchorError('CHECKPOINT_MALFORMED', 'the head-map root is not base64');
    }
    if (bytes.length !== 32 || base64.encode(bytes) !== text)
      throw new MedanchorError('CHECKPOINT_MALFORMED', 'the head-map root must be 32 bytes');
    root = bytes;
  }
  return root;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Bytes of a padded standard base64 string. Only for the embedded kernels (trusted
 * input), so there is no validation; no `atob` and no Buffer, for every engine.
 */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const values = new Uint8Array(128);
  for (let i = 0; i < ALPHABET.length; i++) values[ALPHABET.charCodeAt(i)] = i;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const n =
      (values[s.charCodeAt(i)]! << 18) |
      (values[s.charCodeAt(i + 1)]! << 12) |
      (values[s.charCodeAt(i + 2)]! << 6) |
      values[s.charCodeAt(i + 3)]!;
    if (o < out.length) out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

import { MedanchorError } from '@medanchor/core';

/**
 * A JSON value as RFC 8785 sees it: I-JSON data (finite numbers, strings without
 * lone surrogates, objects with unique keys).
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Deepest nesting of arrays and objects {@link canonicalizeJson} and
 * {@link canonicalizeJsonText} accept. Real grants and receipts nest a few levels;
 * the cap turns a hostile, deeply nested input into a typed error instead of a
 * stack overflow.
 */
export const MAX_JSON_DEPTH = 512;

/**
 * RFC 8785 (JCS) canonical text of a JSON value: object members sorted by the UTF-16
 * code units of their names, no whitespace, numbers as ECMAScript prints them,
 * strings with the minimal escapes.
 *
 * Strict where `JSON.stringify` is lenient, because canonical bytes are signed:
 * `undefined`, functions, bigints, non-finite numbers, lone surrogates and objects
 * other than plain objects and arrays are rejected, never skipped.
 *
 * @throws `MedanchorError` `INVALID_JSON_VALUE` naming the JSON path of the bad value
 *   (also for a cycle), `JSON_TOO_DEEP` past {@link MAX_JSON_DEPTH} levels.
 * @example
 * ```ts
 * canonicalizeJson({ b: 1, a: [true, 'x'] }); // '{"a":[true,"x"],"b":1}'
 * ```
 */
export function canonicalizeJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, '$', []);
  return out.join('');
}

/**
 * UTF-8 bytes of {@link canonicalizeJson}: the bytes that get hashed and signed.
 * @throws `MedanchorError` `INVALID_JSON_VALUE`.
 */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalizeJson(value));
}

/**
 * Canonical form of JSON text: parses it (numbers become IEEE-754 doubles, as
 * RFC 8785 requires) and re-serializes it canonically.
 * @throws `MedanchorError` `INVALID_JSON` when the text does not parse (or is not a string),
 *   `JSON_TOO_DEEP` past {@link MAX_JSON_DEPTH} levels, `INVALID_JSON_VALUE` when it holds
 *   something I-JSON forbids (lone surrogates).
 */
export function canonicalizeJsonText(text: string): string {
  if (typeof text !== 'string') {
    throw new MedanchorError('INVALID_JSON', 'JSON text must be a string');
  }
  checkTextDepth(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new MedanchorError('INVALID_JSON', 'the text is not valid JSON; check its syntax', {
      cause,
    });
  }
  return canonicalizeJson(parsed);
}

function fail(path: string, why: string): never {
  throw new MedanchorError(
    'INVALID_JSON_VALUE',
    `cannot canonicalize ${path}: ${why}; pass plain JSON data only`,
    { details: { path } },
  );
}

function tooDeep(): never {
  throw new MedanchorError(
    'JSON_TOO_DEEP',
    `JSON nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels; flatten the data`,
    { details: { max: MAX_JSON_DEPTH } },
  );
}

/**
 * Refuses text nesting deeper than the cap before it is parsed: brackets inside
 * strings are skipped, so the count is exact for valid JSON and harmless otherwise.
 */
export function checkTextDepth(text: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) i++;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) tooDeep();
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

// `ancestors` holds the containers on the path to `value`: a repeat is a cycle.
function write(value: unknown, out: string[], path: string, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
      out.push(serializeJsonString(value, path));
      return;
    case 'number':
      out.push(serializeJsonNumber(value, path));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      break;
    default:
      fail(path, `${typeof value} is not a JSON value`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (ancestors.includes(value)) fail(path, 'the value contains itself (a cycle)');
  if (ancestors.length >= MAX_JSON_DEPTH) tooDeep();
  ancestors.push(value);
  writeContainer(value, out, path, ancestors);
  ancestors.pop();
}

function writeContainer(value: object, out: string[], path: string, ancestors: object[]): void {
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      // Holes in sparse arrays read as undefined and are rejected below.
      write(value[i], out, `${path}[${i}]`, ancestors);
    }
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    fail(path, 'only plain objects and arrays are JSON containers');
  }
  // Default sort compares UTF-16 code units, which is exactly the order RFC 8785 asks for.
  const keys = Object.keys(value).sort();
  out.push('{');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out.push(',');
    out.push(serializeJsonString(key, `${path} key`));
    out.push(':');
    write((value as Record<string, unknown>)[key], out, `${path}.${key}`, ancestors);
  }
  out.push('}');
}

/**
 * RFC 8785 section 3.2.2.3: the ECMAScript Number-to-String algorithm, which is
 * what `String(n)` implements for finite doubles (shortest round-tripping digits,
 * exponent form outside [1e-6, 1e21), `-0` printed as `0`).
 */
function serializeJsonNumber(n: number, path: string): string {
  if (!Number.isFinite(n)) fail(path, 'NaN and Infinity have no JSON form');
  if (Object.is(n, -0)) return '0';
  return String(n);
}

const SHORT_ESCAPES: Record<number, string> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

/** RFC 8785 section 3.2.2.2: escape only `"`, `\` and C0 controls; lowercase hex. */
function serializeJsonString(s: string, path: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      fail(path, 'the string holds a lone UTF-16 surrogate');
    }
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(runStart, i);
    out += SHORT_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, '0')}`;
    runStart = i + 1;
  }
  return `${out}${s.slice(runStart)}"`;
}
